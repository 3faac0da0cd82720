// Contrastive divergence (CD-k) and persistent CD for RBMs, written straight against the kernels:
// a training step is a handful of GEMMs with fused bias + sigmoid epilogues, the seeded Bernoulli
// sampler, and in-place parameter updates; it records nothing on the autograd tape and allocates
// nothing once its workspace exists.
//
// For a batch of B rows, the positive statistics (v0, P(h|v0)) and the negative ones (vₖ, P(h|vₖ))
// are stacked as V2 = [v0; vₖ] [2B, V] and P2 = [P(h|v0); P(h|vₖ)] [2B, H]; after scaling P2's halves
// by +lr/B and -lr/B, the whole weight gradient is one GEMM  W ← β·W + P2ᵀ·V2  (or into the velocity
// when there is momentum).
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { gemm, type Mat } from '../ops/matmul.js';
import { BiasKind, Unary } from '../runtime/protocol.js';
import { DataLoader, TensorDataset } from '../data/index.js';
import type { RBM } from './rbm.js';
import { checkSteps } from './rbm.js';
import { checkOptions, type ArgSpec } from '../options.js';

export interface CDOptions {
  /** Learning rate (default 0.1). */
  lr?: number;
  /** Momentum of the parameter velocities (default 0). */
  momentum?: number;
  /** L2 penalty on the weights (not the biases), default 0. */
  weightDecay?: number;
  /** Gibbs steps in the negative phase (default 1: CD-1). */
  k?: number;
  /** Persistent CD (Tieleman 2008): the negative chains carry over between updates (default false). */
  persistent?: boolean;
}

export interface FitOptions extends CDOptions {
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Mini-batch size when `data` is a Tensor or Dataset (default 64). */
  batchSize?: number;
  /** Reshuffle every epoch when `data` is a Tensor or Dataset (default true). */
  shuffle?: boolean;
  /** Rows used to estimate the pseudo-likelihood after every epoch (default 1000; 0 turns it off). */
  pseudoLikelihoodSamples?: number;
  /** Called after every epoch. */
  onEpoch?: (stats: EpochStats) => void;
  /** Print one progress line per epoch to the console (default false). */
  verbose?: boolean;
}

// Option names, checked (src/options.ts): fit's are the trainer's plus the loop's.
const CD_KEYS = ['lr', 'momentum', 'weightDecay', 'k', 'persistent'];
const CD_TYPES = { persistent: 'boolean', shuffle: 'boolean', verbose: 'boolean', onEpoch: 'function' } as const;
const CD_ARGS: ArgSpec = { op: 'ContrastiveDivergence', keywords: CD_KEYS, types: CD_TYPES };
/** @internal */
export const FIT_KEYS = [...CD_KEYS, 'epochs', 'batchSize', 'shuffle', 'pseudoLikelihoodSamples', 'onEpoch', 'verbose'];
const FIT_ARGS: ArgSpec = { op: 'RBM.fit', keywords: FIT_KEYS, types: CD_TYPES };
const STEP_ARGS: ArgSpec = { op: 'ContrastiveDivergence.step', keywords: ['validate'], types: { validate: 'boolean' } };

export interface EpochStats {
  epoch: number;
  epochs: number;
  /** Mean squared error per visible unit between the batch and its reconstruction P(v | h ~ P(h | v)). */
  reconstructionError: number;
  /** Mean log pseudo-likelihood per row (scikit-learn's definition); NaN for Gaussian visible units or when turned off. */
  pseudoLikelihood: number;
  samplesPerSecond: number;
  seconds: number;
}

function checkNumber(v: unknown, what: string, min: number, op: string, maxExclusive = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v >= maxExclusive) {
    throw new Error(`${op}: ${what} must be a finite number in [${min}, ${maxExclusive === Infinity ? '∞' : maxExclusive}), got ${v}`);
  }
  return v;
}

