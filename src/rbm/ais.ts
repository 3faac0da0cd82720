// Annealed Importance Sampling (Neal 2001; for RBMs Salakhutdinov & Murray 2008) estimates the
// partition function Z of a binary RBM or a Replicated Softmax, which the likelihood needs and which
// no sum can reach for a realistic hidden layer.
//
// Binary RBM: the runs anneal from a base model with the same visible biases and no weights
// (p₀(v) ∝ exp(bᵀv), every hidden unit a fair coin, Z₀ known in closed form) to the model, through
//   f_β(v) = exp(bᵀv) Π_j (1 + exp(β·(W_j·v + c_j))),
// with one Gibbs transition at each β (h ~ σ(β(W·v + c)), v ~ σ(b + βWᵀh)).
// Each run's log weight is Σ_k log f_βk(v_k) - log f_βk-1(v_k), and Z ≈ Z₀ · mean(exp(log weights)).
//
// Replicated Softmax: a different RBM for every document length D, and annealing β at a fixed long D
// fails: at D = 400 it missed the exact log Z of a 40 x 10 model by 98 nats (and the trained
// 2,000 x 50 model's log Z_1067 by ~900), because the model sharpens with D far faster than the
// chains can follow. Instead one path anneals the length itself, from no word to the longest D,
// adding words one at a time, each fractionally (see annealLength); the runs' weights at every
// integer length t = D are that length's estimate, so all lengths share one set of runs.
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { matmul, linear } from '../ops/matmul.js';
import { bernoulli, tensor, zeros } from '../ops/creation.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { RBM } from './rbm.js';
import { ReplicatedSoftmax, rsmHidden, rsmSampleVisible, toCounts, type Documents } from './rsm.js';
import { localMaxima, wordStates } from './rsm-modes.js';
import { logMeanExp, logSumExp } from './float64.js';

export interface AISOptions {
  /** Independent annealing runs (default 100). */
  runs?: number;
  /**
   * Intermediate distributions (default 1000). Binary RBM: values of β, denser near β = 1 (or give
   * `betas`). Replicated Softmax: document lengths t from 0 to the longest requested length, evenly
   * spaced in log(1 + t) (about steps/7 within the first word, then geometric), plus every requested length.
   */
  steps?: number;
  /** Binary RBM: the inverse temperatures, increasing from 0 to 1 (overrides `steps`). */
  betas?: readonly number[];
  /** Replicated Softmax: the document lengths to estimate log Z_D for (required). */
  lengths?: readonly number[];
  /** Chains advanced together per batch (default 4096; lower it to use less memory). */
  batchRows?: number;
}

export interface AISEstimate {
  /** The estimate of log Z. */
  logZ: number;
  /** Standard deviation of that estimate (delta method over the runs' importance weights). */
  logZStd: number;
  /** log Z of the base model the runs start from. */
  logZBase: number;
  /** The runs' log importance weights. */
  logWeights: Float64Array;
  /**
   * Replicated Softmax only: log Σ_h exp(D·g(h)) over the distinct hidden states that a greedy ascent
   * of g from the runs' last states reached: a sure lower bound on log Z_D, since Z_D = Σ_h exp(D·g(h)) with g(h) = cᵀh + logsumexp(b + Wᵀh).
   * `logZ` is the larger of it and the AIS estimate.
   */
  lowerBound?: number;
}

export interface RSMAISResult {
  lengths: number[];
  estimates: AISEstimate[];
  /** log Z_D for a length that was estimated (throws for others). */
  logZ(length: number): number;
}

// Random starting states of the lower bound's ascent (Replicated Softmax).
const RANDOM_STARTS = 512;

const AIS_ARGS: ArgSpec = {
  op: 'rbm.ais', keywords: ['runs', 'steps', 'betas', 'lengths', 'batchRows'],
  types: { runs: 'integer', steps: 'integer', betas: 'array', lengths: 'array', batchRows: 'integer' },
};

