// The public surface of wasmgrad.
export { init, backendInfo, setNumThreads, getNumThreads, type InitOptions, type BackendInfo, type SimdBuild } from './runtime/backend.js';
export { OutOfMemoryError } from './runtime/allocator.js';
export { Tensor, isTensor, type DType, type Shape, type NestedArray } from './tensor.js';
export { tidy } from './lifetime.js';
export {
  tensor, zeros, ones, full, empty, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randperm, bernoulli, manualSeed, getRngState, setRngState,
  type CreateOptions, type TensorOptions,
} from './ops/creation.js';
export { concat, stack } from './ops/join.js';
export { matmul, linear } from './ops/matmul.js';
export { where } from './ops/elementwise.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly } from './autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { clipGradNorm, clipGradValue } from './optim/clip-grad.js';
export * as rbm from './rbm/index.js';
export { save, load, loadMetadata } from './io/state-dict-io.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './io/safetensors.js';
export { exportOnnx, type ExportOnnxOptions } from './io/onnx.js';