// Kept (never auto-released) buffers owned by a trainer.
function buffer(shape: number[]): Tensor {
  return Tensor._empty(shape, 'float32').keep();
}

const rowMajor = (ptr: number, rows: number, cols: number): Mat => ({ ptr, rows, cols, trans: 0, ld: cols });

export class ContrastiveDivergence {
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly k: number;
  readonly persistent: boolean;
  private capacity = 0;
  private V2: Tensor | null = null;  // [2B, V] positive rows, then negative rows
  private P2: Tensor | null = null;  // [2B, H] hidden probabilities for V2's rows
  private hs: Tensor | null = null;  // [B, H] hidden sample
  private vs: Tensor | null = null;  // [B, V] visible sample (k > 1 chains)
  private chains: Tensor | null = null; // [B, V] persistent negative particles
  private velW: Tensor | null = null;
  private velB: Tensor;
  private velC: Tensor;

  constructor(readonly model: RBM, opts: CDOptions = {}) {
    const op = 'ContrastiveDivergence';
    checkOptions(CD_ARGS, opts);
    this.lr = checkNumber(opts.lr ?? 0.1, 'lr', 0, op);
    this.momentum = checkNumber(opts.momentum ?? 0, 'momentum', 0, op, 1);
    this.weightDecay = checkNumber(opts.weightDecay ?? 0, 'weightDecay', 0, op);
    this.k = checkSteps(opts.k ?? 1, op);
    this.persistent = !!opts.persistent;
    this.velB = buffer([model.nVisible]).fill_(0);
    this.velC = buffer([model.nHidden]).fill_(0);
    if (this.momentum > 0) this.velW = buffer([model.nHidden, model.nVisible]).fill_(0);
  }

  private reserve(B: number): void {
    if (B <= this.capacity) return;
    const { nVisible: V, nHidden: H } = this.model;
    for (const t of [this.V2, this.P2, this.hs, this.vs]) t?.dispose();
    this.V2 = buffer([2 * B, V]);
    this.P2 = buffer([2 * B, H]);
    this.hs = buffer([B, H]);
    this.vs = buffer([B, V]);
    this.capacity = B;
  }

  // out[rows, H] = σ(x·Wᵀ + c) (no σ for Gaussian hidden units). The bias rides in the GEMM epilogue;
  // the sigmoid is a separate SIMD pass, cheaper than the epilogue's per-element scalar exp.
  private up(x: number, rows: number, out: number): void {
    const { nVisible: V, nHidden: H, weight, hiddenBias, hiddenType } = this.model;
    gemm(rowMajor(x, rows, V), { ptr: weight.ptr('RBM'), rows: V, cols: H, trans: 1, ld: V }, out, H, 0,
      { bias: hiddenBias.ptr('RBM'), biasKind: BiasKind.perColumn });
    if (hiddenType === 'bernoulli') backend.k.rbm_sigmoid(out, rows * H);
  }

  // out[rows, V] = σ(h·W + b) (no σ for Gaussian visible units).
  private down(h: number, rows: number, out: number): void {
    const { nVisible: V, nHidden: H, weight, visibleBias, visibleType } = this.model;
    gemm(rowMajor(h, rows, H), rowMajor(weight.ptr('RBM'), H, V), out, V, 0,
      { bias: visibleBias.ptr('RBM'), biasKind: BiasKind.perColumn });
    if (visibleType === 'bernoulli') backend.k.rbm_sigmoid(out, rows * V);
  }

  private draw(mean: number, out: number, n: number, gaussian: boolean): void {
    const k = backend.k;
    if (gaussian) { k.rng_normal(out, n, 0, 1); k.rbm_add_inplace(out, mean, n); }
    else k.rng_bernoulli(mean, out, n);
  }

