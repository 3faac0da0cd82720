// Annealed Importance Sampling (Neal 2001; for RBMs Salakhutdinov & Murray 2008) estimates the
// partition function Z of a binary RBM or a Replicated Softmax, which the likelihood needs and which
// no sum can reach for a realistic hidden layer.
//
// The runs anneal from a base model with the same visible biases and no weights (p₀(v) ∝ exp(bᵀv),
// every hidden unit a fair coin, Z₀ known in closed form) to the model, through
//   f_β(v) = exp(bᵀv) Π_j (1 + exp(β·(W_j·v + D c_j)))      (D = 1 for a binary RBM),
// with one Gibbs transition at each β (h ~ σ(β(W·v + D c)), v ~ the visible units at b + βWᵀh).
// Each run's log weight is Σ_k log f_βk(v_k) - log f_βk-1(v_k), and Z ≈ Z₀ · mean(exp(log weights)).
// A Replicated Softmax is a different RBM for every document length D, so it gets one estimate per length.
import { Tensor } from '../tensor.js';
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { matmul, linear } from '../ops/matmul.js';
import { bernoulli, tensor, zeros } from '../ops/creation.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { RBM } from './rbm.js';
import { ReplicatedSoftmax, rsmHidden, rsmSampleVisible, toCounts, type Documents } from './rsm.js';

export interface AISOptions {
  /** Independent annealing runs (default 100). */
  runs?: number;
  /** Intermediate distributions (default 1000), spaced more densely near β = 1; or give `betas`. */
  steps?: number;
  /** The inverse temperatures, increasing from 0 to 1 (overrides `steps`). */
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
}

export interface RSMAISResult {
  lengths: number[];
  estimates: AISEstimate[];
  /** log Z_D for a length that was estimated (throws for others). */
  logZ(length: number): number;
}

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
  const betas = opts.betas ? checkBetas(opts.betas, op) : aisSchedule(steps);
  const batchRows = opts.batchRows ?? 4096;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new Error(`${op}: batchRows must be a positive integer, got ${batchRows}`);
  if (model instanceof ReplicatedSoftmax) {
    const lengths = opts.lengths;
    if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`${op}: a Replicated Softmax has one Z per document length; pass { lengths: [...] } (e.g. the held-out documents' lengths)`);
    for (const D of lengths) if (!Number.isInteger(D) || D < 1) throw new Error(`${op}: lengths must be positive integers (words per document), got ${D}`);
    const uniq = [...new Set(lengths as number[])].sort((x, y) => x - y);
    const estimates: AISEstimate[] = [];
    // Lengths share batches: each row is one run for one length.
    const perBatch = Math.max(1, Math.floor(batchRows / runs));
    for (let i = 0; i < uniq.length; i += perBatch) estimates.push(...annealBatch(model, uniq.slice(i, i + perBatch), runs, betas));
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
  for (let done = 0; done < runs; done += batchRows) chunks.push(annealBatch(model, [1], Math.min(batchRows, runs - done), betas)[0].logWeights);
  const all = new Float64Array(runs);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return estimate(all, baseLogZ(model, 1));
}

function checkBetas(betas: readonly number[], op: string): number[] {
  const b = Array.from(betas);
  if (b.length < 2 || b[0] !== 0 || b[b.length - 1] !== 1 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x < b[i - 1]))) {
    throw new Error(`${op}: betas must increase from 0 to 1 (at least two values), got [${b.slice(0, 4).join(', ')}${b.length > 4 ? ', ...' : ''}]`);
  }
  return b;
}

// log Z₀ of the base model: binary: Σ softplus(b) + H log 2; Replicated Softmax of length D: D·logsumexp(b) + H log 2.
function baseLogZ(model: RBM | ReplicatedSoftmax, D: number): number {
  const b = model.visibleBias.data();
  let out = model.nHidden * Math.LN2;
  if (model instanceof RBM) {
    for (let i = 0; i < b.length; i++) out += b[i] > 0 ? b[i] + Math.log1p(Math.exp(-b[i])) : Math.log1p(Math.exp(b[i]));
  } else {
    let m = -Infinity;
    for (let i = 0; i < b.length; i++) m = Math.max(m, b[i]);
    let s = 0;
    for (let i = 0; i < b.length; i++) s += Math.exp(b[i] - m);
    out += D * (m + Math.log(s));
  }
  return out;
}

function logMeanExp(x: Float64Array): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s / x.length);
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

// Runs `runs` chains for each length side by side (rows: length-major) and returns one estimate per length.
function annealBatch(model: RBM | ReplicatedSoftmax, lengths: number[], runs: number, betas: number[]): AISEstimate[] {
  const rsm = model instanceof ReplicatedSoftmax;
  const R = lengths.length * runs;
  const lenValues = new Float32Array(R);
  lengths.forEach((D, i) => lenValues.fill(rsm ? D : 1, i * runs, (i + 1) * runs));
  const logW = new Float64Array(R);
  noGrad(() => tidy(() => {
    const len = tensor(lenValues);
    const W = model.weight, b = model.visibleBias, c = model.hiddenBias;
    const drawVisible = (logits: Tensor) => (rsm ? rsmSampleVisible(logits, len) : bernoulli(logits.sigmoid()));
    // v ~ p₀: the visible biases alone.
    let v = tidy(() => drawVisible(zeros([R, model.nVisible]).add(b)));
    for (let k = 1; k < betas.length; k++) {
      const next = tidy(() => {
        const act = rsmHidden(matmul(v, W.t()), c, len, 1, false); // W·v + D c
        // log f_βk(v) - log f_βk-1(v) = Σ_j softplus(βk a_j) - softplus(βk-1 a_j), written as
        // (βk - βk-1)·relu(a) + softplus(-βk|a|) - softplus(-βk-1|a|) so that long documents (|a| in
        // the hundreds) do not lose the small difference to float32 rounding.
        const absA = act.abs();
        const delta = act.relu().mul(betas[k] - betas[k - 1])
          .add(absA.mul(-betas[k]).softplus()).sub(absA.mul(-betas[k - 1]).softplus()).sum(-1).data();
        for (let r = 0; r < R; r++) logW[r] += delta[r];
        if (k === betas.length - 1) return null;
        const h = bernoulli(act.mul(betas[k]).sigmoid());
        return drawVisible(linear(h, W.t().mul(betas[k]), b));
      });
      if (next) { v.dispose(); v = next; }
    }
    v.dispose();
  }));
  return lengths.map((D, i) => estimate(logW.slice(i * runs, (i + 1) * runs), baseLogZ(model, rsm ? D : 1)));
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
      const sv = (rsm ? act.logSoftmax(-1).neg().add(act).select(-1, 0) : act.softplus().sum(-1)).data();
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
