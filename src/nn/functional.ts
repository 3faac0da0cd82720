// nn.functional: the stateless forms of the layers and losses, as in torch.nn.functional.
// A flat list of re-exports and thin wrappers; the maths lives in src/ops.
import type { Tensor } from '../tensor.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { batchNorm as batchNormOp } from '../ops/normalization.js';

export { linear } from '../ops/matmul.js';
export {
  mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, nllLoss, binaryCrossEntropy,
  binaryCrossEntropyWithLogits, klDiv,
  type Reduction, type ReductionOptions, type NllLossOptions, type CrossEntropyOptions,
  type BinaryCrossEntropyOptions, type BceWithLogitsOptions, type KlDivReduction,
} from '../ops/loss.js';

// ---- activations ----
export const relu = (x: Tensor): Tensor => x.relu();
export const relu6 = (x: Tensor): Tensor => x.hardtanh(0, 6);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => x.leakyRelu(negativeSlope);
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const elu = (x: Tensor, alpha = 1): Tensor => x.elu(alpha);
export const silu = (x: Tensor): Tensor => x.silu();
export const logSigmoid = (x: Tensor): Tensor => x.logSigmoid();
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1): Tensor => x.hardtanh(minVal, maxVal);
export const softplus = (x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor => x.softplus(opts.beta ?? 1, opts.threshold ?? 20);
export const softmax = (x: Tensor, dim = -1): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => x.logSoftmax(dim);

/** x·Φ(x); approximate = 'tanh' uses 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  const approximate = opts.approximate ?? 'none';
  if (approximate === 'none') return x.gelu();
  if (approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(inner.tanh().add(1));
}

// ---- regularisation and normalisation ----

/** Inverted dropout (identity unless training; training defaults to true as in PyTorch). */
export function dropout(x: Tensor, opts: { p?: number; training?: boolean } = {}): Tensor {
  return dropoutOp(x, opts.p ?? 0.5, opts.training ?? true);
}

export interface BatchNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch norm over dim 1; in training, the running statistics given are updated in place. */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormFunctionalOptions = {}): Tensor {
  return batchNormOp(x, runningMean, runningVar, opts.weight ?? null, opts.bias ?? null, opts.training ?? false, opts.momentum ?? 0.1, opts.eps ?? 1e-5);
}

// ---- convolution, pooling, channel dropout (ops/conv.ts, ops/pool.ts, nn/dropout2d.ts) ----
import { dropout2d as dropout2dOp } from './dropout2d.js';
export { conv1d, conv2d, type Conv1dOptions, type Conv2dOptions, type ConvPadding } from '../ops/conv.js';
export {
  maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d,
  type MaxPool1dOptions, type MaxPool2dOptions, type AvgPool1dOptions, type AvgPool2dOptions, type AdaptiveSize,
} from '../ops/pool.js';
/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p while training. */
export function dropout2d(x: Tensor, opts: { p?: number; training?: boolean } = {}): Tensor {
  return dropout2dOp(x, opts.p ?? 0.5, opts.training ?? true);
}