  /**
   * One CD-k (or PCD-k) update from a mini-batch v0 [B, nVisible]. Returns the batch's
   * reconstruction error (mean squared error per visible unit of P(v | h ~ P(h | v0))).
   */
  step(v0: Tensor, opts: { validate?: boolean } = {}): number {
    checkOptions(STEP_ARGS, opts);
    const model = this.model;
    if (!(v0 instanceof Tensor) || v0.ndim !== 2 || v0.shape[1] !== model.nVisible) {
      throw new Error(`ContrastiveDivergence.step: expected a batch of shape [B, ${model.nVisible}], got ${v0 instanceof Tensor ? `shape [${v0.shape}]` : typeof v0}`);
    }
    if (opts.validate !== false) model.checkVisible(v0, 'fit');
    const B = v0.shape[0];
    if (B === 0) return NaN;
    const { nVisible: V, nHidden: H } = model;
    this.reserve(B);
    const k = backend.k;
    const V2 = this.V2!.ptr(), P2 = this.P2!.ptr(), hs = this.hs!.ptr(), vs = this.vs!.ptr();
    const vNeg = V2 + B * V * 4, pNeg = P2 + B * H * 4;
    const gV = model.visibleType === 'gaussian', gH = model.hiddenType === 'gaussian';
    const src = v0.contiguous();
    k.ew_copy_2d(src.ptr(), V, V2, V, B, V);
    if (src !== v0) src.dispose();

    // Positive phase and the first reconstruction.
    this.up(V2, B, P2);
    this.draw(P2, hs, B * H, gH);
    this.down(hs, B, vNeg);
    const err = k.rbm_sq_err(V2, vNeg, B * V) / (B * V);

    // Negative phase: CD continues from the reconstruction, PCD from its persistent chains.
    let start = 1;
    if (this.persistent) {
      if (!this.chains || this.chains.shape[0] < B) {
        this.chains?.dispose();
        this.chains = buffer([B, V]);
        this.draw(vNeg, this.chains.ptr(), B * V, gV); // chains start at samples near the data
      }
      k.ew_copy_2d(this.chains.ptr(), V, vs, V, B, V);
      start = 0;
    } else if (this.k > 1) {
      this.draw(vNeg, vs, B * V, gV);
    }
    for (let s = start; s < this.k; s++) {
      this.up(vs, B, pNeg);
      this.draw(pNeg, hs, B * H, gH);
      this.down(hs, B, vNeg);
      if (s < this.k - 1) this.draw(vNeg, vs, B * V, gV);
    }
    if (this.persistent) this.draw(vNeg, this.chains!.ptr(), B * V, gV);
    this.up(vNeg, B, pNeg);
    this.apply(B);
    return err;
  }

