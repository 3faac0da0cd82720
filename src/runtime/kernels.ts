// The typed surface of the wasm module's exports (assembly/index.ts). Pointers are byte offsets.
type Ptr = number;
export interface Kernels {
  heap_base(): Ptr;
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
  gemm(transA: number, transB: number, M: number, N: number, K: number, A: Ptr, lda: number, B: Ptr, ldb: number,
       C: Ptr, ldc: number, beta: number, bias: Ptr, biasKind: number, act: number, actParam: number, work: Ptr): void;
  gemm_packed_b_bytes(N: number, K: number): number;
  gemm_pack_b(transB: number, N: number, K: number, B: Ptr, ldb: number, dst: Ptr): void;
  gemm_prepacked(transA: number, M: number, N: number, K: number, A: Ptr, lda: number, packedB: Ptr,
                 C: Ptr, ldc: number, beta: number, bias: Ptr, biasKind: number, act: number, actParam: number, work: Ptr): void;
  // optim.ts (flag bits in src/optim/flags.ts)
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
  rbm_softmax_visible(mode: number, act: Ptr, ratings: Ptr, u: Ptr, out: Ptr, expect: Ptr, rows: number, items: number, K: number): number;
  // rsm.ts (Replicated Softmax)
  rsm_hidden(x: Ptr, c: Ptr, len: Ptr, rows: number, H: number, beta: number, sigm: number): void;
  rsm_sample_visible(logits: Ptr, len: Ptr, counts: Ptr, scratch: Ptr, rows: number, V: number): void;
  // conv.ts, pool.ts, rnn.ts, optim.ts: typed where they are used (see src/ops/conv*.ts etc.)
  [name: string]: any;
}
