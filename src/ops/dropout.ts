// Inverted dropout: in training, each element is zeroed with probability p and the survivors are
// scaled by 1/(1-p), so evaluation needs no rescaling. The mask comes from the seeded PRNG
// (manualSeed) and backward multiplies by the same mask.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { needsGrad, record } from '../autograd/node.js';
import { binaryRaw } from './elementwise.js';
import { expectFloat } from '../dtypes.js';

export function checkDropoutP(p: number, op: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/** The mask dropout multiplies by: 1/(1-p) with probability 1-p, else 0 (all zeros when p = 1). */
export function dropoutMask(shape: readonly number[], p: number): Tensor {
  const mask = Tensor._empty(shape);
  if (mask.numel()) backend.k.rng_bernoulli_scalar(mask.ptr(), mask.numel(), 1 - p, p < 1 ? 1 / (1 - p) : 0);
  return mask;
}

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkDropoutP(p, 'dropout');
  expectFloat('dropout', x);
  if (!training || p === 0) return x;
  const mask = dropoutMask(x.shape, p);
  const y = binaryRaw('mul', x, mask, 'dropout');
  if (needsGrad(x)) record(y, 'NativeDropoutBackward0', [x], (g) => [binaryRaw('mul', g, mask, 'NativeDropoutBackward0')], [mask]);
  return y;
}