/** The default schedule: a fifth of the steps on [0, 0.5], two fifths on [0.5, 0.9], the rest on [0.9, 1]. */
export function aisSchedule(steps: number): number[] {
  const a = Math.max(1, Math.round(steps * 0.2)), b = Math.max(1, Math.round(steps * 0.4)), c = Math.max(1, steps - a - b);
  const out = [0];
  for (let i = 1; i <= a; i++) out.push(0.5 * i / a);
  for (let i = 1; i <= b; i++) out.push(0.5 + 0.4 * i / b);
  for (let i = 1; i <= c; i++) out.push(0.9 + 0.1 * i / c);
  return out;
}

/** AIS estimate of log Z for a binary RBM, or of log Z_D for each requested length of a Replicated Softmax. */
export function ais(model: RBM, opts?: AISOptions): AISEstimate;
export function ais(model: ReplicatedSoftmax, opts: AISOptions & { lengths: readonly number[] }): RSMAISResult;
export function ais(model: RBM | ReplicatedSoftmax, opts: AISOptions = {}): AISEstimate | RSMAISResult {
  const op = 'rbm.ais';
  checkOptions(AIS_ARGS, opts);
  const runs = opts.runs ?? 100;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`${op}: runs must be a positive integer, got ${runs}`);
  const steps = opts.steps ?? 1000;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${op}: steps must be a positive integer, got ${steps}`);
  if (model instanceof ReplicatedSoftmax && opts.betas) throw new Error(`${op}: betas apply to a binary RBM; a Replicated Softmax anneals the document length (set steps)`);
  const betas = opts.betas ? checkBetas(opts.betas, op) : aisSchedule(steps);
  const batchRows = opts.batchRows ?? 4096;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new Error(`${op}: batchRows must be a positive integer, got ${batchRows}`);
  if (model instanceof ReplicatedSoftmax) {
    const lengths = opts.lengths;
    if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`${op}: a Replicated Softmax has one Z per document length; pass { lengths: [...] } (e.g. the held-out documents' lengths)`);
    for (const D of lengths) if (!Number.isInteger(D) || D < 1) throw new Error(`${op}: lengths must be positive integers (words per document), got ${D}`);
    const uniq = [...new Set(lengths as number[])].sort((x, y) => x - y);
    // One path serves every length; batches of runs keep memory bounded.
    const perLength = uniq.map(() => new Float64Array(runs));
    const modes: number[] = [];
    const seen = new Set<string>();
    for (let done = 0; done < runs; done += batchRows) {
      const part = annealLength(model, uniq, Math.min(batchRows, runs - done), steps);
      part.logWeights.forEach((w, i) => perLength[i].set(w, done));
      modes.push(...localMaxima(model, part.last, seen).g);
    }
    // At a long length D the model's h-marginal exp(D·g(h)) / Z_D piles onto the few states with the
    // largest g, and AIS, which must find them by sampling, can miss part of their mass (on a trained
    // 2,000 x 50 model by 1.4 nats at every D >= 100). Z_D is at least its sum over any distinct states,
    // so the local maxima of g (rsm-modes.ts) give a sure lower bound. The runs' last states can all
    // sit in a few basins of g and miss a higher maximum elsewhere (on a Spam Assassin model by 100 nats
    // at D = 1,000), so the ascent also starts from each word's own state and from random states.
    modes.push(...localMaxima(model, wordStates(model), seen).g);
    const random = noGrad(() => tidy(() => bernoulli(zeros([RANDOM_STARTS, model.nHidden]).add(0.5)).data()));
    modes.push(...localMaxima(model, random, seen).g);
    const L = logSumExp(model.visibleBias.data());
    const estimates = perLength.map((w, i) => {
      const e = estimate(w, model.nHidden * Math.LN2 + uniq[i] * L);
      const bound = logSumExp(modes.map((g) => uniq[i] * g));
      return { ...e, logZ: Math.max(e.logZ, bound), lowerBound: bound };
    });
    const byLength = new Map(uniq.map((D, i) => [D, estimates[i]]));
    return {
      lengths: uniq, estimates,
      logZ(length: number): number {
        const e = byLength.get(length);
        if (!e) throw new Error(`rbm.ais: log Z was not estimated for length ${length} (estimated: ${uniq.length} lengths from ${uniq[0]} to ${uniq[uniq.length - 1]})`);
        return e.logZ;
      },
    };
  }
  if (!(model instanceof RBM)) throw new Error(`${op}: expected an RBM or a ReplicatedSoftmax, got ${model === null ? 'null' : typeof model}`);
  if (model.visibleType !== 'bernoulli' || model.hiddenType !== 'bernoulli') {
    throw new Error(`${op}: AIS here is for Bernoulli visible and hidden units (this RBM has ${model.visibleType} visible, ${model.hiddenType} hidden units)`);
  }
  if (opts.lengths) throw new Error(`${op}: lengths apply to a Replicated Softmax, not to a binary RBM`);
  const chunks: Float64Array[] = [];
  for (let done = 0; done < runs; done += batchRows) chunks.push(annealBeta(model, Math.min(batchRows, runs - done), betas));
  const all = new Float64Array(runs);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return estimate(all, baseLogZ(model));
}

