// Replicated Softmax (Salakhutdinov & Hinton, NIPS 2009): the RBM for bags of words. A document
// of D words is D softmax visible units over the vocabulary that share one weight matrix, so only
// its count vector v (v_k = how often word k occurs, Σ v_k = D) matters:
//   E(v, h) = -Σ_jk W_jk h_j v_k - Σ_k b_k v_k - D Σ_j c_j h_j
// The hidden biases are scaled by the length D (the model is a different RBM for every length),
//   P(h_j = 1 | v) = σ(W_j·v + D c_j),   P(word = k | h) = softmax_k(b + Wᵀh),
// and a visible sample is D words drawn from that softmax (assembly/rsm.ts does both steps).
// Free energy of a document (of its word sequence; the multinomial coefficient is not included):
//   F(v) = -bᵀv - Σ_j softplus(W_j·v + D c_j),  log P(v) = -F(v) - log Z_D.
import { Tensor } from '../tensor.js';
import { rsmHidden, rsmSampleVisible } from '../ops/rbm.js';
export { rsmHidden, rsmSampleVisible };
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { matmul, linear } from '../ops/matmul.js';
import { bernoulli, empty, randperm, tensor, zeros } from '../ops/creation.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { checkSize, checkSteps } from './rbm.js';
import { fitLikelihood, type RSMLikelihoodOptions, type RSMLikelihoodStats } from './rsm-likelihood.js';

/** Documents: a [N, vocabSize] tensor of word counts, or per document an array of word ids (a bag of words) or a Map/object id → count. */
export type Documents = Tensor | ReadonlyArray<ReadonlyArray<number> | ReadonlyMap<number, number> | Readonly<Record<number, number>>>;

export interface RSMOptions {
  /** Standard deviation of the initial weights (default 0.01; 0: zero weights, drawing nothing from the random stream). */
  initStd?: number;
}

export interface RSMFitOptions {
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Documents per update (default 100). */
  batchSize?: number;
  /** Learning rate (default 0.001; the gradients grow with document length), or a schedule epoch → lr. */
  lr?: number | ((epoch: number) => number);
  /** Momentum of the parameter velocities (default 0.9). */
  momentum?: number;
  /** L2 penalty on the weights (default 0). */
  weightDecay?: number;
  /** Gibbs steps in the negative phase (default 1), or a schedule epoch → k (the paper raises k from 1 to 25). */
  k?: number | ((epoch: number) => number);
  /**
   * 'words' (default): the log-likelihood gradient, in which a document counts in proportion to its
   * length. 'documents': each document's gradient is divided by its length (the gradient of the mean
   * per-word log-likelihood), steadier when lengths vary a hundredfold, as in e-mail corpora; the
   * hidden biases' share is divided by the length once more, because the length also multiplies them
   * in every pre-activation (W·v + D c): without it, a step that suits the weights moves D c so far
   * that the hidden units of long documents switch off for good.
   */
  weighting?: 'words' | 'documents' | 'sqrt' | number;
  /**
   * Negative phase (default false: CD-k, every chain starts at its document). 'documents': persistent
   * contrastive divergence with one chain per training document (its hidden state is kept between
   * epochs, and its k steps continue from there at the document's length). 'particles': one persistent
   * chain per batch row (Tieleman's fantasy particles), advanced at every update; each update a
   * particle takes the length of the batch document in its row and draws that many words from its kept
   * hidden state before its k steps.
   */
  persistent?: false | 'documents' | 'particles';
  /** Drive the negative phase's visible steps with P(h | v) instead of a binary sample of it (default false). */
  meanField?: boolean;
  /**
   * Keep an exponential moving average of the parameters (as PyTorch's swa_utils.AveragedModel with
   * get_ema_multi_avg_fn): after every update, avg ← decay·avg + (1 - decay)·param. A decay, or a
   * schedule epoch → decay (0 keeps the average at the current parameters, e.g. before averaging
   * starts). Default: no average. The average lives on the model, is started from the parameters at
   * the first update that keeps one and is continued by later fit calls; `averaged()` returns it as a
   * model. CD's iterates are noisy: the average is the steadier model to evaluate.
   */
  ema?: number | ((epoch: number) => number);
  /** Reshuffle the documents every epoch (default true). */
  shuffle?: boolean;
  /** Called after every epoch. */
  onEpoch?: (stats: RSMEpochStats) => void;
  /** Print one progress line per epoch (default false). */
  verbose?: boolean;
}

