// Likelihood training of a Replicated Softmax on its long documents. CD learns the words well but not
// the hidden prior of long documents: summing out the words, the model's hidden marginal at length D
// is exp(D·g(h)) / Z_D with g(h) = cᵀh + logsumexp(b + Wᵀh), so the length acts as an inverse
// temperature, and a long document whose state has g a little below the largest pays D times the
// difference (on Spam Assassin ~0.4 nats per word over 100 words). CD's chains, started at the data,
// never see where the largest g is; the likelihood does:
//   log P(v) = -F(v) - log Z_D,   log Z_D = log Σ_h exp(D·g(h)),
// and at a long length Z_D is held by the local maxima of g, so log Z_D ≈ logsumexp over the maxima
// found (rsm-modes.ts) of D·g, with each maximum's one-flip neighbourhood (topLogZ), differentiable in
// W, b and c. Every step finds the maxima again from each document's most probable state, each word's
// own state, the previous step's maxima and a few random states, then takes one Adam step on the mean
// negative log-likelihood per word of the long documents.
// A maximum never found is missing from log Z_D, which makes the objective optimistic, and the training
// would push the others down around it (a first version without the words' states did exactly that);
// short documents, whose Z_D the maxima do not hold, are left out. Judge the result by AIS (rbm.ais).
import { frame } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { bernoulli, tensor, zeros } from '../ops/creation.js';
import { Adam } from '../optim/index.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { checkSize } from './rbm.js';
import { flipGains, localMaxima, wordStates } from './rsm-modes.js';
import type { Tensor } from '../tensor.js';
import type { Documents, ReplicatedSoftmax } from './rsm.js';

export interface RSMLikelihoodOptions {
  /** Documents shorter than this many words are left out (default 100): the found maxima hold Z_D only at long lengths. */
  minLength?: number;
  /** Adam steps, each over all the long documents (default 100). */
  steps?: number;
  /** Adam's learning rate (default 0.001). */
  lr?: number;
  /** Random states added to the ascent's starts at every step, from the seeded generator (default 32). */
  randomStarts?: number;
  /**
   * Count each maximum's one-flip neighbourhood in log Z_D, as if its flips were independent (default
   * true): a flat top of g holds many states, which the maxima alone miss.
   */
  neighbourhoods?: boolean;
  /** Called after every step. */
  onStep?: (stats: RSMLikelihoodStats) => void;
}

export interface RSMLikelihoodStats {
  step: number;
  steps: number;
  /** exp(mean negative log-likelihood per word) of the long documents before the step, log Z_D from the found maxima. */
  perplexity: number;
  /** Distinct local maxima of g found at this step. */
  maxima: number;
  seconds: number;
}

const ARGS: ArgSpec = {
  op: 'ReplicatedSoftmax.fitLikelihood', keywords: ['minLength', 'steps', 'lr', 'randomStarts', 'neighbourhoods', 'onStep'],
  types: { minLength: 'integer', steps: 'integer', lr: 'number', randomStarts: 'integer', neighbourhoods: 'boolean', onStep: 'function' },
};

// Adam's moments stay with the model between calls, as a training run split into chunks expects.
const optimizers = new WeakMap<ReplicatedSoftmax, Adam>();

