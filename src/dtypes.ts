// dtype rules: what each op does with int32 tensors (wasmgrad has float32 and int32; README
// "dtype rules"). Kernels read raw 4-byte words, so an op that reads float32 must never be handed
// int32 bits: it either refuses them at its boundary (expectFloat, PyTorch's kind of message) or
// converts them first. The table is the one list of decisions; every 'float' op calls expectFloat
// with its own name, and tests/api/mistakes-dtype-inplace.ts feeds int32 to each entry.
import type { Tensor } from './tensor.js';

/**
 * - 'float': reads float32 only; int32 is refused (PyTorch refuses these integer inputs too).
 * - 'promote': int32 operands are converted to float32 first and the result is float32 (PyTorch
 *   promotes the same way, or keeps an integer result holding the same values).
 * - 'keep': moves or selects elements without arithmetic; the dtype is kept.
 */
export type DTypeRule = 'float' | 'promote' | 'keep';

export const DTYPE_RULES = {
  // Linear algebra and layers.
  matmul: 'float', mm: 'float', dot: 'float', linear: 'float', conv1d: 'float', conv2d: 'float',
  maxPool1d: 'float', maxPool2d: 'float', avgPool1d: 'float', avgPool2d: 'float',
  adaptiveAvgPool1d: 'float', adaptiveAvgPool2d: 'float',
  batchNorm: 'float', dropout: 'float', dropout2d: 'float',
  rnn: 'float', lstm: 'float', gru: 'float',
  RNN: 'float', LSTM: 'float', GRU: 'float', RNNCell: 'float', LSTMCell: 'float', GRUCell: 'float',
  // Activations: PyTorch promotes sigmoid and tanh, keeps relu and hardtanh integer, refuses the rest.
  sigmoid: 'promote', tanh: 'promote', relu: 'promote', hardtanh: 'promote',
  leakyRelu: 'float', elu: 'float', gelu: 'float', silu: 'float', softplus: 'float', logSigmoid: 'float',
  softmax: 'float', logSoftmax: 'float',
  // Losses: the input is float32; regression losses promote an int32 target (PyTorch does), the
  // others refuse one (class-index targets of nllLoss / crossEntropy are int32 by definition).
  mseLoss: 'float', l1Loss: 'float', huberLoss: 'float', smoothL1Loss: 'float',
  nllLoss: 'float', crossEntropy: 'float', binaryCrossEntropy: 'float', binaryCrossEntropyWithLogits: 'float', klDiv: 'float',
  // Sampling and in-place float updates (in-place ops keep the destination's dtype).
  bernoulli: 'float', uniform_: 'float', normal_: 'float', mulScalar_: 'float', clamp_: 'float', addInPlace_: 'float',
  // Elementwise arithmetic, comparisons, math functions and reductions: int32 becomes float32.
  add: 'promote', sub: 'promote', mul: 'promote', div: 'promote', pow: 'promote', rsub: 'promote',
  maximum: 'promote', minimum: 'promote', where: 'promote', clamp: 'promote',
  eq: 'promote', ne: 'promote', lt: 'promote', le: 'promote', gt: 'promote', ge: 'promote',
  neg: 'promote', abs: 'promote', sign: 'promote', square: 'promote', exp: 'promote', log: 'promote',
  log1p: 'promote', expm1: 'promote', sqrt: 'promote', rsqrt: 'promote', reciprocal: 'promote',
  sin: 'promote', cos: 'promote', floor: 'promote', ceil: 'promote', round: 'promote',
  sum: 'promote', mean: 'promote', var: 'promote', std: 'promote', norm: 'promote',
  max: 'promote', min: 'promote', amax: 'promote', amin: 'promote', logsumexp: 'promote',
  // Moving and selecting elements.
  argmax: 'keep', argmin: 'keep', reshape: 'keep', view: 'keep', transpose: 'keep', permute: 'keep',
  slice: 'keep', select: 'keep', expand: 'keep', contiguous: 'keep', clone: 'keep', concat: 'keep',
  stack: 'keep', indexSelect: 'keep', gather: 'keep', fill_: 'keep', copy_: 'keep', to: 'keep',
  // Ordering, running sums and masks keep int32 (PyTorch keeps integers); multinomial draws from
  // float32 weights and PyTorch's in-place arithmetic keeps the destination's float32. F.oneHot
  // takes int32 class indices only.
  sort: 'keep', argsort: 'keep', topk: 'keep', cumsum: 'keep', maskedFill: 'keep', cat: 'keep',
  multinomial: 'float', add_: 'float', sub_: 'float', mul_: 'float', div_: 'float',
} as const satisfies Record<string, DTypeRule>;

/** The ops that refuse int32. */
export type FloatOp = { [K in keyof typeof DTYPE_RULES]: (typeof DTYPE_RULES)[K] extends 'float' ? K : never }[keyof typeof DTYPE_RULES];

/**
 * Refuses a tensor argument of a 'float' op that is not float32, e.g. "linear: expected input of
 * dtype float32, got int32 (shape [5,1]); call .float() first". Null / undefined (an absent
 * optional tensor) passes.
 */
export function expectFloat(op: FloatOp, t: Tensor | null | undefined, what = 'input'): void {
  if (t && t.dtype !== 'float32') {
    throw new Error(`${op}: expected ${what} of dtype float32, got ${t.dtype} (shape [${t.shape}]); call .float() first`);
  }
}
