// Channel dropout (torch.nn.Dropout2d): in training, each whole channel of each sample is zeroed
// with probability p and the kept ones are scaled by 1/(1-p). Identity in eval mode.
import type { Tensor } from '../tensor.js';
import { checkDropoutP, dropoutMask } from '../ops/dropout.js';
import { binaryRaw } from '../ops/elementwise.js';
import { expectFloat } from '../dtypes.js';
import { needsGrad, record } from '../autograd/node.js';
import { Module, pyFloat, libraryForwards } from './module.js';
import { parseArgs } from '../options.js';
import { dropoutSpec, type DropoutArgs } from './dropout.js';

const DROPOUT2D_ARGS = dropoutSpec('Dropout2d');

/**
 * x [N, C, H, W] (or unbatched [C, H, W]): one Bernoulli draw per (sample, channel), shared by the
 * H*W positions. (For 3-D input PyTorch 1.13 warns and drops along dim 1 instead; we follow the
 * documented, later behaviour and treat it as unbatched.)
 */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  const op = 'dropout2d';
  checkDropoutP(p, op);
  expectFloat(op, x);
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`${op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [${x.shape}]`);
  if (!training || p === 0) return x;
  const mask = dropoutMask(x.ndim === 4 ? [x.shape[0], x.shape[1], 1, 1] : [x.shape[0], 1, 1], p);
  const y = binaryRaw('mul', x, mask, op);
  if (needsGrad(x)) record(y, 'MulBackward0', [x], (g) => [binaryRaw('mul', g, mask, 'MulBackward0')], [mask]);
  return y;
}

export class Dropout2d extends Module {
  readonly p: number;
  /** `new Dropout2d(0.2)` or `new Dropout2d({ p: 0.2 })`. */
  constructor(...args: DropoutArgs) {
    super();
    this.p = parseArgs<{ p?: number }>(DROPOUT2D_ARGS, args).p ?? 0.5;
    checkDropoutP(this.p, 'Dropout2d');
  }
  forward(x: Tensor): Tensor { return dropout2d(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Dropout2d);