export interface RSMEpochStats {
  epoch: number;
  epochs: number;
  /** exp(-Σ v·log P(word | P(h | v)) / Σ D) over the epoch's batches: how well one up-down pass reconstructs the documents. */
  reconstructionPerplexity: number;
  seconds: number;
  docsPerSecond: number;
}

/** The CD statistics of a batch (positive minus negative phase, averaged over documents). */
export interface RSMGradients { weight: Tensor; visibleBias: Tensor; hiddenBias: Tensor }

const RSM_ARGS: ArgSpec = { op: 'ReplicatedSoftmax', keywords: ['initStd'], types: { initStd: 'number' } };
const FIT_ARGS: ArgSpec = {
  op: 'ReplicatedSoftmax.fit', keywords: ['epochs', 'batchSize', 'lr', 'momentum', 'weightDecay', 'k', 'weighting', 'persistent', 'meanField', 'ema', 'shuffle', 'onEpoch', 'verbose'],
  types: { epochs: 'integer', batchSize: 'integer', lr: ['number', 'function'], momentum: 'number', weightDecay: 'number', k: ['integer', 'function'], weighting: ['string', 'number'], persistent: ['boolean', 'string'], meanField: 'boolean', ema: ['number', 'function'], shuffle: 'boolean', onEpoch: 'function', verbose: 'boolean' },
};
const TOP_ARGS: ArgSpec = { op: 'ReplicatedSoftmax.topWords', keywords: ['vocabulary'], types: { vocabulary: 'array' } };

// ---- the two kernel steps, as ops ----


// ---- documents ----

/**
 * Documents as a float32 count matrix [N, vocabSize], checked: counts are finite non-negative
 * integers, ids lie in [0, vocabSize), and no document is empty (its likelihood would be trivially 1).
 */
export function toCounts(docs: Documents, vocabSize: number, op: string): Tensor {
  if (docs instanceof Tensor) {
    if (docs.ndim !== 2 || docs.shape[1] !== vocabSize) {
      throw new Error(`${op}: expected word counts of shape [N, ${vocabSize}] (vocabulary size ${vocabSize}), got shape [${docs.shape}]`);
    }
    const x = docs.float();
    const values = x.data();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v >= 0) || !Number.isInteger(v)) {
        throw new Error(`${op}: word counts must be non-negative integers, got ${v} in document ${Math.floor(i / vocabSize)} at word id ${i % vocabSize}`);
      }
    }
    const empties = emptyRows(values, docs.shape[0], vocabSize);
    if (empties.length) throw emptyError(op, empties, docs.shape[0]);
    return x;
  }
  if (!Array.isArray(docs)) throw new Error(`${op}: documents must be a [N, ${vocabSize}] count Tensor or an array of documents (word-id arrays or id → count maps), got ${docs === null ? 'null' : typeof docs}`);
  const N = docs.length;
  const flat = new Float32Array(N * vocabSize);
  const add = (n: number, id: unknown, count: number) => {
    const k = Number(id);
    if (!Number.isInteger(k) || k < 0 || k >= vocabSize) {
      throw new Error(`${op}: word id ${String(id)} in document ${n} is out of the vocabulary [0, ${vocabSize})`);
    }
    if (!(count >= 0) || !Number.isInteger(count)) throw new Error(`${op}: word counts must be non-negative integers, got ${count} for word id ${k} in document ${n}`);
    flat[n * vocabSize + k] += count;
  };
  docs.forEach((doc, n) => {
    if (Array.isArray(doc)) for (const id of doc) add(n, id, 1);
    else if (doc instanceof Map) for (const [id, c] of doc) add(n, id, c);
    else if (doc && typeof doc === 'object' && !(doc instanceof Tensor)) for (const [id, c] of Object.entries(doc)) add(n, id, c as number);
    else throw new Error(`${op}: document ${n} must be an array of word ids or a Map/object id → count, got ${doc === null ? 'null' : typeof doc}`);
  });
  const empties = emptyRows(flat, N, vocabSize);
  if (empties.length) throw emptyError(op, empties, N);
  return tensor(flat, { shape: [N, vocabSize] });
}