function checkBetas(betas: readonly number[], op: string): number[] {
  const b = Array.from(betas);
  if (b.length < 2 || b[0] !== 0 || b[b.length - 1] !== 1 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x < b[i - 1]))) {
    throw new Error(`${op}: betas must increase from 0 to 1 (at least two values), got [${b.slice(0, 4).join(', ')}${b.length > 4 ? ', ...' : ''}]`);
  }
  return b;
}

// log Z₀ of the binary RBM's base model: Σ softplus(b) + H log 2.
function baseLogZ(model: RBM): number {
  const b = model.visibleBias.data();
  let out = model.nHidden * Math.LN2;
  for (let i = 0; i < b.length; i++) out += b[i] > 0 ? b[i] + Math.log1p(Math.exp(-b[i])) : Math.log1p(Math.exp(b[i]));
  return out;
}

function estimate(logWeights: Float64Array, logZBase: number): AISEstimate {
  const M = logWeights.length;
  let m = -Infinity;
  for (const v of logWeights) m = Math.max(m, v);
  let s = 0, s2 = 0;
  for (const v of logWeights) { const w = Math.exp(v - m); s += w; s2 += w * w; }
  const mean = s / M, variance = Math.max(0, s2 / M - mean * mean);
  // std(log Ẑ) ≈ std(Ẑ) / Ẑ with std(Ẑ) = std(w) / √M.
  const logZStd = M > 1 ? Math.sqrt(variance / (M - 1)) / mean : NaN;
  return { logZ: logZBase + logMeanExp(logWeights), logZStd, logZBase, logWeights };
}

// The binary RBM's β path: `runs` chains side by side; returns their log weights.
function annealBeta(model: RBM, runs: number, betas: number[]): Float64Array {
  const logW = new Float64Array(runs);
  noGrad(() => tidy(() => {
    const W = model.weight, b = model.visibleBias, c = model.hiddenBias;
    // v ~ p₀: the visible biases alone.
    let v = tidy(() => bernoulli(zeros([runs, model.nVisible]).add(b).sigmoid()));
    for (let k = 1; k < betas.length; k++) {
      const next = tidy(() => {
        const act = linear(v, W, c); // W·v + c
        // log f_βk(v) - log f_βk-1(v) = Σ_j softplus(βk a_j) - softplus(βk-1 a_j), written as
        // (βk - βk-1)·relu(a) + softplus(-βk|a|) - softplus(-βk-1|a|) so that large |a| do not lose
        // the small difference to float32 rounding.
        const absA = act.abs();
        const delta = act.relu().mul(betas[k] - betas[k - 1])
          .add(absA.mul(-betas[k]).softplus()).sub(absA.mul(-betas[k - 1]).softplus()).sum(-1).data();
        for (let r = 0; r < runs; r++) logW[r] += delta[r];
        if (k === betas.length - 1) return null;
        const h = bernoulli(act.mul(betas[k]).sigmoid());
        return bernoulli(linear(h, W.t().mul(betas[k]), b).sigmoid());
      });
      if (next) { v.dispose(); v = next; }
    }
    v.dispose();
  }));
  return logW;
}

