// The collaborative-filtering RBM of Salakhutdinov, Mnih & Hinton (ICML 2007). One RBM per user, all
// sharing their weights: each item the user rated is a K-way softmax visible unit (one column block
// of K weights per item), items the user did not rate have no visible unit at all. A mini-batch of
// users is a dense int32 matrix [B, nItems] holding the rating 1..K, or 0 where there is none; the
// softmax kernel (assembly/softmax-rbm.ts) writes zeros for the absent items' K columns, so they
// reach neither the hidden units nor any gradient.
//
// Free energy of a user's ratings v (one-hot, zero rows for absent items):
//   F(v) = -Σ_ik b_ik v_ik - Σ_j softplus(c_j + Σ_ik W_j,ik v_ik).
// Prediction for (user, item): h = P(h | the user's ratings), p_k = softmax_k(b_ik + Σ_j h_j W_j,ik),
// rating = Σ_k k·p_k (the paper's expected rating).
//
// The conditional RBM (the paper's section 4, `conditional: true`): a binary vector r of the items the
// user rated, including those whose rating is not known (held out, or to be predicted), feeds the
// hidden units through a matrix D [nHidden, nItems], so each user's hidden bias is c + D·r. Which
// items a user rated carries information of its own (people rate what they chose to watch); r is
// observed, never reconstructed, and D's CD statistic is (⟨h⟩_data - ⟨h⟩_model) rᵀ.
//
// Ordinal weights (`ordinal: true`, not in the paper): W_j,ik = B_j,ik + A_j,i·s_k with s_k = (k - (K+1)/2)
// normalised to unit length, so each hidden unit also has one weight per item that tilts the item's
// softmax towards high or low ratings, shared by the K levels (B is `weight`, A `ordinalWeight`). With
// a larger weight decay on B than on A, the K levels of an item no longer each learn 1 weight per
// hidden unit from few ratings; A's CD statistic is W's statistic contracted with s over k.
import { Tensor } from '../tensor.js';
import { softmaxVisible } from '../ops/rbm.js';
import { frame, framed } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { linear, matmul } from '../ops/matmul.js';
import { concat } from '../ops/join.js';
import { bernoulli, empty, rand, tensor, zeros } from '../ops/creation.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Ratings, type UserRows } from '../data/ratings.js';
import { mulberry32 } from '../data/seeded-random.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { checkSize, checkSteps } from './rbm.js';
import { SGD } from '../optim/sgd.js';

/** Ratings by user: a Ratings object, an array indexed by user of [item, rating] pairs, or a Map user -> pairs. */
export type RatingsInput = Ratings | ReadonlyArray<ReadonlyArray<readonly [number, number]>> | ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>;

export interface SoftmaxRBMOptions {
  /** Rating levels K: ratings are integers 1..K (default 5). */
  ratings?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  initStd?: number;
  /** The conditional RBM: which items each user rated (r) feeds the hidden units through `conditionWeight` (default false). */
  conditional?: boolean;
  /** Ordinal weights: W = weight + ordinalWeight ⊗ s, s_k ∝ k - (K+1)/2 of unit length (default false). */
  ordinal?: boolean;
}

/** (user, item) pairs known to be rated, their ratings unknown: a Ratings object (its user and item columns) or { users, items }. */
export type RatedPairs = Ratings | { users: ArrayLike<number>; items: ArrayLike<number> };

/** Learning rates per parameter; a missing entry takes `weight`'s (default 0.05). */
export interface SoftmaxLearningRates { weight?: number; visibleBias?: number; hiddenBias?: number; conditionWeight?: number; ordinalWeight?: number }

export interface SoftmaxFitOptions {
  epochs?: number;
  /** Users per mini-batch (default 20). */
  batchSize?: number;
  /** Learning rate on the batch-mean gradient (default 0.05), or one per parameter. */
  lr?: number | SoftmaxLearningRates;
  momentum?: number;
  weightDecay?: number;
  /** Weight decay of `ordinalWeight` (an ordinal SoftmaxRBM; default: weightDecay). */
  ordinalWeightDecay?: number;
  /** Gibbs steps of CD: a number, or a function of the epoch (1-based), e.g. raising k during training as in the paper. */
  k?: number | ((epoch: number) => number);
  /** Shuffle users every epoch (default true; uses the seeded generator, wg.manualSeed). */
  shuffle?: boolean;
  /** Set the visible biases to the log of each item's smoothed rating frequencies first (default true). */
  initVisibleBias?: boolean;
  /** Conditional RBM: items each user rated beyond the training ratings (e.g. the held-out ones), which r includes. */
  rated?: RatedPairs;
  verbose?: boolean;
  onEpoch?: (stats: SoftmaxEpochStats) => void;
}