  /**
   * The parameter update from positive data v0 and negative particles vNeg (what step() does after
   * running its chains), for custom samplers: with P = P(h | ·),
   *   velocity ← momentum·velocity + lr·((P(v0)ᵀv0 - P(vNeg)ᵀvNeg)/B - weightDecay·W), W ← W + velocity,
   * and the same without weight decay for the biases (means of v0 - vNeg and P(v0) - P(vNeg)).
   */
  update(v0: Tensor, vNeg: Tensor): void {
    const model = this.model;
    for (const [t, name] of [[v0, 'v0'], [vNeg, 'vNeg']] as const) {
      if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[1] !== model.nVisible || t.shape[0] !== v0.shape[0]) {
        throw new Error(`ContrastiveDivergence.update: ${name} must have shape [${v0.shape?.[0] ?? 'B'}, ${model.nVisible}], got ${t instanceof Tensor ? `[${t.shape}]` : typeof t}`);
      }
    }
    const B = v0.shape[0];
    if (B === 0) return;
    const { nVisible: V, nHidden: H } = model;
    this.reserve(B);
    const k = backend.k;
    const V2 = this.V2!.ptr(), P2 = this.P2!.ptr();
    for (const [t, at] of [[v0, V2], [vNeg, V2 + B * V * 4]] as const) {
      const c = t.contiguous();
      k.ew_copy_2d(c.ptr(), V, at, V, B, V);
      if (c !== t) c.dispose();
    }
    this.up(V2, 2 * B, P2);
    this.apply(B);
  }

  // Applies the update from the statistics in V2 and P2 (B positive rows, then B negative rows).
  private apply(B: number): void {
    const model = this.model;
    const { nVisible: V, nHidden: H } = model;
    const k = backend.k;
    const V2 = this.V2!.ptr(), P2 = this.P2!.ptr();
    const scale = this.lr / B, m = this.momentum;
    // An in-place update of the parameters (leaves): versions bump, like an optimizer step's.
    const [W, b, c] = noGrad(() => [model.weight, model.visibleBias, model.hiddenBias].map((p) => p._writePtr('RBM')));
    // Biases first, from the unscaled statistics.
    k.rbm_bias_velocity(this.velB.ptr(), V2, V2 + B * V * 4, B, V, scale, m);
    k.ew_axpy(b, this.velB.ptr(), V, 1);
    k.rbm_bias_velocity(this.velC.ptr(), P2, P2 + B * H * 4, B, H, scale, m);
    k.ew_axpy(c, this.velC.ptr(), H, 1);
    // Signed, scaled hidden statistics; then one GEMM for the whole weight gradient.
    k.ew_unary(Unary.mulScalar, P2, P2, B * H, scale, 0);
    k.ew_unary(Unary.mulScalar, P2 + B * H * 4, P2 + B * H * 4, B * H, -scale, 0);
    const P2t: Mat = { ptr: P2, rows: H, cols: 2 * B, trans: 1, ld: H };
    if (this.velW) {
      const vel = this.velW.ptr();
      gemm(P2t, rowMajor(V2, 2 * B, V), vel, V, m);
      if (this.weightDecay) k.ew_axpy(vel, W, H * V, -this.lr * this.weightDecay);
      k.ew_axpy(W, vel, H * V, 1);
    } else {
      gemm(P2t, rowMajor(V2, 2 * B, V), W, V, 1 - this.lr * this.weightDecay);
    }
  }

  /** Frees the workspace, chains and velocities. */
  dispose(): void {
    for (const t of [this.V2, this.P2, this.hs, this.vs, this.chains, this.velW, this.velB, this.velC]) t?.dispose();
    this.V2 = this.P2 = this.hs = this.vs = this.chains = this.velW = null;
    this.capacity = 0;
  }
}