// The Replicated Softmax's length path. With L = logsumexp(b),
//   g(h)   = cᵀh + logsumexp(b + Wᵀh) - L        (what one word contributes, given h)
//   e_β(h) = β·cᵀh + logsumexp(b + β·Wᵀh) - L    (a word at weight β: e_0 = 0, e_1 = g)
// the intermediate distribution at t = D + β (D = ⌊t⌋ whole words and one at weight β) is
//   f_t(h) = exp(D·g(h) + e_β(h)),
// the h-marginal of D words and a tempered one. f_0 ≡ 1 (Z = 2^H, every h a fair coin), and at an
// integer t = D, f_D(h) = e^{-DL} Σ_words exp(-E(words, h)), so log Z_D = H log 2 + D·L + log mean(weights).
// The transition at t: D words from softmax(b + Wᵀh), the fractional word from softmax(b + βWᵀh),
// then h ~ σ((v + β·w)·Wᵀ + (D + β)·c). Returns the runs' log weights at each requested length and
// their last hidden states ([runs, H], near the longest length's modes).
function annealLength(model: ReplicatedSoftmax, lengths: number[], runs: number, steps: number): { logWeights: Float64Array[]; last: Float32Array } {
  const H = model.nHidden;
  const ts = lengthSchedule(steps, lengths);
  const at = new Map(lengths.map((D, i) => [D, i]));
  const out = lengths.map(() => new Float64Array(runs));
  const L = logSumExp(model.visibleBias.data());
  const logW = new Float64Array(runs);
  let last!: Float32Array;
  noGrad(() => tidy(() => {
    const W = model.weight, b = model.visibleBias, c = model.hiddenBias.reshape([H, 1]);
    const ones = zeros([runs]).add(1);
    let h = tidy(() => bernoulli(zeros([runs, H]).add(0.5)));
    let prevD = 0, prevBeta = 0;
    for (let k = 1; k < ts.length; k++) {
      const D = Math.floor(ts[k]), beta = ts[k] - D;
      const next = tidy(() => {
        const hW = matmul(h, W), ch = matmul(h, c).reshape([runs]);
        // Per-run values are O(10) nats: the weights add them in float64, never a difference of the large log f.
        const g = hW.add(b).logsumexp(-1).add(ch).data();
        const e = (bt: number) => (bt === 0 ? null : hW.mul(bt).add(b).logsumexp(-1).add(ch.mul(bt)).data());
        const eNew = e(beta), ePrev = e(prevBeta);
        for (let r = 0; r < runs; r++) {
          logW[r] += (D - prevD) * (g[r] - L) + (eNew ? eNew[r] - L : 0) - (ePrev ? ePrev[r] - L : 0);
        }
        if (beta === 0 && at.has(D)) out[at.get(D)!].set(logW);
        if (k === ts.length - 1) return null;
        let v = D > 0 ? rsmSampleVisible(hW.add(b), ones.mul(D)) : zeros([runs, model.nVisible]);
        if (beta > 0) v = v.add(rsmSampleVisible(hW.mul(beta).add(b), ones).mul(beta));
        return bernoulli(rsmHidden(matmul(v, W.t()), model.hiddenBias, ones.mul(D + beta)));
      });
      prevD = D; prevBeta = beta;
      if (next) { h.dispose(); h = next; }
    }
    last = Float32Array.from(h.data());
    h.dispose();
  }));
  return { logWeights: out, last };
}

// The lengths t of the path: `steps` points evenly spaced in log(1 + t) up to the longest length
// (fine steps within the first words, where each word changes the model most; a constant ratio for
// long documents), and every requested length (sorted, distinct) exactly.
function lengthSchedule(steps: number, lengths: readonly number[]): number[] {
  const top = Math.log1p(lengths[lengths.length - 1]);
  const ts = new Set<number>(lengths);
  for (let i = 1; i < steps; i++) ts.add(Math.expm1((top * i) / steps));
  return [0, ...[...ts].sort((x, y) => x - y)];
}

