// nn.functional: the stateless forms of the layers and losses, as in torch.nn.functional.
// A flat list of re-exports and thin wrappers; the maths lives in src/ops.
// Every function here runs as a library frame (src/lifetime.ts): temporaries it makes are freed.
import type { Tensor } from '../tensor.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { batchNorm as batchNormOp } from '../ops/normalization.js';
import { framed } from '../lifetime.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';
import { expectFloat } from '../dtypes.js';
import * as mm from '../ops/matmul.js';
import * as L from '../ops/loss.js';
import * as C from '../ops/conv.js';
import * as P from '../ops/pool.js';

export const linear = framed(mm.linear);
export const mseLoss = framed(L.mseLoss);
export const l1Loss = framed(L.l1Loss);
export const huberLoss = framed(L.huberLoss);
export const smoothL1Loss = framed(L.smoothL1Loss);
export const crossEntropy = framed(L.crossEntropy);
export const nllLoss = framed(L.nllLoss);
export const binaryCrossEntropy = framed(L.binaryCrossEntropy);
export const binaryCrossEntropyWithLogits = framed(L.binaryCrossEntropyWithLogits);
export const klDiv = framed(L.klDiv);
export {
  type Reduction, type ReductionOptions, type NllLossOptions, type CrossEntropyOptions,
  type BinaryCrossEntropyOptions, type BceWithLogitsOptions, type KlDivReduction,
  type HuberLossOptions, type SmoothL1LossOptions, type KlDivOptions,
} from '../ops/loss.js';

// ---- activations ----
// Arguments in PyTorch's positional order or as an options object, checked (src/options.ts).
const SOFTPLUS_ARGS: ArgSpec = { op: 'softplus', leading: ['input'], positional: ['beta', 'threshold'], types: { beta: 'number', threshold: 'number' } };
const GELU_ARGS: ArgSpec = { op: 'gelu', leading: ['input'], positional: ['approximate'], types: { approximate: 'string' } };
const NOT_INPLACE = { inplace: { accept: false, why: 'the output is always a new tensor' } };
const LEAKY_RELU_ARGS: ArgSpec = { op: 'leakyRelu', leading: ['input'], positional: ['negativeSlope', 'inplace'], types: { negativeSlope: 'number' }, unsupported: NOT_INPLACE };
const ELU_ARGS: ArgSpec = { op: 'elu', leading: ['input'], positional: ['alpha', 'inplace'], types: { alpha: 'number' }, unsupported: NOT_INPLACE };
const HARDTANH_ARGS: ArgSpec = {
  op: 'hardtanh', leading: ['input'], positional: ['minVal', 'maxVal', 'inplace'], types: { minVal: 'number', maxVal: 'number' }, unsupported: NOT_INPLACE,
};
const SOFTMAX_ARGS: ArgSpec = { op: 'softmax', leading: ['input'], positional: ['dim'], types: { dim: 'integer' } };
const LOG_SOFTMAX_ARGS: ArgSpec = { op: 'logSoftmax', leading: ['input'], positional: ['dim'], types: { dim: 'integer' } };
export const relu = (x: Tensor): Tensor => x.relu();
export const relu6 = (x: Tensor): Tensor => x.hardtanh(0, 6);
/** leakyRelu(x, negativeSlope) as in PyTorch, or leakyRelu(x, { negativeSlope }). */
export const leakyRelu = (x: Tensor, ...args: PositionalArgs<[negativeSlope: number, inplace: boolean], { negativeSlope?: number; inplace?: boolean }>): Tensor =>
  x.leakyRelu(parseArgs<{ negativeSlope?: number }>(LEAKY_RELU_ARGS, args).negativeSlope ?? 0.01);
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
/** elu(x, alpha) as in PyTorch, or elu(x, { alpha }). */
export const elu = (x: Tensor, ...args: PositionalArgs<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>): Tensor =>
  x.elu(parseArgs<{ alpha?: number }>(ELU_ARGS, args).alpha ?? 1);
export const silu = (x: Tensor): Tensor => x.silu();
export const logSigmoid = (x: Tensor): Tensor => x.logSigmoid();
/** hardtanh(x, minVal, maxVal) as in PyTorch, or hardtanh(x, { minVal, maxVal }). */
export const hardtanh = (x: Tensor, ...args: PositionalArgs<[minVal: number, maxVal: number, inplace: boolean], { minVal?: number; maxVal?: number; inplace?: boolean }>): Tensor => {
  const o = parseArgs<{ minVal?: number; maxVal?: number }>(HARDTANH_ARGS, args);
  return x.hardtanh(o.minVal ?? -1, o.maxVal ?? 1);
};
/** softplus(x, beta, threshold) as in PyTorch, or softplus(x, { beta, threshold }). */
export const softplus = (x: Tensor, ...args: PositionalArgs<[beta: number, threshold: number], { beta?: number; threshold?: number }>): Tensor => {
  const opts = parseArgs<{ beta?: number; threshold?: number }>(SOFTPLUS_ARGS, args);
  return x.softplus(opts.beta ?? 1, opts.threshold ?? 20);
};
/** softmax(x, dim) as in PyTorch, or softmax(x, { dim }) (default the last dim). */
export const softmax = (x: Tensor, ...args: PositionalArgs<[dim: number], { dim?: number }>): Tensor =>
  x.softmax(parseArgs<{ dim?: number }>(SOFTMAX_ARGS, args).dim ?? -1);
/** logSoftmax(x, dim) as in PyTorch, or logSoftmax(x, { dim }) (default the last dim). */
export const logSoftmax = (x: Tensor, ...args: PositionalArgs<[dim: number], { dim?: number }>): Tensor =>
  x.logSoftmax(parseArgs<{ dim?: number }>(LOG_SOFTMAX_ARGS, args).dim ?? -1);

