// The public surface of wasmgrad.
export { init, backendInfo, setNumThreads, getNumThreads, type InitOptions, type BackendInfo, type SimdBuild } from './runtime/backend.js';
export { OutOfMemoryError } from './runtime/allocator.js';
export { Tensor, isTensor, type DType, type Shape, type NestedArray } from './tensor.js';
// Attaches the op methods to Tensor (and declares them on its type): before anything can run an op.
import './ops/tensor-methods.js';
export type { TensorMethods } from './ops/tensor-methods.js';
export { tidy } from './lifetime.js';
// Argument types: PyTorch's positional order, then an options object (src/options.ts).
export { type PositionalArgs, type RequiredFirstArgs } from './options.js';
export { type BackwardOptions, type BackwardArgs } from './autograd/engine.js';
export { type VarOptions, type VarArgs } from './ops/reduce.js';
import { framed } from './lifetime.js';
import * as join from './ops/join.js';
import * as mm from './ops/matmul.js';
import * as ew from './ops/elementwise.js';
import * as order from './ops/sort.js';
import { cumsum as cumsumOp } from './ops/cumsum.js';
import { logsumexp as logsumexpOp } from './ops/reduce.js';
import { maskedFill as maskedFillOp } from './ops/masked-fill.js';
import { multinomial as multinomialOp } from './ops/sampling.js';
import type { Tensor } from './tensor.js';
export {
  tensor, zeros, ones, full, empty, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, bernoulli, manualSeed, getRngState, setRngState,
  type CreateOptions, type TensorOptions,
} from './ops/creation.js';
// Public ops run as library frames (src/lifetime.ts).
export const concat = framed(join.concat);
export const stack = framed(join.stack);
export const matmul = framed(mm.matmul);
export const linear = framed(mm.linear);
/** PyTorch's mm: both operands 2-D (matmul broadcasts and takes vectors; mm refuses them). */
const mmStrict = framed(mm.mm); // `mm` is the matmul module's namespace in this file
export { mmStrict as mm };
/** PyTorch's dot: both operands 1-D of the same length; a 0-d result. */
export const dot = framed(mm.dot);
export const where = framed(ew.where);
/** PyTorch's name for concat. */
export const cat = framed(function cat(tensors: Tensor[], dim = 0): Tensor { return join.concat(tensors, dim, 'cat'); });
export const sort = framed(order.sort);
export const argsort = framed(order.argsort);
export const topk = framed(order.topk);
export const cumsum = framed(cumsumOp);
/** torch.logsumexp(input, dim, keepdim=False): log(sum(exp(input))) over dim (an integer or an array of them), max-subtracted. */
export const logsumexp = framed(logsumexpOp);
export const maskedFill = framed(maskedFillOp);
export const multinomial = framed(multinomialOp);
export { type ValuesIndices } from './ops/return-types.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly } from './autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { clipGradNorm, clipGradValue } from './optim/index.js';
export * as rbm from './rbm/index.js';
export { save, load, loadMetadata } from './io/state-dict-io.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './io/safetensors.js';
export { exportOnnx, type ExportOnnxOptions } from './io/onnx.js';
/** @internal For the benchmark CLI (bench/workloads/conv.ts): forces conv2d's algorithm; returns the previous choice. */
export { _setConvAlgo, type ConvAlgo } from './ops/conv.js';