// Accepts a [N, V] tensor, a Dataset (wrapped in a DataLoader) or anything iterable yielding
// batches (a DataLoader): a Tensor or an array whose first element is the input Tensor.
function batchesOf(data: unknown, opts: FitOptions, op: string): { loader: Iterable<unknown>; whole: Tensor | null } {
  const batchSize = opts.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${batchSize}`);
  const shuffle = opts.shuffle ?? true;
  if (data instanceof Tensor) {
    if (data.ndim !== 2) throw new Error(`${op}: expected data of shape [N, features], got [${data.shape}]`);
    return { loader: new DataLoader(new TensorDataset(data), { batchSize, shuffle }), whole: data };
  }
  if (data && typeof data === 'object' && typeof (data as any)[Symbol.iterator] === 'function') return { loader: data as Iterable<unknown>, whole: null };
  if (data && typeof data === 'object' && typeof (data as any).length === 'number' && typeof (data as any).get === 'function') {
    return { loader: new DataLoader(data as any, { batchSize, shuffle }), whole: null };
  }
  throw new Error(`${op}: data must be a Tensor [N, features], a Dataset or a DataLoader, got ${data === null ? 'null' : typeof data}`);
}

function inputOf(batch: unknown, op: string): Tensor {
  const x = Array.isArray(batch) ? batch[0] : batch;
  if (!(x instanceof Tensor)) throw new Error(`${op}: each batch must be a Tensor or [Tensor, ...], got ${typeof x}`);
  return x;
}

/** The training loop behind RBM.fit. */
export function fitRBM(model: RBM, data: unknown, opts: FitOptions): EpochStats[] {
  const op = 'RBM.fit';
  checkOptions(FIT_ARGS, opts);
  const epochs = opts.epochs ?? 10;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${op}: epochs must be a non-negative integer, got ${epochs}`);
  const plRows = opts.pseudoLikelihoodSamples ?? 1000;
  const { loader, whole } = batchesOf(data, opts, op);
  // Whole tensors are validated once; batches from a user's loader one by one.
  if (whole) model.checkVisible(whole, 'fit');
  const { lr, momentum, weightDecay, k, persistent } = opts;
  const trainer = new ContrastiveDivergence(model, { lr, momentum, weightDecay, k, persistent });
  const history: EpochStats[] = [];
  let plSet: Tensor | null = null;
  const plParts: Tensor[] = [];
  let plCount = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      let errSum = 0, rows = 0;
      for (const batch of loader) {
        const x = inputOf(batch, op);
        if (x.ndim !== 2) throw new Error(`${op}: expected batches of shape [B, ${model.nVisible}], got [${x.shape}]`);
        errSum += trainer.step(x, { validate: !whole }) * x.shape[0];
        rows += x.shape[0];
        // The pseudo-likelihood is estimated on the first rows seen (a fixed set from then on).
        if (!whole && plCount < plRows && model.visibleType === 'bernoulli') {
          const take = Math.min(plRows - plCount, x.shape[0]);
          plParts.push(x.narrow(0, 0, take).contiguous().clone().keep());
          plCount += take;
        }
        if (loader instanceof DataLoader) disposeBatch(batch);
      }
      const seconds = (performance.now() - t0) / 1000;
      if (!plSet && plRows > 0 && model.visibleType === 'bernoulli') {
        if (whole) plSet = whole.narrow(0, 0, Math.min(plRows, whole.shape[0]));
        else if (plParts.length) plSet = plParts.length === 1 ? plParts[0] : concatRows(plParts);
      }
      const pl = plSet ? meanOf(model.pseudoLikelihood(plSet)) : NaN;
      const stats: EpochStats = {
        epoch, epochs, reconstructionError: rows ? errSum / rows : NaN, pseudoLikelihood: pl,
        samplesPerSecond: rows / seconds, seconds,
      };
      history.push(stats);
      if (opts.verbose) {
        console.log(`RBM ${model.nVisible}x${model.nHidden} epoch ${epoch}/${epochs}  reconstruction error ${stats.reconstructionError.toFixed(5)}` +
          `  pseudo-likelihood ${Number.isNaN(pl) ? '-' : pl.toFixed(3)}  ${Math.round(stats.samplesPerSecond)} samples/s`);
      }
      opts.onEpoch?.(stats);
    }
  } finally {
    trainer.dispose();
    for (const t of plParts) t.dispose();
    if (plSet && !plParts.includes(plSet) && plSet !== whole) plSet.dispose();
  }
  return history;
}

function concatRows(parts: Tensor[]): Tensor {
  const V = parts[0].shape[1];
  const n = parts.reduce((a, t) => a + t.shape[0], 0);
  const out = buffer([n, V]);
  let row = 0;
  for (const t of parts) { backend.k.ew_copy_2d(t.ptr(), V, out.ptr() + row * V * 4, V, t.shape[0], V); row += t.shape[0]; }
  return out;
}

function meanOf(t: Tensor): number {
  const m = t.mean();
  const v = m.item();
  m.dispose(); t.dispose();
  return v;
}

// A DataLoader makes fresh batch tensors for every step (nothing else holds them); batches from
// other iterables belong to the caller and are left alone.
function disposeBatch(batch: unknown): void {
  if (batch instanceof Tensor) batch.dispose();
  else if (Array.isArray(batch)) for (const t of batch) if (t instanceof Tensor) t.dispose();
}

