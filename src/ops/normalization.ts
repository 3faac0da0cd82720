// Batch normalisation over channel dim 1 of [N, C, *] inputs (BatchNorm1d on [N, C] / [N, C, L],
// BatchNorm2d on [N, C, H, W]): the input is viewed as [N, C, L] and statistics are per channel.
// Training normalises with the biased batch variance and updates running_var with the unbiased one
// (PyTorch); evaluation uses the running statistics. Backward is the closed form, not a taped chain.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { sumRows } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import { noGrad } from '../autograd/grad-mode.js';
import { contiguousStrides } from '../shape.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { expectFloat } from '../dtypes.js';

const OP = 'batchNorm';

// A no-autograd reshape of a contiguous tensor.
function as(t: Tensor, shape: number[]): Tensor {
  return t._view(shape, contiguousStrides(shape), t.offset);
}

/** Per-channel sums of a contiguous [N, C, L] tensor, as [C]. */
function channelSum(x: Tensor, N: number, C: number, L: number): Tensor {
  const k = backend.k;
  const out = Tensor._empty([C]);
  if (!C) return out;
  if (N * L === 0) { k.ew_fill(out.ptr(), C, 0); return out; }
  let rows = x;
  if (L > 1) {
    rows = Tensor._empty([N, C]);
    sumRows(x.ptr(OP), rows.ptr(), N * C, L, 1, 1);
  }
  k.red_sum(rows.ptr(OP), out.ptr(), 1, N, C, 1);
  return out;
}

function checkChannelTensor(t: Tensor | null, C: number, what: string): void {
  if (t === null) return;
  if (!(t instanceof Tensor)) throw new Error(`${OP}: ${what} must be a Tensor or null`);
  if (t.dtype !== 'float32' || t.ndim !== 1 || t.shape[0] !== C) {
    throw new Error(`${OP}: ${what} should be a float32 tensor of shape [${C}] (one value per channel), got ${t.dtype} [${t.shape}]`);
  }
}

/**
 * y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dim 1). In training the batch
 * statistics are used and, when given, runningMean/runningVar are updated in place:
 * running = (1 - momentum) * running + momentum * batchStat (unbiased variance).
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null,
                          bias: Tensor | null = null, training = false, momentum = 0.1, eps = 1e-5): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${OP}: input must be a Tensor`);
  expectFloat(OP, x);
  if (x.ndim < 2) throw new Error(`${OP}: expected an input of shape [N, C, *] with at least 2 dims, got [${x.shape}]`);
  const [N, C] = x.shape;
  const L = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const M = N * L;
  checkChannelTensor(runningMean, C, 'runningMean');
  checkChannelTensor(runningVar, C, 'runningVar');
  checkChannelTensor(weight, C, 'weight');
  checkChannelTensor(bias, C, 'bias');
  if ((runningMean === null) !== (runningVar === null)) throw new Error(`${OP}: pass both runningMean and runningVar, or neither`);
  if (!training && !runningMean) throw new Error(`${OP}: runningMean and runningVar must be given in evaluation mode (training = false)`);
  if (training && M <= 1) throw new Error(`${OP}: expected more than 1 value per channel when training, got input of shape [${x.shape}]`);
  if (!(eps >= 0)) throw new Error(`${OP}: eps must be non-negative, got ${eps}`);

  const shape3 = [N, C, L], chan = [1, C, 1];
  const x3 = as(x.contiguous(), shape3);
  let mean: Tensor, invstd: Tensor, centered: Tensor;
  if (training) {
    mean = unaryRaw(channelSum(x3, N, C, L), 'mulScalar', 1 / M);
    centered = binaryRaw('sub', x3, as(mean, chan), OP);
    const variance = unaryRaw(channelSum(binaryRaw('mul', centered, centered, OP), N, C, L), 'mulScalar', 1 / M);
    invstd = unaryRaw(unaryRaw(variance, 'addScalar', eps), 'rsqrt');
    if (runningMean && runningVar) {
      noGrad(() => {
        runningMean.mulScalar_(1 - momentum).addInPlace_(mean, momentum);
        runningVar.mulScalar_(1 - momentum).addInPlace_(variance, momentum * M / (M - 1));
      });
    }
  } else {
    mean = runningMean!.contiguous();
    centered = binaryRaw('sub', x3, as(mean, chan), OP);
    invstd = unaryRaw(unaryRaw(runningVar!, 'addScalar', eps), 'rsqrt');
  }
  const scale = weight ? binaryRaw('mul', invstd, weight, OP) : invstd;
  let y = binaryRaw('mul', centered, as(scale, chan), OP);
  if (bias) y = binaryRaw('add', y, as(bias.contiguous(), chan), OP);
  const out = as(y, x.shape);

  if (needsGrad(x, weight, bias)) {
    record(out, 'NativeBatchNormBackward0', [x, weight, bias], (g) => {
      const g3 = as(g.contiguous(), shape3);
      const xhat = binaryRaw('mul', centered, as(invstd, chan), OP);
      const sumG = channelSum(g3, N, C, L);
      const needDx = x.requiresGrad;
      const sumGXhat = (weight?.requiresGrad || (needDx && training)) ? channelSum(binaryRaw('mul', g3, xhat, OP), N, C, L) : null;
      let dx: Tensor | null = null;
      if (needDx) {
        // dx = scale * (g - mean(g) - xhat * mean(g * xhat)) in training; scale * g with fixed statistics.
        dx = binaryRaw('mul', g3, as(scale, chan), OP);
        if (training) {
          const c1 = unaryRaw(binaryRaw('mul', scale, sumGXhat!, OP), 'mulScalar', -1 / M);
          const c0 = unaryRaw(binaryRaw('mul', scale, sumG, OP), 'mulScalar', -1 / M);
          dx = binaryRaw('add', dx, binaryRaw('add', binaryRaw('mul', xhat, as(c1, chan), OP), as(c0, chan), OP), OP);
        }
        dx = as(dx, x.shape);
      }
      return [dx, weight?.requiresGrad ? sumGXhat : null, bias?.requiresGrad ? sumG : null];
    }, [centered, invstd, scale]);
  }
  return out;
}
