// The typed surface of the wasm module's exports (assembly/index.ts): every export has a signature
// here and nothing else does (KERNEL_ARITY below ties the interface to a runtime list, and
// tests/kernels/protocol.test.ts compares that list with each build's exports and parameter counts).
// Pointers are byte offsets; codes and flag bits are the tables of src/runtime/protocol.ts.
type Ptr = number;
/** An AssemblyScript bool parameter (JS true / false become 1 / 0). */
type Bool = boolean | 0 | 1;
export interface Kernels {
  heap_base(): Ptr;
  /** Bit 0: relaxed SIMD build; bit 1: threads build. */
  build_flags(): number;
  // random.ts
  rng_seed(lo: number, hi: number): void;
  rng_get_state(dst: Ptr): void;
  rng_set_state(src: Ptr): void;
  rng_uniform(dst: Ptr, n: number, low: number, high: number): void;
  rng_normal(dst: Ptr, n: number, mean: number, std: number): void;
  rng_bernoulli(p: Ptr, dst: Ptr, n: number): void;
  rng_bernoulli_scalar(dst: Ptr, n: number, p: number, scale: number): void;
  rng_randint(dst: Ptr, n: number, low: number, high: number): void;
  rng_shuffle_i32(ptr: Ptr, n: number): void;
  // elementwise.ts
  /** op: a protocol.ts Unary code. */
  ew_unary(op: number, x: Ptr, y: Ptr, n: number, p1: number, p2: number): void;
  ew_unary_backward(op: number, dy: Ptr, x: Ptr, y: Ptr, dx: Ptr, n: number, p1: number, p2: number): void;
  ew_binary(op: number, a: Ptr, b: Ptr, out: Ptr, ndim: number, meta: Ptr): void;
  ew_copy_strided(src: Ptr, dst: Ptr, ndim: number, meta: Ptr): void;
  ew_fill(dst: Ptr, n: number, v: number): void;
  ew_fill_i32(dst: Ptr, n: number, v: number): void;
  ew_arange(dst: Ptr, n: number, start: number, step: number): void;
  ew_cast_i32_f32(src: Ptr, dst: Ptr, n: number): void;
  ew_cast_f32_i32(src: Ptr, dst: Ptr, n: number): void;
  ew_axpy(y: Ptr, x: Ptr, n: number, alpha: number): void;
  ew_where(cond: Ptr, a: Ptr, b: Ptr, out: Ptr, n: number): void;
  ew_index_select(src: Ptr, idx: Ptr, dst: Ptr, outer: number, nsrc: number, nidx: number, inner: number): number;
  ew_index_add(src: Ptr, idx: Ptr, dst: Ptr, outer: number, nsrc: number, nidx: number, inner: number): void;
  ew_gather(src: Ptr, idx: Ptr, dst: Ptr, outer: number, nsrc: number, nidx: number, inner: number): number;
  ew_scatter_add(src: Ptr, idx: Ptr, dst: Ptr, outer: number, nsrc: number, nidx: number, inner: number): void;
  ew_count_nonfinite(x: Ptr, n: number): number;
  /** act: an EpilogueAct code (none: dpre is not written, dy is summed into dbias). */
  ew_linear_act_backward(act: number, dy: Ptr, y: Ptr, dpre: Ptr, rows: number, cols: number, slope: number, dbias: Ptr): void;
  ew_copy_2d(src: Ptr, srcStride: number, dst: Ptr, dstStride: number, rows: number, cols: number): void;
  // reduce.ts
  red_sum(x: Ptr, y: Ptr, outer: number, n: number, inner: number, scale: number): void;
  red_max(x: Ptr, y: Ptr, idx: Ptr, outer: number, n: number, inner: number, isMin: number): void;
  red_softmax(x: Ptr, y: Ptr, outer: number, n: number, inner: number, isLog: number): void;
  red_softmax_backward(y: Ptr, dy: Ptr, dx: Ptr, outer: number, n: number, inner: number, isLog: number): void;
  red_nll(logp: Ptr, labels: Ptr, weights: Ptr, out: Ptr, N: number, C: number, inner: number, ignoreIndex: number): number;
  red_nll_backward(labels: Ptr, weights: Ptr, g: Ptr, dlogp: Ptr, N: number, C: number, inner: number, ignoreIndex: number): void;
  red_nll_weight_sum(labels: Ptr, weights: Ptr, rows: number, ignoreIndex: number): number;
  red_sumsq(x: Ptr, n: number): number;
  red_absmax(x: Ptr, n: number): number;
  // norm.ts
  norm_layer_fwd(x: Ptr, w: Ptr, b: Ptr, y: Ptr, mean: Ptr, rstd: Ptr, rows: number, n: number, eps: number): void;
  norm_layer_bwd(x: Ptr, w: Ptr, mean: Ptr, rstd: Ptr, dy: Ptr, dx: Ptr, dw: Ptr, db: Ptr,
                 rows: number, n: number, r0: number, nr: number, c0: number, nc: number): void;
  // embedding.ts
  emb_renorm(w: Ptr, idx: Ptr, nidx: number, dim: number, maxNorm: number, normType: number): void;
  // gemm.ts
  gemm_workspace_bytes(M: number, N: number, K: number): number;
  /** biasKind: a BiasKind code; act: an EpilogueAct code, actParam leaky ReLU's slope. */
  gemm(transA: number, transB: number, M: number, N: number, K: number, A: Ptr, lda: number, B: Ptr, ldb: number,
       C: Ptr, ldc: number, beta: number, bias: Ptr, biasKind: number, act: number, actParam: number, work: Ptr): void;
  gemm_packed_b_bytes(N: number, K: number): number;
  gemm_pack_b(transB: number, N: number, K: number, B: Ptr, ldb: number, dst: Ptr): void;
  gemm_prepacked(transA: number, M: number, N: number, K: number, A: Ptr, lda: number, packedB: Ptr,
                 C: Ptr, ldc: number, beta: number, bias: Ptr, biasKind: number, act: number, actParam: number, work: Ptr): void;
  // optim.ts (flags: OptimFlag bits)
  opt_sgd(p: Ptr, g: Ptr, buf: Ptr, n: number, lr: number, momentum: number, oneMinusDampening: number, weightDecay: number, flags: number): void;
  opt_adam(p: Ptr, g: Ptr, m: Ptr, v: Ptr, vmax: Ptr, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number,
           l2: number, decay: number, stepSize: number, bc2Sqrt: number, flags: number): void;
  opt_rmsprop(p: Ptr, g: Ptr, sq: Ptr, gavg: Ptr, buf: Ptr, n: number, lr: number, alpha: number, oneMinusAlpha: number, eps: number,
              weightDecay: number, momentum: number, flags: number): void;
  opt_adagrad(p: Ptr, g: Ptr, sum: Ptr, n: number, clr: number, weightDecay: number, eps: number, flags: number): void;
  opt_sum_abs_pow(x: Ptr, n: number, p: number): number;
  // rbm.ts
  rbm_sq_err(a: Ptr, b: Ptr, n: number): number;
  rbm_bias_velocity(vel: Ptr, pos: Ptr, neg: Ptr, rows: number, cols: number, scale: number, momentum: number): void;
  rbm_add_inplace(dst: Ptr, mean: Ptr, n: number): void;
  rbm_count_outside_unit(x: Ptr, n: number): number;
  rbm_sigmoid(x: Ptr, n: number): void;
  // softmax-rbm.ts
  /** mode: a SoftmaxVisibleMode code. */
  rbm_softmax_visible(mode: number, act: Ptr, ratings: Ptr, u: Ptr, out: Ptr, expect: Ptr, rows: number, items: number, K: number): number;
  // rsm.ts (Replicated Softmax)
  rsm_hidden(x: Ptr, c: Ptr, len: Ptr, rows: number, H: number, beta: number, sigm: number): void;
  rsm_sample_visible(logits: Ptr, len: Ptr, counts: Ptr, scratch: Ptr, rows: number, V: number): void;
  // conv.ts (geometry in elements; *_images variants run `count` images `imageStride` elements apart)
  conv_im2col(src: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
              strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dst: Ptr, ldDst: number): void;
  conv_im2col_images(src: Ptr, imageStride: number, count: number, C: number, H: number, W: number, kH: number, kW: number,
                     padH: number, padW: number, strideH: number, strideW: number, dilH: number, dilW: number,
                     outH: number, outW: number, dst: Ptr, ldDst: number): void;
  conv_col2im(src: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
              strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dst: Ptr, ldSrc: number): void;
  conv_col2im_images(src: Ptr, count: number, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                     strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number,
                     dst: Ptr, ldSrc: number, imageStride: number): void;
  conv_scatter_nchw(src: Ptr, O: number, o0: number, oCount: number, N: number, L: number, dst: Ptr): void;
  /** act: an EpilogueAct code (none: y is not read). */
  conv_gather_act_backward(act: number, dy: Ptr, y: Ptr, N: number, O: number, o0: number, oCount: number, L: number, slope: number,
                           dst: Ptr, ldDst: number, dbias: Ptr): void;
  conv_depthwise_fwd(src: Ptr, weight: Ptr, bias: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                     strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dst: Ptr): void;
  conv_depthwise_bwd_input(dy: Ptr, weight: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                           strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dx: Ptr): void;
  conv_depthwise_bwd_weight(src: Ptr, dy: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                            strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dw: Ptr): void;
  conv_depthwise_fwd_images(src: Ptr, weight: Ptr, bias: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                            strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dst: Ptr,
                            count: number, srcStride: number, dstStride: number): void;
  conv_depthwise_bwd_input_images(dy: Ptr, weight: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                                  strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dx: Ptr,
                                  count: number, dyStride: number, dxStride: number): void;
  conv_depthwise_bwd_weight_images(src: Ptr, dy: Ptr, C: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                                   strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dw: Ptr,
                                   count: number, srcStride: number, dyStride: number): void;
  /** One input channel, stride 1, dilation 1, outW >= 4: direct (no im2col); act: an EpilogueAct code. */
  conv_single_work_floats(O: number, kH: number, kW: number, outH: number, outW: number): number;
  conv_single_fwd_images(src: Ptr, weight: Ptr, bias: Ptr, O: number, H: number, W: number, kH: number, kW: number, padT: number, padL: number,
                         outH: number, outW: number, act: number, slope: number, dst: Ptr, count: number, srcStride: number, work: Ptr): void;
  conv_single_bwd_weight(src: Ptr, dy: Ptr, y: Ptr, act: number, slope: number, O: number, n0: number, nCount: number, groupSize: number,
                         H: number, W: number, kH: number, kW: number, padT: number, padL: number, outH: number, outW: number,
                         partialW: Ptr, partialB: Ptr, work: Ptr): void;
  /** Dense groups=1 conv by fixed groups of G images, each group whole on one thread (see assembly/conv.ts). */
  conv_gemm_work_bytes(Kg: number, O: number, L: number, G: number): number;
  conv_gemm_fwd_groups(src: Ptr, weight: Ptr, bias: Ptr, act: number, slope: number, C: number, H: number, W: number,
                       kH: number, kW: number, padH: number, padW: number, strideH: number, strideW: number, dilH: number, dilW: number,
                       outH: number, outW: number, O: number, N: number, G: number, g0: number, gCount: number, kept: Ptr, work: Ptr, dst: Ptr): void;
  conv_gemm_bwd_groups(src: Ptr, weight: Ptr, dy: Ptr, y: Ptr, act: number, slope: number, C: number, H: number, W: number,
                       kH: number, kW: number, padH: number, padW: number, strideH: number, strideW: number, dilH: number, dilW: number,
                       outH: number, outW: number, O: number, N: number, G: number, g0: number, gCount: number, kept: Ptr, work: Ptr,
                       dx: Ptr, partialW: Ptr, partialB: Ptr, transW: number): void;
  // pool.ts (NC planes per call; idx: int32 argmax per output)
  pool_out_size(inSize: number, k: number, pad: number, stride: number, dil: number, ceilMode: Bool): number;
  pool_max2d_fwd(src: Ptr, NC: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                 strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dst: Ptr, idx: Ptr): void;
  pool_max2d_bwd(dy: Ptr, idx: Ptr, NC: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number,
                 strideH: number, strideW: number, dilH: number, dilW: number, outH: number, outW: number, dx: Ptr): void;
  pool_avg2d_fwd(src: Ptr, NC: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number, strideH: number, strideW: number,
                 outH: number, outW: number, countIncludePad: Bool, divisorOverride: number, dst: Ptr): void;
  pool_avg2d_bwd(dy: Ptr, NC: number, H: number, W: number, kH: number, kW: number, padH: number, padW: number, strideH: number, strideW: number,
                 outH: number, outW: number, countIncludePad: Bool, divisorOverride: number, dx: Ptr): void;
  pool_adaptive_avg2d_fwd(src: Ptr, NC: number, H: number, W: number, outH: number, outW: number, dst: Ptr): void;
  pool_adaptive_avg2d_bwd(dy: Ptr, NC: number, H: number, W: number, outH: number, outW: number, dx: Ptr): void;
  // rnn.ts, Elman RNN and GRU (one time step for the whole batch; gates in PyTorch's order)
  rnn_elman_fwd(gi: Ptr, gh: Ptr, B: number, H: number, relu: Bool, h: Ptr): void;
  rnn_elman_bwd(dh: Ptr, h: Ptr, B: number, H: number, relu: Bool, dpre: Ptr): void;
  rnn_gru_fwd(gi: Ptr, gh: Ptr, hPrev: Ptr, B: number, H: number, saved: Ptr, h: Ptr): void;
  rnn_gru_bwd(dh: Ptr, saved: Ptr, hPrev: Ptr, B: number, H: number, dgi: Ptr, dgh: Ptr, dhPrev: Ptr): void;
  // rnn.ts, LSTM over a whole sequence (rows [r0, r0+rows) of the batch through every step)
  rnn_lstm_packed_bytes(H: number): number;
  rnn_lstm_pack_fwd(whh: Ptr, H: number, dst: Ptr): void;
  rnn_lstm_pack_bwd(whh: Ptr, H: number, dst: Ptr): void;
  rnn_lstm_seq_fwd(T: number, B: number, r0: number, rows: number, H: number, reverse: Bool,
                   gi: Ptr, whhPacked: Ptr, bhh: Ptr, states: Ptr, work: Ptr): void;
  rnn_lstm_seq_bwd(T: number, B: number, r0: number, rows: number, H: number, reverse: Bool, gates: Ptr, states: Ptr,
                   gStates: Ptr, whhPacked: Ptr, dgates: Ptr, dh: Ptr, dc: Ptr, work: Ptr): void;
}