export interface SoftmaxEpochStats {
  epoch: number;
  epochs: number;
  k: number;
  /** RMSE between the rated values and the expected rating of their CD reconstruction. */
  reconstructionRmse: number;
  usersPerSecond: number;
  seconds: number;
}

export interface SoftmaxGradientOptions {
  /** Gibbs steps (default 1). */
  k?: number;
  /** false: hidden and intermediate visible states are sampled (CD). true: probabilities throughout (mean-field CD, deterministic). */
  meanField?: boolean;
  /** Conditional RBM: r, float32 [B, nItems], 1 where the user rated the item (default: the batch's rated items). */
  rated?: Tensor;
}

export interface SoftmaxGradients {
  weight: Tensor; visibleBias: Tensor; hiddenBias: Tensor;
  /** The conditional RBM's D statistic [nHidden, nItems] (null for a plain SoftmaxRBM). */
  conditionWeight: Tensor | null;
  /** The ordinal SoftmaxRBM's A statistic [nHidden, nItems]: `weight`'s contracted with s over the K levels (null otherwise). */
  ordinalWeight: Tensor | null;
  reconstruction: Tensor;
}

const RBM_ARGS: ArgSpec = { op: 'SoftmaxRBM', keywords: ['ratings', 'initStd', 'conditional', 'ordinal'], types: { ratings: 'number', initStd: 'number', conditional: 'boolean', ordinal: 'boolean' } };
const FIT_ARGS: ArgSpec = {
  op: 'SoftmaxRBM.fit',
  keywords: ['epochs', 'batchSize', 'lr', 'momentum', 'weightDecay', 'ordinalWeightDecay', 'k', 'shuffle', 'initVisibleBias', 'rated', 'verbose', 'onEpoch'],
  types: { k: ['number', 'function'], lr: ['number', 'object'], rated: 'object', shuffle: 'boolean', initVisibleBias: 'boolean', verbose: 'boolean', onEpoch: 'function' },
};
const GRAD_ARGS: ArgSpec = { op: 'SoftmaxRBM.gradient', keywords: ['k', 'meanField', 'rated'], types: { k: 'number', meanField: 'boolean', rated: 'tensor' } };
const LR_KEYS = ['weight', 'visibleBias', 'hiddenBias', 'conditionWeight', 'ordinalWeight'] as const;

/** Per-user item lists (CSR) of which items each user rated. */
interface RatedRows { rowPtr: Int32Array; items: Int32Array }

export class SoftmaxRBM extends Module {
  readonly nItems: number;
  readonly nHidden: number;
  /** Rating levels K. */
  readonly nRatings: number;
  /** Shape [nHidden, nItems·K]; column i·K + (r - 1) belongs to rating r of item i. */
  weight!: Tensor;
  /** [nItems·K] */
  visibleBias!: Tensor;
  /** [nHidden] */
  hiddenBias!: Tensor;
  /** The conditional RBM's D [nHidden, nItems]: item i rated adds column i to the hidden input (null unless `conditional`). */
  conditionWeight: Tensor | null = null;
  /** The ordinal SoftmaxRBM's A [nHidden, nItems]: adds A_j,i·s_k to W_j,ik (null unless `ordinal`). */
  ordinalWeight: Tensor | null = null;
  readonly conditional: boolean;
  readonly ordinal: boolean;
  /** s: [K], k - (K+1)/2 scaled to unit length (ordinal only). */
  private levelTilt: Tensor | null = null;
  private biasesSet = false;
  private optimizer: SGD | null = null;

