// The kernel protocol: every number that means something on both sides of the wasm boundary.
// This file is the one source. scripts/build-wasm.mjs writes the AssemblyScript constants
// (assembly/protocol.generated.ts) from ASSEMBLY_CONSTANTS below before compiling, and
// tests/kernels/protocol.test.ts fails when the committed generated file differs from a regeneration.
// Add a code here, rebuild, then handle it in the kernel: never type a bare code in assembly/.
import type { Kernels } from './kernels.js';

/** Unary op codes (ew_unary, ew_unary_backward; ew_unary's p1 / p2 are the op's scalars). */
export const Unary = {
  copy: 0, neg: 1, exp: 2, log: 3, sqrt: 4, abs: 5, sigmoid: 6, tanh: 7, relu: 8, leakyRelu: 9, elu: 10,
  gelu: 11, softplus: 12, clamp: 13, powScalar: 14, addScalar: 15, mulScalar: 16, rsubScalar: 17,
  rdivScalar: 18, sign: 19, square: 20, reciprocal: 21, sin: 22, cos: 23, gtScalar: 24, ltScalar: 25,
  geScalar: 26, leScalar: 27, eqScalar: 28, neScalar: 29, affine: 30, floor: 31, ceil: 32, round: 33,
  log1p: 34, expm1: 35, rsqrt: 36, logSigmoid: 37, silu: 38, hardtanh: 39,
} as const;
export type UnaryName = keyof typeof Unary;

/** What ew_unary_backward reads besides dy: the input x, the output y, both, or neither. */
export type BackwardReads = 'none' | 'x' | 'y' | 'both';
/**
 * Keyed by every unary op (a new op without an entry does not compile). The op saves exactly these
 * for its backward and passes 0 for the other pointer; tests/kernels/protocol.test.ts checks each entry
 * against the kernel by giving it NaN where the table says the value is not read.
 */
export const UNARY_BACKWARD_READS: { readonly [P in UnaryName]: BackwardReads } = {
  copy: 'none', neg: 'none', exp: 'y', log: 'x', sqrt: 'y', abs: 'x', sigmoid: 'y', tanh: 'y', relu: 'y',
  leakyRelu: 'x', elu: 'both', gelu: 'x', softplus: 'x', clamp: 'x', powScalar: 'x', addScalar: 'none',
  mulScalar: 'none', rsubScalar: 'none', rdivScalar: 'x', sign: 'none', square: 'x', reciprocal: 'y',
  sin: 'x', cos: 'x', gtScalar: 'none', ltScalar: 'none', geScalar: 'none', leScalar: 'none',
  eqScalar: 'none', neScalar: 'none', affine: 'none', floor: 'none', ceil: 'none', round: 'none',
  log1p: 'x', expm1: 'y', rsqrt: 'y', logSigmoid: 'x', silu: 'x', hardtanh: 'x',
};

/** Broadcasting binary op codes (ew_binary). Codes up to div take the SIMD row path. */
export const Binary = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
} as const;
export type BinaryName = keyof typeof Binary;

/**
 * Activation codes of the fused epilogues and their backward passes, one list for all of them:
 * gemm / gemm_prepacked (applied to the tile), ew_linear_act_backward and conv_gather_act_backward
 * (dy * act'(z) from the saved output; none: dy itself).
 */
export const EpilogueAct = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 } as const;
export type EpilogueActName = keyof typeof EpilogueAct;

/** The GEMM epilogue's bias: none, one per output column (Linear), one per output row (conv). */
export const BiasKind = { none: 0, perColumn: 1, perRow: 2 } as const;

/** Flag bits of the fused optimizer updates (opt_sgd, opt_adam, opt_rmsprop, opt_adagrad). */
export const OptimFlag = {
  maximize: 1,    // ascend: use -grad (all)
  nesterov: 2,    // sgd
  firstStep: 4,   // sgd: the momentum buffer starts at the gradient, as in PyTorch
  hasMomentum: 8, // sgd, rmsprop
  amsgrad: 16,    // adam
  centered: 32,   // rmsprop
} as const;

/** rbm_softmax_visible's modes (assembly/softmax-rbm.ts describes each). */
export const SoftmaxVisibleMode = { onehot: 0, probs: 1, sample: 2, expect: 3 } as const;
export type SoftmaxVisibleModeName = keyof typeof SoftmaxVisibleMode;

/**
 * The kernels the worker pool may run, split into slices over rows (indices are sent to the workers
 * instead of names, so the order is part of the protocol between threads.ts and thread-worker.js).
 */
export const THREADED_KERNELS = ['gemm', 'gemm_prepacked', 'ew_index_select', 'opt_sgd', 'opt_adam', 'opt_rmsprop', 'opt_adagrad', 'ew_unary', 'ew_unary_backward',
  'rnn_lstm_seq_fwd', 'rnn_lstm_seq_bwd',
  'red_sum', 'red_softmax', 'red_softmax_backward', 'conv_im2col_images', 'conv_col2im_images',
  'conv_depthwise_fwd_images', 'conv_depthwise_bwd_input_images', 'conv_depthwise_bwd_weight_images',
  'pool_max2d_fwd', 'pool_max2d_bwd', 'pool_avg2d_fwd', 'pool_avg2d_bwd', 'norm_layer_fwd', 'norm_layer_bwd',
  'conv_single_fwd_images', 'conv_single_bwd_weight', 'conv_gather_act_backward', 'conv_scatter_nchw',
  'conv_gemm_fwd_groups', 'conv_gemm_bwd_groups',
] as const satisfies readonly (keyof Kernels)[];
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

/** One table of assembly/protocol.generated.ts: `export const <prefix>_<KEY>: i32 = <code>;` per entry. */
export interface AssemblyTable {
  prefix: string;
  doc: string;
  codes: { readonly [name: string]: number };
  notes?: { readonly [name: string]: string };
}

/** What scripts/build-wasm.mjs emits for assembly/, in this order (camelCase keys become SNAKE_CASE). */
export const ASSEMBLY_CONSTANTS: readonly AssemblyTable[] = [
  { prefix: 'U', doc: 'Unary op codes (ew_unary, ew_unary_backward).', codes: Unary,
    notes: Object.fromEntries(Object.entries(UNARY_BACKWARD_READS).map(([k, r]) =>
      [k, r === 'none' ? 'backward reads neither x nor y' : r === 'both' ? 'backward reads x and y' : `backward reads ${r}`])) },
  { prefix: 'B', doc: 'Binary op codes (ew_binary).', codes: Binary },
  { prefix: 'ACT', doc: 'Epilogue activations (gemm, gemm_prepacked, ew_linear_act_backward, conv_gather_act_backward).', codes: EpilogueAct },
  { prefix: 'BIAS', doc: 'GEMM epilogue bias kinds.', codes: BiasKind },
  { prefix: 'OPT', doc: 'Optimizer flag bits (opt_*).', codes: OptimFlag },
  { prefix: 'SOFTMAX', doc: 'rbm_softmax_visible modes.', codes: SoftmaxVisibleMode },
];