function emptyRows(values: ArrayLike<number>, N: number, V: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < V; k++) s += values[n * V + k];
    if (s === 0) out.push(n);
  }
  return out;
}

function emptyError(op: string, rows: number[], N: number): Error {
  return new Error(`${op}: ${rows.length} of ${N} documents are empty (no word in the vocabulary), first at index ${rows[0]}; ` +
    'drop them first (e.g. filter on the row sums)');
}

// ---- the model ----

export class ReplicatedSoftmax extends Module {
  readonly nVisible: number;
  readonly nHidden: number;
  /** [nHidden, vocabSize] */
  weight!: Tensor;
  /** [vocabSize] */
  visibleBias!: Tensor;
  /** [nHidden], scaled by the document length */
  hiddenBias!: Tensor;
  // The moving average of [weight, visibleBias, hiddenBias] kept by fit's `ema` option (not part of the state dict).
  private emaParams: Tensor[] | null = null;

  constructor(vocabSize: number, nHidden: number, opts: RSMOptions = {}) {
    super();
    checkOptions(RSM_ARGS, opts);
    this.nVisible = checkSize(vocabSize, 'vocabSize', 'ReplicatedSoftmax');
    this.nHidden = checkSize(nHidden, 'nHidden', 'ReplicatedSoftmax');
    const std = opts.initStd ?? 0.01;
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`ReplicatedSoftmax: initStd must be a finite number >= 0, got ${std}`);
    this.weight = new Parameter(empty([nHidden, vocabSize]));
    this.visibleBias = new Parameter(zeros([vocabSize]));
    this.hiddenBias = new Parameter(zeros([nHidden]));
    // initStd 0 draws nothing from the random stream (averaged() builds its model so).
    noGrad(() => (std === 0 ? this.weight.zero_() : this.weight.normal_(0, std)));
  }

  get vocabSize(): number { return this.nVisible; }

  /** The documents as a checked [N, vocabSize] count tensor (see Documents). */
  counts(docs: Documents): Tensor { return toCounts(docs, this.nVisible, 'ReplicatedSoftmax'); }

  /** Features of documents: P(h = 1 | v). */
  forward(docs: Documents): Tensor { return this.transform(docs); }

  /** P(h = 1 | v) = σ(W·v + D c) per document. */
  hiddenProbs(docs: Documents): Tensor {
    const v = this.counts(docs);
    return rsmHidden(matmul(v, this.weight.t()), this.hiddenBias, v.sum(-1));
  }

  /** Document features for a downstream model: the hidden probabilities, without gradient tracking. */
  transform(docs: Documents): Tensor {
    return noGrad(() => tidy(() => this.hiddenProbs(docs)));
  }

  /** P(word | h) = softmax(b + Wᵀh) for hidden states (or probabilities) h [N, nHidden]. */
  wordProbs(h: Tensor): Tensor {
    if (!(h instanceof Tensor) || h.ndim !== 2 || h.shape[1] !== this.nHidden) {
      throw new Error(`ReplicatedSoftmax.wordProbs: expected hidden states [N, ${this.nHidden}], got ${h instanceof Tensor ? `[${h.shape}]` : typeof h}`);
    }
    return noGrad(() => tidy(() => linear(h, this.weight.t(), this.visibleBias).softmax(-1)));
  }

  /** Free energy per document, F(v) = -bᵀv - Σ_j softplus(W_j·v + D c_j). Differentiable in the parameters. */
  freeEnergy(docs: Documents): Tensor {
    const v = this.counts(docs);
    const D = v.sum(-1, true);
    const pre = matmul(v, this.weight.t()).add(D.mul(this.hiddenBias));
    return v.mul(this.visibleBias).sum(-1).add(pre.softplus().sum(-1)).neg();
  }

  /** log P(doc) = -F(v) - log Z_D, given log Z for each document's length (e.g. from rbm.ais). */
  logProb(docs: Documents, logZ: (length: number) => number): Tensor {
    return noGrad(() => tidy(() => {
      const v = this.counts(docs);
      const lengths = v.sum(-1).data();
      const z = new Float32Array(lengths.length);
      for (let i = 0; i < z.length; i++) z[i] = logZ(lengths[i]);
      return this.freeEnergy(v).neg().sub(tensor(z));
    }));
  }

  /**
   * The n words with the largest weights of each hidden unit (what switching the unit on makes more
   * likely): word ids, or words when a vocabulary (id → word) is given.
   */
  topWords(n = 10, opts: { vocabulary?: readonly string[] } = {}): (number[] | string[])[] {
    checkOptions(TOP_ARGS, opts);
    checkSize(n, 'n', 'ReplicatedSoftmax.topWords');
    const vocab = opts.vocabulary;
    if (vocab && vocab.length !== this.nVisible) throw new Error(`ReplicatedSoftmax.topWords: vocabulary has ${vocab.length} words but the model has ${this.nVisible}`);
    const k = Math.min(n, this.nVisible);
    const ids = noGrad(() => tidy(() => this.weight.topk(k, -1).indices.tolist())) as number[][];
    return ids.map((row) => (vocab ? row.map((i) => vocab[i]) : row));
  }

  /**
   * The CD statistics for documents v0 and negative samples vNeg of the same lengths (rows pair up):
   * ⟨P(h|v)vᵀ⟩, ⟨v⟩ and ⟨D·P(h|v)⟩ of v0 minus those of vNeg, averaged over the rows. This is the
   * gradient of mean(F(vNeg)) - mean(F(v0)), the CD estimate of the log-likelihood gradient.
   */
  cdGradients(v0: Documents, vNeg: Documents): RSMGradients {
    return noGrad(() => tidy(() => {
      const a = this.counts(v0), b = this.counts(vNeg);
      if (a.shape[0] !== b.shape[0]) throw new Error(`ReplicatedSoftmax.cdGradients: v0 has ${a.shape[0]} documents but vNeg has ${b.shape[0]}`);
      const D = a.sum(-1, true), Dn = b.sum(-1, true);
      if (D.ne(Dn).sum().item() !== 0) throw new Error('ReplicatedSoftmax.cdGradients: each negative sample must have the length of its document');
      const ha = rsmHidden(matmul(a, this.weight.t()), this.hiddenBias, D);
      const hb = rsmHidden(matmul(b, this.weight.t()), this.hiddenBias, D);
      return statistics(a, b, ha, hb, D);
    }));
  }

  /**
   * One CD-k step from a batch of documents: returns the negative samples (same lengths) and the
   * hidden probabilities of both phases.
   */
  private negativePhase(h0: Tensor, D: Tensor, k: number, start: Tensor | null, meanField: boolean): { vk: Tensor; hk: Tensor; hLast: Tensor | null } {
    const Wt = this.weight.t();
    // A persistent chain's binary hidden state stands in for the sample from P(h | v0).
    let h = start ?? bernoulli(h0);
    let hp = h0;
    let vk!: Tensor;
    for (let s = 0; s < k; s++) {
      if (s > 0) h = meanField ? hp : bernoulli(hp);
      vk = rsmSampleVisible(linear(h, this.weight.t(), this.visibleBias), D);
      hp = rsmHidden(matmul(vk, Wt), this.hiddenBias, D);
    }
    // A persistent chain keeps a binary sample of its last hidden probabilities.
    return { vk, hk: hp, hLast: start ? bernoulli(hp) : null };
  }

  /** Trains with CD-k, batched: the Gibbs steps run in wasm (assembly/rsm.ts). Returns one RSMEpochStats per epoch. */
  fit(docs: Documents, opts: RSMFitOptions = {}): RSMEpochStats[] {
    const op = 'ReplicatedSoftmax.fit';
    checkOptions(FIT_ARGS, opts);
    const epochs = opts.epochs ?? 10;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${op}: epochs must be a non-negative integer, got ${epochs}`);
    const batchSize = checkSize(opts.batchSize ?? 100, 'batchSize', op);
    const lrOf = typeof opts.lr === 'function' ? opts.lr : () => (opts.lr as number | undefined) ?? 0.001;
    const checkLr = (lr: number) => {
      if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`${op}: lr must be a finite number >= 0, got ${lr}`);
      return lr;
    };
    if (typeof opts.lr !== 'function') checkLr(lrOf(1));
    const momentum = opts.momentum ?? 0.9, wd = opts.weightDecay ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`${op}: momentum must be in [0, 1), got ${momentum}`);
    if (!(wd >= 0) || !Number.isFinite(wd)) throw new Error(`${op}: weightDecay must be a finite number >= 0, got ${wd}`);
    const weighting = opts.weighting ?? 'words';
    if (typeof weighting === 'number' ? !(weighting >= 0 && weighting <= 1) : weighting !== 'words' && weighting !== 'documents' && weighting !== 'sqrt') {
      throw new Error(`${op}: weighting must be 'words', 'documents', 'sqrt' or a power in [0, 1], got ${JSON.stringify(weighting)}`);
    }
    const power = typeof weighting === 'number' ? weighting : weighting === 'documents' ? 1 : weighting === 'sqrt' ? 0.5 : 0;
    const persistent = opts.persistent ?? false, meanField = opts.meanField ?? false;
    if (persistent !== false && persistent !== 'documents' && persistent !== 'particles') {
      throw new Error(`${op}: persistent must be false, 'documents' or 'particles', got ${JSON.stringify(persistent)}`);
    }
    const kOf = typeof opts.k === 'function' ? opts.k : () => (opts.k as number | undefined) ?? 1;
    const emaOf = typeof opts.ema === 'function' ? opts.ema : opts.ema === undefined ? null : () => opts.ema as number;
    const checkDecay = (d: number) => {
      if (!(d >= 0 && d < 1)) throw new Error(`${op}: ema decay must be in [0, 1), got ${d}`);
      return d;
    };
    if (emaOf && typeof opts.ema !== 'function') checkDecay(emaOf(1));
    const data = this.counts(docs);
    // Counts made here are the fit's to free; a float32 count tensor passed in is the caller's.
    const owned = data !== docs;
    if (owned) data.keep();
    const N = data.shape[0];
    const vel = [this.weight, this.visibleBias, this.hiddenBias].map((p) => zeros(p.shape).keep());
    // Persistent chains' binary hidden states: one row per document or per batch row, filled from
    // P(h | v) of the data on first use (a row of -1 is not yet started).
    const H = this.nHidden;
    const chains = persistent === 'documents' ? new Float32Array(N * H).fill(-1)
      : persistent === 'particles' ? new Float32Array(Math.min(batchSize, N) * H).fill(-1) : null;
    const history: RSMEpochStats[] = [];
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const k = checkSteps(kOf(epoch), op);
        const lr = checkLr(lrOf(epoch));
        const decay = emaOf ? checkDecay(emaOf(epoch)) : null;
        const t0 = performance.now();
        const order = opts.shuffle === false ? null : randperm(N).keep();
        let logLik = 0, words = 0;
        for (let start = 0; start < N; start += batchSize) {
          const B = Math.min(batchSize, N - start);
          const [ll, w] = noGrad(() => tidy(() => {
            const v0 = order ? data.indexSelect(0, order.narrow(0, start, B)) : data.narrow(0, start, B);
            const D = v0.sum(-1, true);
            // The rows of the persistent chains this batch continues.
            let rows: Int32Array | null = null;
            if (chains) {
              rows = new Int32Array(B);
              const ids = persistent === 'documents' ? (order ? order.narrow(0, start, B).data() : null) : null;
              for (let r = 0; r < B; r++) rows[r] = persistent === 'documents' ? (ids ? Number(ids[r]) : start + r) : r;
            }
            const h0 = rsmHidden(matmul(v0, this.weight.t()), this.hiddenBias, D);
            let startH: Tensor | null = null;
            if (chains && rows) {
              const sH = new Float32Array(B * H);
              let fresh: Float32Array | null = null;
              for (let r = 0; r < B; r++) {
                const o = rows[r] * H;
                if (chains[o] < 0) {
                  fresh ??= bernoulli(h0).data() as Float32Array;
                  chains.set(fresh.subarray(r * H, (r + 1) * H), o);
                }
                sH.set(chains.subarray(o, o + H), r * H);
              }
              startH = tensor(sH, { shape: [B, H] });
            }
            const { vk, hk, hLast } = this.negativePhase(h0, D, k, startH, meanField);
            if (chains && rows && hLast) {
              const hl = hLast.data();
              for (let r = 0; r < B; r++) chains.set(hl.subarray(r * H, (r + 1) * H), rows[r] * H);
            }
            // Reconstruction log-likelihood of the batch's words under P(word | P(h | v0)).
            const ll = v0.mul(linear(h0, this.weight.t(), this.visibleBias).logSoftmax(-1)).sum().item();
            const g = statistics(v0, vk, h0, hk, D, power === 1 ? D.reciprocal() : power === 0.5 ? D.rsqrt() : power === 0 ? null : D.pow(-power));
            const params = [this.weight, this.visibleBias, this.hiddenBias];
            const grads = [g.weight, g.visibleBias, g.hiddenBias];
            for (let i = 0; i < 3; i++) {
              // velocity ← momentum·velocity + lr·(gradient - weightDecay·W); parameter += velocity.
              vel[i].mulScalar_(momentum).addInPlace_(grads[i], lr);
              if (i === 0 && wd) vel[i].addInPlace_(params[i], -lr * wd);
              params[i].addInPlace_(vel[i]);
            }
            if (decay !== null) {
              if (!this.emaParams) this.emaParams = params.map((p) => p.detach().clone().keep());
              else for (let i = 0; i < 3; i++) this.emaParams[i].mulScalar_(decay).addInPlace_(params[i], 1 - decay);
            }
            return [ll, D.sum().item()];
          }));
          logLik += ll; words += w;
        }
        order?.dispose();
        const seconds = (performance.now() - t0) / 1000;
        const stats: RSMEpochStats = { epoch, epochs, reconstructionPerplexity: Math.exp(-logLik / words), seconds, docsPerSecond: N / seconds };
        history.push(stats);
        if (opts.verbose) {
          console.log(`ReplicatedSoftmax ${this.nVisible}x${this.nHidden} epoch ${epoch}/${epochs}  CD-${k}  reconstruction perplexity ` +
            `${stats.reconstructionPerplexity.toFixed(1)}  ${Math.round(stats.docsPerSecond)} docs/s`);
        }
        opts.onEpoch?.(stats);
      }
    } finally {
      if (owned) data.dispose();
      for (const t of vel) t.dispose();
    }
    return history;
  }

  /**
   * Trains by the likelihood of the documents of `minLength` words or more (default 100), with log Z_D
   * from the local maxima of the hidden marginal, one Adam step per pass (rsm-likelihood.ts says why).
   * Meant after `fit`: CD learns the words, this the hidden prior of long documents, which CD misses.
   * Returns one RSMLikelihoodStats per step.
   */
  fitLikelihood(docs: Documents, opts: RSMLikelihoodOptions = {}): RSMLikelihoodStats[] {
    return fitLikelihood(this, docs, opts);
  }

  /**
   * A new model holding the moving average of the parameters that fit's `ema` option keeps (a copy of
   * the current parameters if fit never kept one).
   */
  averaged(): ReplicatedSoftmax {
    const m = new ReplicatedSoftmax(this.nVisible, this.nHidden, { initStd: 0 });
    const src = this.emaParams ?? [this.weight, this.visibleBias, this.hiddenBias];
    noGrad(() => { m.weight.copy_(src[0]); m.visibleBias.copy_(src[1]); m.hiddenBias.copy_(src[2]); });
    return m;
  }

  /** Drops the moving average kept by fit's `ema` option; the next fit with `ema` starts a new one. */
  resetAverage(): void {
    for (const t of this.emaParams ?? []) t.dispose();
    this.emaParams = null;
  }

  override extraRepr(): string {
    return `vocab_size=${this.nVisible}, hidden=${this.nHidden}`;
  }
}

// Positive minus negative statistics, averaged over the B rows. With a row weight w (1/D for 'documents',
// 1/√D for 'sqrt'), each row is scaled by w, and the hidden biases' statistics D·(h0 - hk) by w²
// (see RSMFitOptions.weighting).
function statistics(v0: Tensor, vk: Tensor, h0: Tensor, hk: Tensor, D: Tensor, rowWeight: Tensor | null = null): RSMGradients {
  const B = v0.shape[0];
  const w = (t: Tensor) => (rowWeight ? t.mul(rowWeight) : t);
  return {
    weight: matmul(w(h0).t(), v0).sub(matmul(w(hk).t(), vk)).mul(1 / B),
    visibleBias: w(v0.sub(vk)).mean(0),
    hiddenBias: (rowWeight ? h0.sub(hk).mul(D).mul(rowWeight.square()) : h0.sub(hk).mul(D)).mean(0),
  };
}