/** x·Φ(x); approximate = 'tanh' uses 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const gelu = framed(function gelu(x: Tensor, ...args: PositionalArgs<[approximate: 'none' | 'tanh'], { approximate?: 'none' | 'tanh' }>): Tensor {
  const opts = parseArgs<{ approximate?: 'none' | 'tanh' }>(GELU_ARGS, args);
  const approximate = opts.approximate ?? 'none';
  if (approximate === 'none') return x.gelu();
  if (approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  expectFloat('gelu', x); // composed of promoting ops below, but gelu refuses int32 (src/dtypes.ts)
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(inner.tanh().add(1));
});

// ---- regularisation and normalisation ----

export interface DropoutFnOptions { p?: number; training?: boolean; inplace?: boolean }
/** F.dropout's arguments after the input, in PyTorch's order: (p, training, inplace), then options (inplace: false only). */
export type DropoutFnArgs = PositionalArgs<[p: number, training: boolean, inplace: boolean], DropoutFnOptions>;
const dropoutArgs = (op: string): ArgSpec => ({
  op, leading: ['input'], positional: ['p', 'training', 'inplace'], types: { p: 'number', training: 'boolean' },
  unsupported: { inplace: { accept: false, why: 'the output is always a new tensor' } },
});
const DROPOUT_ARGS = dropoutArgs('dropout'), DROPOUT2D_ARGS = dropoutArgs('dropout2d');

/** Inverted dropout (identity unless training; training defaults to true as in PyTorch): dropout(x, p, training) or dropout(x, { p, training }). */
export const dropout = framed(function dropout(x: Tensor, ...args: DropoutFnArgs): Tensor {
  const opts = parseArgs<DropoutFnOptions>(DROPOUT_ARGS, args);
  return dropoutOp(x, opts.p ?? 0.5, opts.training ?? true);
});

export interface BatchNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** F.batchNorm's arguments after the running statistics, in PyTorch's order: (weight, bias, training, momentum, eps), then options. */
export type BatchNormFnArgs = PositionalArgs<[weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number], BatchNormFunctionalOptions>;
const BATCHNORM_ARGS: ArgSpec = {
  op: 'batchNorm', leading: ['input', 'runningMean', 'runningVar'], positional: ['weight', 'bias', 'training', 'momentum', 'eps'],
  types: { weight: ['tensor', 'null'], bias: ['tensor', 'null'], training: 'boolean', momentum: 'number', eps: 'number' },
};

/** Batch norm over dim 1; in training, the running statistics given are updated in place. */
export const batchNorm = framed(function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...args: BatchNormFnArgs): Tensor {
  const opts = parseArgs<BatchNormFunctionalOptions>(BATCHNORM_ARGS, args);
  return batchNormOp(x, runningMean, runningVar, opts.weight ?? null, opts.bias ?? null, opts.training ?? false, opts.momentum ?? 0.1, opts.eps ?? 1e-5);
});

// ---- convolution, pooling, channel dropout (ops/conv.ts, ops/pool.ts, nn/dropout2d.ts) ----
import { dropout2d as dropout2dOp } from './dropout2d.js';
export const conv1d = framed(C.conv1d);
export const conv2d = framed(C.conv2d);
export const maxPool1d = framed(P.maxPool1d);
export const maxPool2d = framed(P.maxPool2d);
export const avgPool1d = framed(P.avgPool1d);
export const avgPool2d = framed(P.avgPool2d);
export const adaptiveAvgPool1d = framed(P.adaptiveAvgPool1d);
export const adaptiveAvgPool2d = framed(P.adaptiveAvgPool2d);
export { type Conv1dOptions, type Conv2dOptions, type ConvPadding, type Conv1dFnArgs, type Conv2dFnArgs } from '../ops/conv.js';
export {
  type MaxPool1dOptions, type MaxPool2dOptions, type AvgPool1dOptions, type AvgPool2dOptions, type AdaptiveSize,
  type MaxPool1dFnArgs, type MaxPool2dFnArgs, type AvgPool1dFnArgs, type AvgPool2dFnArgs,
} from '../ops/pool.js';
/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p while training. */
export const dropout2d = framed(function dropout2d(x: Tensor, ...args: DropoutFnArgs): Tensor {
  const opts = parseArgs<DropoutFnOptions>(DROPOUT2D_ARGS, args);
  return dropout2dOp(x, opts.p ?? 0.5, opts.training ?? true);
});

// ---- embedding and layer norm (ops/embedding.ts, ops/layer-norm.ts) ----
import * as E from '../ops/embedding.js';
import * as LN from '../ops/layer-norm.js';
/** Rows of weight [numEmbeddings, dim] picked by int32 indices of any shape: [..., dim]; (idx, w, paddingIdx, ...) or (idx, w, { paddingIdx, ... }). */
export const embedding = framed(E.embedding);
export { type EmbeddingOptions, type EmbeddingFnArgs } from '../ops/embedding.js';
/** Normalises over the trailing normalizedShape dims: (x - mean) / sqrt(var + eps) * weight + bias; (x, shape, weight, bias, eps) or (x, shape, { weight, bias, eps }). */
export const layerNorm = framed(LN.layerNorm);
export { type LayerNormFnOptions, type LayerNormFnArgs } from '../ops/layer-norm.js';

// ---- one-hot encoding (ops/one-hot.ts) ----
import { oneHot as oneHotOp } from '../ops/one-hot.js';
/** int32 class indices [...] -> int32 one-hot rows [..., numClasses] (PyTorch gives int64); numClasses = -1 infers max + 1. */
export const oneHot = framed(oneHotOp);