/**
 * Every export's parameter count, keyed by the interface: a kernel missing here, an extra name or a
 * count that differs from its signature does not compile, and the test holds the wasm to this list.
 */
export const KERNEL_ARITY: { readonly [K in keyof Kernels]: Parameters<Kernels[K]>['length'] } = {
  heap_base: 0, build_flags: 0,
  rng_seed: 2, rng_get_state: 1, rng_set_state: 1, rng_uniform: 4, rng_normal: 4, rng_bernoulli: 3, rng_bernoulli_scalar: 4,
  rng_randint: 4, rng_shuffle_i32: 2,
  ew_unary: 6, ew_unary_backward: 8, ew_binary: 6, ew_copy_strided: 4, ew_fill: 3, ew_fill_i32: 3, ew_arange: 4,
  ew_cast_i32_f32: 3, ew_cast_f32_i32: 3, ew_axpy: 4, ew_where: 5, ew_index_select: 7, ew_index_add: 7, ew_gather: 7,
  ew_scatter_add: 7, ew_count_nonfinite: 2, ew_linear_act_backward: 8, ew_copy_2d: 6,
  red_sum: 6, red_max: 7, red_softmax: 6, red_softmax_backward: 7, red_nll: 8, red_nll_backward: 8, red_nll_weight_sum: 4,
  red_sumsq: 2, red_absmax: 2,
  norm_layer_fwd: 9, norm_layer_bwd: 14,
  emb_renorm: 6,
  gemm_workspace_bytes: 3, gemm: 17, gemm_packed_b_bytes: 2, gemm_pack_b: 6, gemm_prepacked: 15,
  opt_sgd: 9, opt_adam: 16, opt_rmsprop: 13, opt_adagrad: 8, opt_sum_abs_pow: 3,
  rbm_sq_err: 3, rbm_bias_velocity: 7, rbm_add_inplace: 3, rbm_count_outside_unit: 2, rbm_sigmoid: 2,
  rbm_softmax_visible: 9,
  rsm_hidden: 7, rsm_sample_visible: 6,
  conv_im2col: 16, conv_im2col_images: 18, conv_col2im: 16, conv_col2im_images: 18, conv_scatter_nchw: 7,
  conv_gather_act_backward: 12, conv_depthwise_fwd: 17, conv_depthwise_bwd_input: 16, conv_depthwise_bwd_weight: 16,
  conv_depthwise_fwd_images: 20, conv_depthwise_bwd_input_images: 19, conv_depthwise_bwd_weight_images: 19,
  conv_single_work_floats: 5, conv_single_fwd_images: 18, conv_single_bwd_weight: 20,
  conv_gemm_work_bytes: 4, conv_gemm_fwd_groups: 26, conv_gemm_bwd_groups: 30,
  pool_out_size: 6, pool_max2d_fwd: 16, pool_max2d_bwd: 16, pool_avg2d_fwd: 15, pool_avg2d_bwd: 15,
  pool_adaptive_avg2d_fwd: 7, pool_adaptive_avg2d_bwd: 7,
  rnn_elman_fwd: 6, rnn_elman_bwd: 6, rnn_gru_fwd: 7, rnn_gru_bwd: 8,
  rnn_lstm_packed_bytes: 1, rnn_lstm_pack_fwd: 3, rnn_lstm_pack_bwd: 3, rnn_lstm_seq_fwd: 11, rnn_lstm_seq_bwd: 14,
};
