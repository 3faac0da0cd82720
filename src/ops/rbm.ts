// The RBM's fused kernels behind Tensors: contrastive divergence (src/rbm/cd.ts) runs as a handful
// of GEMMs with bias epilogues, SIMD sigmoids, the seeded samplers and in-place parameter updates,
// recording nothing on the autograd tape. The trainer owns its workspace tensors and passes them in.
//
// For a batch of B rows, the positive statistics (v0, P(h|v0)) and the negative ones (vₖ, P(h|vₖ))
// are stacked as V2 = [v0; vₖ] [2B, V] and P2 = [P(h|v0); P(h|vₖ)] [2B, H]; after scaling P2's halves
// by +lr/B and -lr/B, the whole weight gradient is one GEMM  W ← β·W + P2ᵀ·V2  (or into the velocity
// when there is momentum).
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { noGrad } from '../autograd/grad-mode.js';
import { gemm, type Mat } from './matmul.js';
import { BiasKind, SoftmaxVisibleMode, Unary, type SoftmaxVisibleModeName } from '../runtime/protocol.js';
import { empty, rand } from './creation.js';
import { reduceContiguous } from './scalar-reductions.js';

/** The model as the kernels see it. */
export interface RbmParams {
  nVisible: number;
  nHidden: number;
  weight: Tensor;        // [H, V]
  visibleBias: Tensor;   // [V]
  hiddenBias: Tensor;    // [H]
  visibleType: 'bernoulli' | 'gaussian';
  hiddenType: 'bernoulli' | 'gaussian';
}

/** A trainer's buffers, all contiguous and at least as large as the batch asks. */
export interface CdWorkspace {
  V2: Tensor;   // [2·cap, V] positive rows, then negative rows
  P2: Tensor;   // [2·cap, H] hidden probabilities for V2's rows
  hs: Tensor;   // [cap, H] hidden sample
  vs: Tensor;   // [cap, V] visible sample (k > 1 chains)
  velB: Tensor; // [V]
  velC: Tensor; // [H]
  velW: Tensor | null; // [H, V] with momentum
}

export interface CdHyper { lr: number; momentum: number; weightDecay: number }

const rowMajor = (ptr: number, rows: number, cols: number): Mat => ({ ptr, rows, cols, trans: 0, ld: cols });

// out[rows, H] = σ(x·Wᵀ + c) (no σ for Gaussian hidden units). The bias rides in the GEMM epilogue;
// the sigmoid is a separate SIMD pass, cheaper than the epilogue's per-element scalar exp.
function up(m: RbmParams, x: number, rows: number, out: number): void {
  const { nVisible: V, nHidden: H } = m;
  gemm(rowMajor(x, rows, V), { ptr: m.weight.ptr('RBM'), rows: V, cols: H, trans: 1, ld: V }, out, H, 0,
    { bias: m.hiddenBias.ptr('RBM'), biasKind: BiasKind.perColumn });
  if (m.hiddenType === 'bernoulli') backend.k.rbm_sigmoid(out, rows * H);
}

// out[rows, V] = σ(h·W + b) (no σ for Gaussian visible units).
function down(m: RbmParams, h: number, rows: number, out: number): void {
  const { nVisible: V, nHidden: H } = m;
  gemm(rowMajor(h, rows, H), rowMajor(m.weight.ptr('RBM'), H, V), out, V, 0,
    { bias: m.visibleBias.ptr('RBM'), biasKind: BiasKind.perColumn });
  if (m.visibleType === 'bernoulli') backend.k.rbm_sigmoid(out, rows * V);
}

function draw(mean: number, out: number, n: number, gaussian: boolean): void {
  const k = backend.k;
  if (gaussian) { k.rng_normal(out, n, 0, 1); k.rbm_add_inplace(out, mean, n); }
  else k.rng_bernoulli(mean, out, n);
}

/**
 * Runs CD-k (or PCD-k from `chains`) on v0 [B, V] and applies the update. `chains`, when given, is
 * [B, V]: `freshChains` starts it from samples near the data first. Returns the batch's
 * reconstruction error (mean squared error per visible unit of P(v | h ~ P(h | v0))).
 */
