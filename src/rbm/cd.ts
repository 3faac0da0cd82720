// Contrastive divergence (CD-k) and persistent CD for RBMs: the trainer (options, workspace,
// chains) and RBM.fit's loop. The step itself is a handful of fused kernels behind src/ops/rbm.ts; it
// records nothing on the autograd tape and allocates nothing once its workspace exists.
import { Tensor } from '../tensor.js';
import { cdStep, cdUpdate, type CdWorkspace } from '../ops/rbm.js';
import { concat } from '../ops/join.js';
import { DataLoader, TensorDataset } from '../data/index.js';
import type { RBM } from './rbm.js';
import { checkSteps } from './checks.js';
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
    this.reserve(B);
    let fresh = false;
    if (this.persistent && (!this.chains || this.chains.shape[0] < B)) {
      this.chains?.dispose();
      this.chains = buffer([B, model.nVisible]);
      fresh = true;
    }
    return cdStep(model, this.workspace(), this, v0, this.k, this.persistent ? this.chains : null, fresh);
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
    if (v0.shape[0] === 0) return;
    this.reserve(v0.shape[0]);
    cdUpdate(model, this.workspace(), this, v0, vNeg);
  }

  private workspace(): CdWorkspace {
    return { V2: this.V2!, P2: this.P2!, hs: this.hs!, vs: this.vs!, velB: this.velB, velC: this.velC, velW: this.velW };
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
  return concat(parts, 0).keep();
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