/**
 * The exact log Z by summing over every hidden configuration (nHidden <= 20): for a binary RBM
 * log Σ_h exp(cᵀh + Σ_i softplus(b_i + (Wᵀh)_i)); for a Replicated Softmax of length D
 * log Σ_h exp(D·cᵀh + D·logsumexp(b + Wᵀh)). For checking AIS on small models.
 */
export function exactLogZ(model: RBM, opts?: Record<string, never>): number;
export function exactLogZ(model: ReplicatedSoftmax, opts: { lengths: readonly number[] }): number[];
export function exactLogZ(model: RBM | ReplicatedSoftmax, opts: { lengths?: readonly number[] } = {}): number | number[] {
  const op = 'rbm.exactLogZ';
  checkOptions({ op, keywords: ['lengths'], types: { lengths: 'array' } }, opts);
  const H = model.nHidden;
  if (H > 20) throw new Error(`${op}: enumerating 2^${H} hidden configurations is too many (at most nHidden = 20); use rbm.ais`);
  const rsm = model instanceof ReplicatedSoftmax;
  if (!rsm && (model.visibleType !== 'bernoulli' || model.hiddenType !== 'bernoulli')) throw new Error(`${op}: for Bernoulli visible and hidden units only`);
  const lengths = rsm ? opts.lengths : [1];
  if (!Array.isArray(lengths) || !lengths.length) throw new Error(`${op}: a Replicated Softmax needs { lengths: [...] }`);
  const n = 2 ** H;
  // Per configuration: a = cᵀh and s = Σ softplus(b + Wᵀh) (binary) or logsumexp(b + Wᵀh) (softmax).
  const a = new Float64Array(n), s = new Float64Array(n);
  const chunk = 4096;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const bits = new Float32Array(m * H);
    for (let i = 0; i < m; i++) for (let j = 0; j < H; j++) bits[i * H + j] = ((start + i) >> j) & 1;
    noGrad(() => tidy(() => {
      const h = tensor(bits, { shape: [m, H] });
      const act = linear(h, model.weight.t(), model.visibleBias);
      const sv = (rsm ? act.logsumexp(-1) : act.softplus().sum(-1)).data();
      const av = matmul(h, model.hiddenBias.reshape([H, 1])).data();
      for (let i = 0; i < m; i++) { a[start + i] = av[i]; s[start + i] = sv[i]; }
    }));
  }
  const out = lengths.map((D) => {
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = rsm ? D * (a[i] + s[i]) : a[i] + s[i];
    return logMeanExp(t) + Math.log(n);
  });
  return rsm ? out : out[0];
}

export interface PerplexityResult {
  /** exp(-Σ log P(doc) / Σ words). */
  perplexity: number;
  /** log P(doc) per document (the word sequence's probability; no multinomial coefficient). */
  logProb: Float64Array;
  /** The AIS estimates behind it. */
  ais: RSMAISResult;
}

/**
 * Held-out perplexity of a Replicated Softmax, exp(-Σ_n log P(v_n) / Σ_n D_n), with log Z_D from AIS
 * for every distinct length among the documents.
 */
export function perplexity(model: ReplicatedSoftmax, docs: Documents, opts: Omit<AISOptions, 'lengths'> = {}): PerplexityResult {
  if (!(model instanceof ReplicatedSoftmax)) throw new Error(`rbm.perplexity: expected a ReplicatedSoftmax, got ${model === null ? 'null' : typeof model}`);
  if ((opts as AISOptions).lengths) throw new Error('rbm.perplexity: the lengths come from the documents; do not pass lengths');
  const v = toCounts(docs, model.nVisible, 'rbm.perplexity');
  const lengths = Array.from(noGrad(() => tidy(() => v.sum(-1).data())));
  const est = ais(model, { ...opts, lengths });
  const lp = Float64Array.from(noGrad(() => tidy(() => model.logProb(v, (D) => est.logZ(D)).data())));
  let total = 0, words = 0;
  for (let i = 0; i < lp.length; i++) { total += lp[i]; words += lengths[i]; }
  return { perplexity: Math.exp(-total / words), logProb: lp, ais: est };
}