export function cdStep(m: RbmParams, ws: CdWorkspace, hyper: CdHyper, v0: Tensor, k: number,
                       chains: Tensor | null, freshChains: boolean): number {
  const B = v0.shape[0];
  const { nVisible: V, nHidden: H } = m;
  const kk = backend.k;
  const V2 = ws.V2.ptr(), P2 = ws.P2.ptr(), hs = ws.hs.ptr(), vs = ws.vs.ptr();
  const vNeg = V2 + B * V * 4, pNeg = P2 + B * H * 4;
  const gV = m.visibleType === 'gaussian', gH = m.hiddenType === 'gaussian';
  const src = v0.contiguous();
  kk.ew_copy_2d(src.ptr(), V, V2, V, B, V);
  if (src !== v0) src.dispose();

  // Positive phase and the first reconstruction.
  up(m, V2, B, P2);
  draw(P2, hs, B * H, gH);
  down(m, hs, B, vNeg);
  const err = kk.rbm_sq_err(V2, vNeg, B * V) / (B * V);

  // Negative phase: CD continues from the reconstruction, PCD from its persistent chains.
  let start = 1;
  if (chains) {
    if (freshChains) draw(vNeg, chains.ptr(), B * V, gV); // chains start at samples near the data
    kk.ew_copy_2d(chains.ptr(), V, vs, V, B, V);
    start = 0;
  } else if (k > 1) {
    draw(vNeg, vs, B * V, gV);
  }
  for (let s = start; s < k; s++) {
    up(m, vs, B, pNeg);
    draw(pNeg, hs, B * H, gH);
    down(m, hs, B, vNeg);
    if (s < k - 1) draw(vNeg, vs, B * V, gV);
  }
  if (chains) draw(vNeg, chains.ptr(), B * V, gV);
  up(m, vNeg, B, pNeg);
  apply(m, ws, hyper, B);
  return err;
}

/** The update from positive data v0 and negative particles vNeg, both [B, V] (for custom samplers). */
export function cdUpdate(m: RbmParams, ws: CdWorkspace, hyper: CdHyper, v0: Tensor, vNeg: Tensor): void {
  const B = v0.shape[0];
  const V = m.nVisible;
  const V2 = ws.V2.ptr();
  for (const [t, at] of [[v0, V2], [vNeg, V2 + B * V * 4]] as const) {
    const c = t.contiguous();
    backend.k.ew_copy_2d(c.ptr(), V, at, V, B, V);
    if (c !== t) c.dispose();
  }
  up(m, V2, 2 * B, ws.P2.ptr());
  apply(m, ws, hyper, B);
}

// Applies the update from the statistics in V2 and P2 (B positive rows, then B negative rows).
function apply(m: RbmParams, ws: CdWorkspace, { lr, momentum, weightDecay }: CdHyper, B: number): void {
  const { nVisible: V, nHidden: H } = m;
  const k = backend.k;
  const V2 = ws.V2.ptr(), P2 = ws.P2.ptr();
  const scale = lr / B;
  // An in-place update of the parameters (leaves): versions bump, like an optimizer step's.
  const [W, b, c] = noGrad(() => [m.weight, m.visibleBias, m.hiddenBias].map((p) => p._writePtr('RBM')));
  // Biases first, from the unscaled statistics.
  k.rbm_bias_velocity(ws.velB.ptr(), V2, V2 + B * V * 4, B, V, scale, momentum);
  k.ew_axpy(b, ws.velB.ptr(), V, 1);
  k.rbm_bias_velocity(ws.velC.ptr(), P2, P2 + B * H * 4, B, H, scale, momentum);
  k.ew_axpy(c, ws.velC.ptr(), H, 1);
  // Signed, scaled hidden statistics; then one GEMM for the whole weight gradient.
  k.ew_unary(Unary.mulScalar, P2, P2, B * H, scale, 0);
  k.ew_unary(Unary.mulScalar, P2 + B * H * 4, P2 + B * H * 4, B * H, -scale, 0);
  const P2t: Mat = { ptr: P2, rows: H, cols: 2 * B, trans: 1, ld: H };
  if (ws.velW) {
    const vel = ws.velW.ptr();
    gemm(P2t, rowMajor(V2, 2 * B, V), vel, V, momentum);
    if (weightDecay) k.ew_axpy(vel, W, H * V, -lr * weightDecay);
    k.ew_axpy(W, vel, H * V, 1);
  } else {
    gemm(P2t, rowMajor(V2, 2 * B, V), W, V, 1 - lr * weightDecay);
  }
}

/** How many elements lie outside [0, 1] (Bernoulli visible units must be probabilities). */
export function countOutsideUnit(t: Tensor, op: string): number {
  return reduceContiguous(t, op, (p, n) => backend.k.rbm_count_outside_unit(p, n));
}

/** A draw from units with the given means: Bernoulli(p), or mean + N(0, 1) for Gaussian units. */
export function drawUnitsFrom(mean: Tensor, gaussian: boolean): Tensor {
  const m = mean.contiguous();
  const out = Tensor._empty(m.shape);
  if (out.numel()) {
    const k = backend.k;
    if (!gaussian) k.rng_bernoulli(m.ptr('sample'), out.ptr(), out.numel());
    else { k.rng_normal(out.ptr(), out.numel(), 0, 1); k.rbm_add_inplace(out.ptr(), m.ptr('sample'), out.numel()); }
  }
  if (m !== mean) m.dispose();
  return out;
}