export function fitLikelihood(model: ReplicatedSoftmax, docs: Documents, opts: RSMLikelihoodOptions = {}): RSMLikelihoodStats[] {
  const op = 'ReplicatedSoftmax.fitLikelihood';
  checkOptions(ARGS, opts);
  const minLength = checkSize(opts.minLength ?? 100, 'minLength', op);
  const steps = opts.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`${op}: steps must be a non-negative integer, got ${steps}`);
  const lr = opts.lr ?? 0.001;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`${op}: lr must be a finite number > 0, got ${lr}`);
  const randomStarts = opts.randomStarts ?? 32;
  if (!Number.isInteger(randomStarts) || randomStarts < 0) throw new Error(`${op}: randomStarts must be a non-negative integer, got ${randomStarts}`);
  const H = model.nHidden;
  const { v, lengths } = frame(() => {
    const all = model.counts(docs);
    const D = all.sum(-1).data();
    const keep: number[] = [];
    let longest = 0;
    for (let i = 0; i < D.length; i++) { longest = Math.max(longest, D[i]); if (D[i] >= minLength) keep.push(i); }
    if (!keep.length) throw new Error(`${op}: no document has ${minLength} words or more (the longest has ${longest}); lower minLength`);
    return { v: all.indexSelect(0, tensor(Int32Array.from(keep))).keep(), lengths: keep.map((i) => D[i]) };
  });
  let opt = optimizers.get(model);
  if (!opt) { opt = new Adam([model.weight, model.visibleBias, model.hiddenBias], { lr }); optimizers.set(model, opt); }
  for (const g of opt.paramGroups) g.lr = lr;
  const words = lengths.reduce((a, b) => a + b, 0);
  // log Z_D is computed once per distinct length and gathered per document.
  const distinctList = [...new Set(lengths)].sort((a, b) => a - b);
  const distinct = tensor(Float32Array.from(distinctList), { shape: [distinctList.length, 1, 1] }).keep();
  const lengthIndex = tensor(Int32Array.from(lengths, (D) => distinctList.indexOf(D))).keep();
  const neighbourhoods = opts.neighbourhoods ?? true;
  let previous: Uint8Array[] = [];
  const history: RSMLikelihoodStats[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      const t0 = performance.now();
      // Starts: each document's most probable state [P(h | v) > 0.5], each word's own state (where the
      // maxima that hold Z_D at long lengths usually are), the last maxima, random states.
      const starts = noGrad(() => frame(() => {
        const parts = [model.hiddenProbs(v).gt(0.5).data(), wordStates(model),
          randomStarts ? bernoulli(zeros([randomStarts, H]).add(0.5)).data() : new Float32Array(0)];
        const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0) + previous.length * H);
        let at = 0;
        for (const p of parts) { out.set(p, at); at += p.length; }
        for (const s of previous) { out.set(s, at); at += H; }
        return out;
      }));
      const found = localMaxima(model, starts);
      previous = found.states;
      const perplexity = frame(() => {
        opt!.zeroGrad();
        const S = tensor(Float32Array.from(found.states.flatMap((s) => Array.from(s))), { shape: [found.states.length, H] });
        const logZ = topLogZ(model, S, distinct, neighbourhoods).indexSelect(0, lengthIndex);
        const loss = model.freeEnergy(v).add(logZ).sum().div(words);
        loss.backward();
        opt!.step();
        return Math.exp(loss.item());
      });
      const stats: RSMLikelihoodStats = { step, steps, perplexity, maxima: found.states.length, seconds: (performance.now() - t0) / 1000 };
      history.push(stats);
      opts.onStep?.(stats);
    }
  } finally {
    v.dispose(); distinct.dispose(); lengthIndex.dispose();
  }
  return history;
}

// log Z_D for the lengths D [L, 1, 1] from the maxima S [m, nHidden], differentiable in the parameters:
// logsumexp_m D·g(m), and with `neighbourhoods` each maximum's one-flip neighbours too,
//   log Z_D ≈ logsumexp_m (D·g(m) + Σ_j log(1 + exp(D·Δ_mj))),   Δ_mj = g(m with unit j flipped) - g(m) <= 0.
function topLogZ(model: ReplicatedSoftmax, S: Tensor, lengths: Tensor, neighbourhoods: boolean): Tensor {
  const { g, gains } = flipGains(model, S);
  let perState = lengths.reshape([-1, 1]).mul(g.reshape([1, -1])); // [L, m]
  if (neighbourhoods) perState = perState.add(lengths.mul(gains.unsqueeze(0)).softplus().sum(-1));
  return perState.logsumexp(-1);
}