  constructor(nItems: number, nHidden: number, opts: SoftmaxRBMOptions = {}) {
    super();
    checkOptions(RBM_ARGS, opts);
    this.nItems = checkSize(nItems, 'nItems', 'SoftmaxRBM');
    this.nHidden = checkSize(nHidden, 'nHidden', 'SoftmaxRBM');
    const K = opts.ratings ?? 5;
    if (!Number.isInteger(K) || K < 2) throw new Error(`SoftmaxRBM: ratings (the number of rating levels K) must be an integer >= 2, got ${K}`);
    this.nRatings = K;
    const std = opts.initStd ?? 0.01;
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`SoftmaxRBM: initStd must be a finite number >= 0, got ${std}`);
    this.weight = new Parameter(empty([nHidden, nItems * K]));
    this.visibleBias = new Parameter(zeros([nItems * K]));
    this.hiddenBias = new Parameter(zeros([nHidden]));
    this.conditional = !!opts.conditional;
    if (this.conditional) this.conditionWeight = new Parameter(zeros([nHidden, nItems]));
    this.ordinal = !!opts.ordinal;
    if (this.ordinal) {
      const c = (K + 1) / 2, norm = Math.sqrt(Array.from({ length: K }, (_, k) => (k + 1 - c) ** 2).reduce((a, b) => a + b, 0));
      this.levelTilt = tensor(Float32Array.from({ length: K }, (_, k) => (k + 1 - c) / norm));
      this.ordinalWeight = new Parameter(empty([nHidden, nItems]));
      noGrad(() => this.ordinalWeight!.normal_(0, std));
    }
    noGrad(() => this.weight.normal_(0, std));
  }

  /** r for a batch: float32 [B, nItems] (checked), or the batch's rated items; null for a plain SoftmaxRBM. */
  private ratedOf(ratings: Tensor, rated: Tensor | undefined, op: string): Tensor | null {
    if (!this.conditional) {
      if (rated !== undefined) throw new Error(`SoftmaxRBM.${op}: rated (r) is for a conditional SoftmaxRBM; this one was built without conditional: true`);
      return null;
    }
    if (rated === undefined) return ratings.gt(0).float();
    if (!(rated instanceof Tensor) || rated.dtype !== 'float32' || rated.ndim !== 2 || rated.shape[0] !== ratings.shape[0] || rated.shape[1] !== this.nItems) {
      throw new Error(`SoftmaxRBM.${op}: rated must be a float32 Tensor [${ratings.shape[0]}, ${this.nItems}] (1 where the user rated the item), got ${rated instanceof Tensor ? `${rated.dtype} [${rated.shape}]` : typeof rated}`);
    }
    return rated;
  }

  /** Each user's hidden bias c + D·r [B, nHidden] for the conditional RBM; null (the shared c) otherwise. */
  private userHiddenBias(rated: Tensor | null): Tensor | null {
    return rated ? linear(rated, this.conditionWeight!, this.hiddenBias) : null;
  }

  /** The weights in use [nHidden, nItems·K]: `weight`, plus ordinalWeight ⊗ s for an ordinal SoftmaxRBM (differentiable). */
  effectiveWeight(): Tensor {
    if (!this.ordinal) return this.weight;
    return this.ordinalWeight!.unsqueeze(-1).mul(this.levelTilt!).reshape([this.nHidden, this.nItems * this.nRatings]).add(this.weight);
  }

  /** The hidden units' input v·Wᵀ + bias, with the per-user bias when there is one. */
  private hiddenInput(v: Tensor, userBias: Tensor | null, W = this.effectiveWeight()): Tensor {
    return userBias ? linear(v, W).add(userBias) : linear(v, W, this.hiddenBias);
  }

  private hiddenUp(v: Tensor, userBias: Tensor | null, W = this.effectiveWeight()): Tensor {
    return userBias ? linear(v, W).add(userBias).sigmoid() : linear(v, W, this.hiddenBias, 'sigmoid');
  }

  /** Checks a batch of users' ratings: int32 [B, nItems], values 0 (missing) or 1..K. */
  private checkBatch(r: Tensor, op: string): void {
    if (!(r instanceof Tensor)) throw new Error(`SoftmaxRBM.${op}: expected an int32 Tensor [users, ${this.nItems}] of ratings (0 = missing), got ${r === null ? 'null' : typeof r}`);
    if (r.dtype !== 'int32' || r.ndim !== 2 || r.shape[1] !== this.nItems) {
      throw new Error(`SoftmaxRBM.${op}: expected an int32 Tensor [users, ${this.nItems}] of ratings 0..${this.nRatings} (0 = missing), got ${r.dtype} [${r.shape}]`);
    }
  }

  /** Features of a batch of users: P(h = 1 | their ratings). */
  forward(ratings: Tensor): Tensor { return noGrad(() => this.hiddenProbs(ratings)); }

  /** One-hot visible layer [B, nItems·K] of a batch of ratings (zeros for missing ratings). */
  visible(ratings: Tensor): Tensor {
    this.checkBatch(ratings, 'visible');
    return softmaxVisible('onehot', null, ratings, this.nRatings, 'SoftmaxRBM.visible');
  }

  /** P(h = 1 | the rated items) [B, nHidden]; `rated` is the conditional RBM's r (default: the batch's rated items). */
  hiddenProbs(ratings: Tensor, rated?: Tensor): Tensor {
    return this.hiddenProbsWith(ratings, rated, this.effectiveWeight());
  }

  // hiddenProbs with the weights in use already formed (expectedRatings reuses them on the way down).
  private hiddenProbsWith(ratings: Tensor, rated: Tensor | undefined, W: Tensor): Tensor {
    return this.hiddenUp(this.visible(ratings), this.userHiddenBias(this.ratedOf(ratings, rated, 'hiddenProbs')), W);
  }

  /** Free energy per user (differentiable in the parameters); missing ratings contribute nothing. Conditional: F(v | r). */
  freeEnergy(ratings: Tensor, rated?: Tensor): Tensor {
    const v = this.visible(ratings);
    const pre = this.hiddenInput(v, this.userHiddenBias(this.ratedOf(ratings, rated, 'freeEnergy')));
    return v.mul(this.visibleBias).sum(-1).neg().sub(pre.softplus().sum(-1));
  }

  /** Expected rating Σ_k k·P(r = k | h) of every item for each user of the batch, [B, nItems]. */
  expectedRatings(ratings: Tensor, rated?: Tensor): Tensor {
    return noGrad(() => {
      const W = this.effectiveWeight();
      const h = this.hiddenProbsWith(ratings, rated, W);
      return softmaxVisible('expect', linear(h, W.t(), this.visibleBias), null, this.nRatings, 'SoftmaxRBM.predict');
    });
  }

  /**
   * The CD-k statistics for a batch: ⟨h vᵀ⟩_data - ⟨h vᵀ⟩_model averaged over the users (and the same
   * for the biases), the model side from k Gibbs steps restricted to each user's rated items. The last
   * reconstruction uses probabilities. `reconstruction` is the last visible layer [B, nItems·K].
   */
  gradient(ratings: Tensor, opts: SoftmaxGradientOptions = {}): SoftmaxGradients {
    checkOptions(GRAD_ARGS, opts);
    this.checkBatch(ratings, 'gradient');
    const k = checkSteps(opts.k ?? 1, 'SoftmaxRBM.gradient');
    const rated = this.ratedOf(ratings, opts.rated, 'gradient');
    return this.statistics(ratings, rated, k, !!opts.meanField, 1 / ratings.shape[0]);
  }

  // The CD statistics times `scale` (1/B: the ascent direction; -1/B: a gradient for an optimizer).
  private statistics(ratings: Tensor, rated: Tensor | null, k: number, mf: boolean, scale: number): SoftmaxGradients {
    const K = this.nRatings, op = 'SoftmaxRBM.gradient';
    return noGrad(() => {
      const v0 = softmaxVisible('onehot', null, ratings, K, op);
      const userBias = this.userHiddenBias(rated);   // r stays fixed through the Gibbs chain
      const W = this.effectiveWeight();
      const p0 = this.hiddenUp(v0, userBias, W);
      let h = mf ? p0 : bernoulli(p0);
      let vNeg = v0, pNeg = p0;
      for (let s = 0; s < k; s++) {
        const act = linear(h, W.t(), this.visibleBias);
        vNeg = softmaxVisible(s < k - 1 && !mf ? 'sample' : 'probs', act, ratings, K, op);
        pNeg = this.hiddenUp(vNeg, userBias, W);
        if (s < k - 1) h = mf ? pNeg : bernoulli(pNeg);
      }
      // One GEMM over the stacked positive and negative statistics, the scale folded into the small side.
      const weight = matmul(concat([p0.mul(scale), pNeg.mul(-scale)], 0).t(), concat([v0, vNeg], 0));
      const hidden = p0.sub(pNeg).mul(scale);
      return {
        weight,
        visibleBias: v0.sub(vNeg).sum(0).mul(scale),
        hiddenBias: hidden.sum(0),
        conditionWeight: rated ? matmul(hidden.t(), rated) : null,
        ordinalWeight: this.ordinal ? weight.reshape([this.nHidden, this.nItems, K]).mul(this.levelTilt!).sum(-1) : null,
        reconstruction: vNeg,
      };
    });
  }

  /**
   * Trains with CD-k on mini-batches of users (SGD with momentum; weight decay on the weights only;
   * the velocity carries over from one call to the next). Every user in `data` needs at least one rating. Returns one SoftmaxEpochStats per epoch.
   */
  fit(data: RatingsInput, opts: SoftmaxFitOptions = {}): SoftmaxEpochStats[] {
    const op = 'SoftmaxRBM.fit';
    checkOptions(FIT_ARGS, opts);
    const rows = this.userRows(data, op, true);
    const nUsers = rows.rowPtr.length - 1;
    const rated = this.ratedRows(rows, opts.rated, op);
    const epochs = opts.epochs ?? 10;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${op}: epochs must be a non-negative integer, got ${epochs}`);
    const batchSize = opts.batchSize ?? 20;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${batchSize}`);
    const lrs = this.learningRates(opts.lr, op), m = opts.momentum ?? 0.9, wd = opts.weightDecay ?? 0.001, owd = opts.ordinalWeightDecay ?? wd;
    if (opts.ordinalWeightDecay !== undefined && !this.ordinal) throw new Error(`${op}: ordinalWeightDecay is for an ordinal SoftmaxRBM; this one was built without ordinal: true`);
    for (const [name, v, hi] of [['momentum', m, 1], ['weightDecay', wd, Infinity], ['ordinalWeightDecay', owd, Infinity]] as const) {
      if (typeof v !== 'number' || !(v >= 0 && v < hi)) throw new Error(`${op}: ${name} must be a number in [0, ${hi === 1 ? '1)' : '∞)'}, got ${v}`);
    }
    const kOf = (epoch: number) => checkSteps(typeof opts.k === 'function' ? opts.k(epoch) : opts.k ?? 1, op, `k (epoch ${epoch})`);
    if ((opts.initVisibleBias ?? true) && !this.biasesSet) this.setVisibleBias(rows);
    this.biasesSet = true;
    // SGD on the negated CD statistics is the paper's update: velocity ← m·velocity - lr·(∂ + wd·W).
    // One optimizer per model, so the velocity carries over between fit calls (and no momentum
    // buffers are left behind by each call).
    // Groups in LR_KEYS order; weight decay on the weights (W, D and the ordinal A) only.
    const groups = LR_KEYS.map((key) => this[key]);
    if (!this.optimizer) {
      this.optimizer = new SGD(groups.filter((p) => p !== null).map((p) => ({ params: [p] })), { lr: lrs.weight, momentum: m });
    }
    const opt = this.optimizer;
    const present = LR_KEYS.filter((_, i) => groups[i] !== null);
    opt.paramGroups.forEach((g, i) => {
      const key = present[i];
      g.lr = lrs[key]; g.momentum = m; g.weightDecay = key === 'weight' || key === 'conditionWeight' ? wd : key === 'ordinalWeight' ? owd : 0;
    });
    const history: SoftmaxEpochStats[] = [];
    const order = Int32Array.from({ length: nUsers }, (_, i) => i);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const k = kOf(epoch);
      if (opts.shuffle ?? true) {
        // Seeded by the library generator, so wg.manualSeed fixes the order.
        const seed = frame(() => rand([1]).item());
        const g = mulberry32(Math.floor(seed * 4294967296));
        for (let i = nUsers - 1; i > 0; i--) { const j = Math.floor(g() * (i + 1)); const t = order[i]; order[i] = order[j]; order[j] = t; }
      }
      let sq = 0, count = 0;
      for (let start = 0; start < nUsers; start += batchSize) {
        const users = order.subarray(start, Math.min(nUsers, start + batchSize));
        const [e, n] = this.trainStep(opt, rows, rated, users, k);
        sq += e; count += n;
      }
      const seconds = (performance.now() - t0) / 1000;
      const stats: SoftmaxEpochStats = { epoch, epochs, k, reconstructionRmse: Math.sqrt(sq / count), usersPerSecond: nUsers / seconds, seconds };
      history.push(stats);
      if (opts.verbose) {
        console.log(`SoftmaxRBM ${this.nItems}x${this.nRatings}x${this.nHidden} epoch ${epoch}/${epochs}  CD-${k}  reconstruction RMSE ${stats.reconstructionRmse.toFixed(4)}  ${Math.round(stats.usersPerSecond)} users/s`);
      }
      opts.onEpoch?.(stats);
    }
    return history;
  }

  // One CD update from a batch through the optimizer (fused momentum and weight decay); returns the
  // squared error of the reconstruction's expected ratings and the number of ratings.
  private trainStep(opt: SGD, rows: UserRows, rated: RatedRows | null, users: ArrayLike<number>, k: number): [number, number] {
    return frame(() => {
      const batch = this.batchOf(rows, users);   // made inside the frame: freed when the step ends
      const g = this.statistics(batch, rated && this.ratedBatch(rated, users), k, false, -1 / batch.shape[0]);
      this.weight.grad = g.weight;
      this.visibleBias.grad = g.visibleBias;
      this.hiddenBias.grad = g.hiddenBias;
      if (this.conditionWeight) this.conditionWeight.grad = g.conditionWeight;
      if (this.ordinalWeight) this.ordinalWeight.grad = g.ordinalWeight;
      opt.step();
      opt.zeroGrad();
      return noGrad(() => {
        // Σ over rated items of (E[r | reconstruction] - r)²: the K-level weights 1..K on the one-hot rows.
        const levels = tensor(Float32Array.from({ length: this.nRatings }, (_, i) => i + 1));
        const B = batch.shape[0];
        const expect = g.reconstruction.reshape([B, this.nItems, this.nRatings]).mul(levels).sum(-1);
        const rated = batch.gt(0).float();
        const err = expect.sub(batch.float()).mul(rated).square().sum().item();
        return [err, rated.sum().item()] as [number, number];
      });
    });
  }

  // Log of each item's rating frequencies with add-one smoothing (the softmax is shift-invariant).
  private setVisibleBias(rows: UserRows): void {
    const K = this.nRatings;
    const counts = new Float32Array(this.nItems * K).fill(1);
    for (let j = 0; j < rows.items.length; j++) counts[rows.items[j] * K + rows.values[j] - 1]++;
    for (let i = 0; i < counts.length; i++) counts[i] = Math.log(counts[i]);
    frame(() => noGrad(() => this.visibleBias.copy_(tensor(counts))));
  }

  /** The users' ratings as one int32 [users.length, nItems] batch (0 = missing). */
  private batchOf(rows: UserRows, users: ArrayLike<number>): Tensor {
    const I = this.nItems;
    const dense = new Int32Array(users.length * I);
    for (let b = 0; b < users.length; b++) {
      const u = users[b];
      for (let j = rows.rowPtr[u]; j < rows.rowPtr[u + 1]; j++) dense[b * I + rows.items[j]] = rows.values[j];
    }
    return tensor(dense, { shape: [users.length, I] });
  }

  /** r for a batch of users: float32 [users.length, nItems], 1 where the user rated the item. */
  private ratedBatch(rated: RatedRows, users: ArrayLike<number>): Tensor {
    const I = this.nItems;
    const dense = new Float32Array(users.length * I);
    for (let b = 0; b < users.length; b++) {
      const u = users[b];
      for (let j = rated.rowPtr[u]; j < rated.rowPtr[u + 1]; j++) dense[b * I + rated.items[j]] = 1;
    }
    return tensor(dense, { shape: [users.length, I] });
  }

  // The conditional RBM's r per user: the items of `rows` plus the `extra` (user, item) pairs. Null
  // for a plain SoftmaxRBM (which refuses `extra`).
  private ratedRows(rows: UserRows, extra: RatedPairs | undefined, op: string): RatedRows | null {
    if (!this.conditional) {
      if (extra !== undefined) throw new Error(`${op}: rated is for a conditional SoftmaxRBM; this one was built without conditional: true`);
      return null;
    }
    const nUsers = rows.rowPtr.length - 1;
    let users: ArrayLike<number> = [], items: ArrayLike<number> = [];
    if (extra !== undefined) {
      users = extra instanceof Ratings ? extra.user : extra?.users;
      items = extra instanceof Ratings ? extra.item : extra?.items;
      if (!users || !items || users.length !== items.length) throw new Error(`${op}: rated must be a Ratings object or { users, items } of one length`);
    }
    const counts = new Int32Array(nUsers + 1);
    for (let u = 0; u < nUsers; u++) counts[u + 1] = rows.rowPtr[u + 1] - rows.rowPtr[u];
    for (let i = 0; i < users.length; i++) {
      const u = users[i], it = items[i];
      if (!(Number.isInteger(u) && u >= 0 && u < nUsers)) throw new Error(`${op}: rated pair ${i} has user ${u}, but the ratings hold users 0..${nUsers - 1}`);
      if (!(Number.isInteger(it) && it >= 0 && it < this.nItems)) throw new Error(`${op}: rated pair ${i} has item ${it}, outside 0..${this.nItems - 1}`);
      counts[u + 1]++;
    }
    const rowPtr = new Int32Array(nUsers + 1);
    for (let u = 0; u < nUsers; u++) rowPtr[u + 1] = rowPtr[u] + counts[u + 1];
    const out = new Int32Array(rowPtr[nUsers]), fill = rowPtr.slice(0, nUsers);
    for (let u = 0; u < nUsers; u++) for (let j = rows.rowPtr[u]; j < rows.rowPtr[u + 1]; j++) out[fill[u]++] = rows.items[j];
    for (let i = 0; i < users.length; i++) out[fill[users[i]]++] = items[i];
    return { rowPtr, items: out };
  }

  private learningRates(lr: number | SoftmaxLearningRates | undefined, op: string): Required<SoftmaxLearningRates> {
    const given = typeof lr === 'number' || lr === undefined ? { weight: lr ?? 0.05 } : lr;
    if (typeof given !== 'object' || given === null) throw new Error(`${op}: lr must be a number or { ${LR_KEYS.join(', ')} }, got ${lr === null ? 'null' : typeof lr}`);
    for (const key of Object.keys(given)) {
      if (!(LR_KEYS as readonly string[]).includes(key)) throw new Error(`${op}: lr has no entry '${key}'; the learning rates are ${LR_KEYS.join(', ')}`);
    }
    const w = given.weight ?? 0.05;
    const out = { weight: w, visibleBias: given.visibleBias ?? w, hiddenBias: given.hiddenBias ?? w, conditionWeight: given.conditionWeight ?? w, ordinalWeight: given.ordinalWeight ?? w };
    for (const key of LR_KEYS) {
      if (typeof out[key] !== 'number' || !(out[key] >= 0 && out[key] < Infinity)) throw new Error(`${op}: lr${typeof lr === 'object' ? `.${key}` : ''} must be a number in [0, ∞), got ${out[key]}`);
    }
    return out;
  }

  /** Validates ratings (item ids, 1..K, no empty users) and groups them by user. */
  userRows(data: RatingsInput, op: string, requireRatings: boolean): UserRows {
    const K = this.nRatings, I = this.nItems;
    let rows: UserRows;
    if (data instanceof Ratings) {
      if (data.nItems > I) throw new Error(`${op}: the ratings cover ${data.nItems} items but this SoftmaxRBM has ${I}`);
      rows = data.byUser();
    } else if (Array.isArray(data) || data instanceof Map) {
      const lists: [number, ReadonlyArray<readonly [number, number]>][] = data instanceof Map ? [...data.entries()] : (data as any[]).map((l, u) => [u, l]);
      const nUsers = lists.reduce((a, [u]) => Math.max(a, u + 1), 0);
      const per: (ReadonlyArray<readonly [number, number]> | undefined)[] = new Array(nUsers);
      for (const [u, l] of lists) {
        if (!Number.isInteger(u) || u < 0) throw new Error(`${op}: user keys must be integers >= 0, got ${u}`);
        if (!Array.isArray(l)) throw new Error(`${op}: the ratings of user ${u} must be an array of [item, rating] pairs, got ${typeof l}`);
        per[u] = l;
      }
      const rowPtr = new Int32Array(nUsers + 1);
      for (let u = 0; u < nUsers; u++) rowPtr[u + 1] = rowPtr[u] + (per[u]?.length ?? 0);
      const items = new Int32Array(rowPtr[nUsers]), values = new Float32Array(rowPtr[nUsers]);
      for (let u = 0; u < nUsers; u++) {
        const l = per[u] ?? [];
        l.forEach((pair, j) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${op}: user ${u}, entry ${j}: expected an [item, rating] pair, got ${JSON.stringify(pair)}`);
          items[rowPtr[u] + j] = pair[0]; values[rowPtr[u] + j] = pair[1];
          if (!Number.isInteger(pair[0])) throw new Error(`${op}: user ${u}, entry ${j}: item ${pair[0]} is not an integer`);
        });
      }
      rows = { rowPtr, items, values };
    } else {
      throw new Error(`${op}: expected ratings as a data.Ratings, an array (per user) of [item, rating] pairs or a Map user -> pairs, got ${data === null ? 'null' : typeof data}`);
    }
    const nUsers = rows.rowPtr.length - 1;
    for (let u = 0; u < nUsers; u++) {
      const a = rows.rowPtr[u], b = rows.rowPtr[u + 1];
      if (requireRatings && a === b) throw new Error(`${op}: user ${u} has no ratings; every user needs at least one (drop users without ratings)`);
      const seen = new Set<number>();
      for (let j = a; j < b; j++) {
        const it = rows.items[j], r = rows.values[j];
        if (!(it >= 0 && it < I)) throw new Error(`${op}: user ${u} rates item ${it}, outside 0..${I - 1} (this SoftmaxRBM has ${I} items)`);
        if (!(Number.isInteger(r) && r >= 1 && r <= K)) throw new Error(`${op}: user ${u} gives item ${it} the rating ${r}; ratings must be integers 1..${K}`);
        if (seen.has(it)) throw new Error(`${op}: user ${u} rates item ${it} twice`);
        seen.add(it);
      }
    }
    return rows;
  }

  /**
   * Predicted ratings (the expected rating under the softmax) for (user, item) pairs, given every
   * user's known ratings `history`. `pairs` is a Ratings object (its user and item columns) or
   * { users, items }. A conditional RBM's r holds the history's items plus `rated` (pass the pairs
   * themselves when which items the user rated is known, as in the paper). `exact: true` uses the
   * paper's exact p(r_q = k | V) ∝ exp(b_qk) Π_j (1 + exp(c_j + W_j·v + W_j,qk)) for each pair instead
   * of one mean-field step (P(h | V), then the softmax); it assumes the history does not rate q. Returns a float32 Tensor [pairs].
   */
  predict(history: RatingsInput, pairs: Ratings | { users: ArrayLike<number>; items: ArrayLike<number> }, opts: { batchSize?: number; rated?: RatedPairs; exact?: boolean } = {}): Tensor {
    const op = 'SoftmaxRBM.predict';
    checkOptions({ op, keywords: ['batchSize', 'rated', 'exact'], types: { batchSize: 'number', rated: 'object', exact: 'boolean' } }, opts);
    const rows = this.userRows(history, op, false);
    const rated = this.ratedRows(rows, opts.rated, op);
    const users = pairs instanceof Ratings ? pairs.user : pairs?.users, items = pairs instanceof Ratings ? pairs.item : pairs?.items;
    if (!users || !items || users.length !== items.length) throw new Error(`${op}: pairs must be a Ratings object or { users, items } of one length`);
    const nUsers = rows.rowPtr.length - 1;
    for (let i = 0; i < users.length; i++) {
      if (!(Number.isInteger(users[i]) && users[i] >= 0 && users[i] < nUsers)) throw new Error(`${op}: pair ${i} has user ${users[i]}, but the history holds users 0..${nUsers - 1}`);
      if (!(Number.isInteger(items[i]) && items[i] >= 0 && items[i] < this.nItems)) throw new Error(`${op}: pair ${i} has item ${items[i]}, outside 0..${this.nItems - 1}`);
    }
    const wanted = [...new Set(Array.from(users))].sort((a, b) => a - b);
    const slot = new Map<number, number>();
    wanted.forEach((u, i) => slot.set(u, i));
    const bs = opts.batchSize ?? 256;
    const out = new Float32Array(users.length);
    const byBatch = new Map<number, number[]>();
    for (let i = 0; i < users.length; i++) {
      const s = slot.get(users[i])!, b = Math.floor(s / bs);
      (byBatch.get(b) ?? byBatch.set(b, []).get(b)!).push(i);
    }
    for (const [b, idx] of byBatch) {
      const part = wanted.slice(b * bs, (b + 1) * bs);
      const batch = () => this.batchOf(rows, part), r = () => (rated ? this.ratedBatch(rated, part) : undefined);
      if (opts.exact) {
        const got = frame(() => this.exactExpectation(batch(), r(), Int32Array.from(idx, (i) => slot.get(users[i])! - b * bs), Int32Array.from(idx, (i) => items[i])).data() as Float32Array);
        idx.forEach((i, j) => { out[i] = got[j]; });
        continue;
      }
      // The whole [B, nItems] block of expectations is read once, then the pairs picked from it.
      const expect = frame(() => this.expectedRatings(batch(), r()).data() as Float32Array);
      for (const i of idx) out[i] = expect[(slot.get(users[i])! - b * bs) * this.nItems + items[i]];
    }
    return tensor(out);
  }

  // The exact expected rating of item q for user row u (q unrated in the row): the K scores
  // b_qk + Σ_j softplus(x_uj + W_j,qk), x = the hidden input of the row, normalised over k.
  // [P, K, H] at once: P pairs of one user batch.
  private exactExpectation(ratings: Tensor, rated: Tensor | undefined, rowOf: Int32Array, itemOf: Int32Array): Tensor {
    return noGrad(() => {
      const K = this.nRatings, H = this.nHidden;
      const x = this.hiddenInput(this.visible(ratings), this.userHiddenBias(this.ratedOf(ratings, rated, 'predict')));
      const items = tensor(itemOf);
      const wq = this.effectiveWeight().t().reshape([this.nItems, K, H]).indexSelect(0, items);            // [P, K, H]
      const scores = wq.add(x.indexSelect(0, tensor(rowOf)).unsqueeze(1)).softplus().sum(-1)
        .add(this.visibleBias.reshape([this.nItems, K]).indexSelect(0, items));                  // [P, K]
      const levels = tensor(Float32Array.from({ length: K }, (_, k) => k + 1));
      return scores.softmax(-1).mul(levels).sum(-1);
    });
  }

  override extraRepr(): string {
    return `items=${this.nItems}, ratings=${this.nRatings}, hidden=${this.nHidden}${this.conditional ? ', conditional' : ''}${this.ordinal ? ', ordinal' : ''}`;
  }
}

// Public methods run as library frames: their temporaries are freed when they return.
for (const name of ['visible', 'hiddenProbs', 'freeEnergy', 'expectedRatings', 'gradient', 'predict'] as const) {
  (SoftmaxRBM.prototype as any)[name] = framed((SoftmaxRBM.prototype as any)[name]);
}