/** A copy of rows [n, V] with unit at[r] of each row r flipped (v -> 1 - v): the pseudo-likelihood's probe. */
export function flipOnePerRow(rows: Tensor, at: ArrayLike<number>): Tensor {
  const flipped = rows.contiguous().clone();
  const V = rows.shape[1];
  const base = flipped.ptr() >> 2, f32 = backend.f32;
  for (let r = 0; r < rows.shape[0]; r++) { const i = base + r * V + at[r]; f32[i] = 1 - f32[i]; }
  return flipped;
}

/**
 * The softmax-visible kernel (src/rbm/softmax-rbm.ts, Salakhutdinov, Mnih & Hinton's CF RBM). ratings: int32 [B, I] (0 = no rating). act: float32
 * [B, I·K] visible pre-activations. 'onehot' encodes the ratings; 'probs' / 'sample' give the softmax
 * (or a one-hot draw from it) on rated items and zeros elsewhere; 'expect' gives the expected rating
 * of every item, [B, I]. Throws on ratings outside 0..K.
 */
export function softmaxVisible(mode: SoftmaxVisibleModeName, act: Tensor | null, ratings: Tensor | null, K: number, op: string): Tensor {
  const ref = (ratings ?? act)!;
  const B = ref.shape[0], I = ratings ? ratings.shape[1] : act!.shape[1] / K;
  const out = Tensor._empty(mode === 'expect' ? [B, I] : [B, I * K]);
  if (B * I === 0) return out;
  const a = act ? act.contiguous() : null;
  const r = ratings ? ratings.contiguous() : null;
  const u = mode === 'sample' ? rand([B, I]) : null;   // one draw per (user, item), rated or not
  const bad = backend.k.rbm_softmax_visible(SoftmaxVisibleMode[mode], a ? a.ptr(op) : 0, r ? r.ptr(op) : 0, u ? u.ptr(op) : 0,
    mode === 'expect' ? 0 : out.ptr(), mode === 'expect' ? out.ptr() : 0, B, I, K);
  if (bad > 0) throw new Error(`${op}: ${bad} ratings are outside 1..${K} (0 marks a missing rating)`);
  return out;
}

// The Replicated Softmax (src/rbm/rsm.ts): its length-scaled hidden step and its word sampler.

/**
 * P(h = 1 | v) at inverse temperature beta from pre = v·Wᵀ [R, H] and lengths [R]: σ(beta·(pre + D c)),
 * or its argument beta·(pre + D c) when `probs` is false. The Replicated Softmax's hidden step (AIS anneals beta).
 */
export function rsmHidden(pre: Tensor, hiddenBias: Tensor, lengths: Tensor, beta = 1, probs = true): Tensor {
  const op = 'rsmHidden';
  const [R, H] = pre.shape;
  if (pre.ndim !== 2 || hiddenBias.numel() !== H || lengths.numel() !== R) {
    throw new Error(`${op}: expected pre [R, H], hiddenBias [H] and lengths [R], got [${pre.shape}], [${hiddenBias.shape}], [${lengths.shape}]`);
  }
  const out = pre.contiguous().clone();
  const c = hiddenBias.contiguous(), d = lengths.contiguous();
  if (out.numel()) backend.k.rsm_hidden(out._writePtr(op), c.ptr(op), d.ptr(op), R, H, beta, probs ? 1 : 0);
  if (c !== hiddenBias) c.dispose();
  if (d !== lengths) d.dispose();
  return out;
}

/** Counts [R, V]: per row, round(lengths[r]) words drawn from softmax(logits[r]) with the seeded generator (manualSeed). */
export function rsmSampleVisible(logits: Tensor, lengths: Tensor): Tensor {
  const op = 'rsmSampleVisible';
  const [R, V] = logits.shape;
  if (logits.ndim !== 2 || lengths.numel() !== R) throw new Error(`${op}: expected logits [R, V] and lengths [R], got [${logits.shape}] and [${lengths.shape}]`);
  const l = logits.contiguous(), d = lengths.contiguous();
  const out = empty([R, V]);
  const scratch = empty([V + 256]);
  if (out.numel()) backend.k.rsm_sample_visible(l.ptr(op), d.ptr(op), out._writePtr(op), scratch._writePtr(op), R, V);
  scratch.dispose();
  if (l !== logits) l.dispose();
  if (d !== lengths) d.dispose();
  return out;
}
