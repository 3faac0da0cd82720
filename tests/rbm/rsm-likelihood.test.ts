// ReplicatedSoftmax.fitLikelihood (issue 17): likelihood training of long documents with log Z_D from
// the local maxima of the hidden marginal, checked against the exact likelihood (log Z_D by
// enumerating the hidden states of a small model).
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { init, manualSeed, noGrad, rbm, tensor } from '../../src/index.js';
import { localMaxima, wordStates } from '../../src/rbm/rsm-modes.js';

beforeAll(async () => { await init(); });

// Long documents over 30 words in three topics (words 0-9, 10-19, 20-29): each uses one topic, or
// two in a random proportion; 100 to 300 words.
function corpus(n: number, seed: number): number[][] {
  manualSeed(seed);
  const u = wg.rand([n, 4]).data();
  const docs: number[][] = [];
  for (let d = 0; d < n; d++) {
    const a = Math.floor(u[d * 4] * 3), b = (a + 1 + Math.floor(u[d * 4 + 1] * 2)) % 3;
    const share = u[d * 4 + 2] < 0.5 ? 1 : 0.3 + 0.4 * u[d * 4 + 3];
    const len = 100 + Math.floor(u[d * 4 + 3] * 200);
    const r = wg.rand([len, 2]).data();
    docs.push(Array.from({ length: len }, (_, i) => (r[2 * i] < share ? a : b) * 10 + Math.floor(r[2 * i + 1] * 10 * (1 - 1e-6))));
  }
  return docs;
}

// exp(-Σ log P(doc) / Σ words) with the exact log Z_D.
function exactPerplexity(m: rbm.ReplicatedSoftmax, docs: number[][]): number {
  const lengths = [...new Set(docs.map((d) => d.length))].sort((a, b) => a - b);
  const z = rbm.exactLogZ(m, { lengths });
  const byLength = new Map(lengths.map((D, i) => [D, z[i]]));
  const lp = m.logProb(docs, (D) => byLength.get(D)!).data();
  let total = 0, words = 0;
  docs.forEach((d, i) => { total += lp[i]; words += d.length; });
  return Math.exp(-total / words);
}

function cdModel(train: number[][]): rbm.ReplicatedSoftmax {
  manualSeed(3);
  const m = new rbm.ReplicatedSoftmax(30, 8, { initStd: 0.1 });
  m.fit(train, { epochs: 20, lr: 0.05, batchSize: 20, weighting: 'sqrt' });
  return m;
}

describe('ReplicatedSoftmax.fitLikelihood', () => {
  let train: number[][], held: number[][];
  beforeAll(() => { train = corpus(300, 1); held = corpus(100, 2); });

  it('after CD, lowers the exact perplexity of long documents, held-out ones too', () => {
    const m = cdModel(train);
    const before = exactPerplexity(m, train), heldBefore = exactPerplexity(m, held);
    manualSeed(4);
    const hist = m.fitLikelihood(train, { steps: 40, lr: 0.01 });
    const after = exactPerplexity(m, train), heldAfter = exactPerplexity(m, held);
    console.log(`exact perplexity, training / held-out: after CD ${before.toFixed(2)} / ${heldBefore.toFixed(2)}, after fitLikelihood ${after.toFixed(2)} / ${heldAfter.toFixed(2)}`);
    expect(hist).toHaveLength(40);
    // CD leaves these long documents far from the words' own spread (10 words per topic).
    expect(before).toBeGreaterThan(17);
    expect(after).toBeLessThan(0.85 * before);
    expect(heldAfter).toBeLessThan(0.85 * heldBefore);
    expect(heldAfter).toBeLessThan(16);
    // Step 1 reports the starting model: log Z_D from the maxima found and their neighbourhoods is
    // exact here to 1e-4 nats per word.
    expect(Math.abs(Math.log(hist[0].perplexity / before))).toBeLessThan(1e-4);
    expect(hist[0].maxima).toBeGreaterThan(0);
    for (const s of hist) { expect(s.step).toBeGreaterThan(0); expect(s.steps).toBe(40); expect(s.seconds).toBeGreaterThanOrEqual(0); }
  });

  it('without the neighbourhoods, log Z_D is the maxima alone: a lower bound, so a lower step-1 figure', () => {
    // Small weights: g is nearly flat, and at 100-300 words a maximum's neighbours still count.
    manualSeed(8);
    const m = new rbm.ReplicatedSoftmax(30, 8, { initStd: 0.02 });
    const exact = exactPerplexity(m, train);
    const alone = m.fitLikelihood(train, { steps: 1, lr: 1e-9, neighbourhoods: false })[0].perplexity;
    const withNeighbours = m.fitLikelihood(train, { steps: 1, lr: 1e-9 })[0].perplexity;
    console.log(`step-1 perplexity: maxima alone ${alone.toFixed(4)}, with neighbourhoods ${withNeighbours.toFixed(4)}, exact ${exact.toFixed(4)}`);
    expect(alone).toBeLessThanOrEqual(exact * (1 + 1e-6));
    expect(alone).toBeLessThan(withNeighbours);
    expect(Math.abs(Math.log(withNeighbours / exact))).toBeLessThan(Math.abs(Math.log(alone / exact)));
  });

  it("two calls continue one run: Adam's moments stay with the model", () => {
    const a = cdModel(train), b = cdModel(train);
    manualSeed(5);
    a.fitLikelihood(train, { steps: 6, lr: 0.01 });
    manualSeed(5);
    b.fitLikelihood(train, { steps: 3, lr: 0.01 });
    b.fitLikelihood(train, { steps: 3, lr: 0.01 });
    const diff = a.weight.sub(b.weight).abs().max().item();
    expect(diff).toBeLessThan(1e-6);
    // A fresh model's moments start at zero: three steps on it differ from the continued run.
    const c = cdModel(train);
    manualSeed(5);
    c.fitLikelihood(train, { steps: 3, lr: 0.01 });
    expect(c.weight.sub(b.weight).abs().max().item()).toBeGreaterThan(1e-4);
  });

  it('runs in flat memory (no dispose in user code)', () => {
    const m = cdModel(train);
    const inUse: number[] = [];
    manualSeed(6);
    m.fitLikelihood(train, { steps: 30, lr: 0.01, onStep: () => { inUse.push(wg.backendInfo().memory.inUse); } });
    expect(Math.max(...inUse.slice(5))).toBe(inUse[5]);
  });

  it('bad input gets a clear error', () => {
    const m = new rbm.ReplicatedSoftmax(30, 4);
    expect(() => m.fitLikelihood([[1, 2, 3], [4, 5]])).toThrow(/ReplicatedSoftmax.fitLikelihood: no document has 100 words or more \(the longest has 3\); lower minLength/);
    expect(() => m.fitLikelihood(train, { lr: 0 })).toThrow(/fitLikelihood: lr must be a finite number > 0, got 0/);
    expect(() => m.fitLikelihood(train, { steps: -1 })).toThrow(/steps must be a non-negative integer, got -1/);
    expect(() => m.fitLikelihood(train, { minLength: 0 })).toThrow(/fitLikelihood.*minLength/);
    expect(() => m.fitLikelihood(train, { stepz: 3 } as never)).toThrow(/fitLikelihood.*stepz/);
    expect(() => m.fitLikelihood([[0, 31]])).toThrow(/31/);
  });
});

describe('the top of the hidden marginal (rsm-modes.ts)', () => {
  // A 60 x 14 model with a planted state: units 0-11 together make word 0 (rare on its own, b_0 = -6)
  // dominate, each adding 1.5 to its logit at a cost of 0.5; with fewer than about 8 of them on, each
  // only costs. At long lengths Z_D is that state's (a document repeating word 0), and AIS's chains,
  // which start broad and follow the more common words, never reach it.
  function planted(): rbm.ReplicatedSoftmax {
    manualSeed(1);
    const V = 60, H = 14;
    const m = new rbm.ReplicatedSoftmax(V, H, { initStd: 0.3 });
    noGrad(() => { m.visibleBias.normal_(0, 1); m.hiddenBias.normal_(0, 0.3); });
    const W = Float32Array.from(m.weight.data()), b = Float32Array.from(m.visibleBias.data()), c = Float32Array.from(m.hiddenBias.data());
    for (let j = 0; j < 12; j++) { W[j * V] = 1.5; c[j] = -0.5; }
    b[0] = -6;
    noGrad(() => { m.weight.copy_(tensor(W, { shape: [H, V] })); m.visibleBias.copy_(tensor(b)); m.hiddenBias.copy_(tensor(c)); });
    return m;
  }

  // max over all 2^H states of g(h) = cᵀh + logsumexp(b + Wᵀh), in float64.
  function exactMaxG(m: rbm.ReplicatedSoftmax): number {
    const V = m.nVisible, H = m.nHidden, W = m.weight.data(), b = m.visibleBias.data(), c = m.hiddenBias.data();
    let best = -Infinity;
    const x = new Float64Array(V);
    for (let s = 0; s < 1 << H; s++) {
      let ch = 0;
      for (let k = 0; k < V; k++) x[k] = b[k];
      for (let j = 0; j < H; j++) if ((s >> j) & 1) { ch += c[j]; for (let k = 0; k < V; k++) x[k] += W[j * V + k]; }
      let top = -Infinity;
      for (const y of x) top = Math.max(top, y);
      let sum = 0;
      for (const y of x) sum += Math.exp(y - top);
      best = Math.max(best, ch + top + Math.log(sum));
    }
    return best;
  }

  it("the ascent from each word's own state reaches the largest g", () => {
    const m = planted();
    const starts = wordStates(m);
    expect(starts.length).toBe(60 * 14);
    // Word 0's state switches on exactly the planted units.
    expect(Array.from(starts.subarray(0, 12))).toEqual(new Array(12).fill(1));
    const found = localMaxima(m, starts);
    expect(Math.max(...found.g)).toBeCloseTo(exactMaxG(m), 9);
    // Distinct maxima, each a local maximum: no single flip raises g.
    expect(new Set(found.states.map((s) => s.join(''))).size).toBe(found.states.length);
    const again = localMaxima(m, Float32Array.from(found.states.flatMap((s) => Array.from(s))));
    expect(again.g).toEqual(found.g);
  });

  it('rbm.ais: the bound from the maxima holds log Z_D where the raw AIS misses the planted state by hundreds of nats', () => {
    const m = planted();
    const lengths = [200, 1000];
    const exact = rbm.exactLogZ(m, { lengths });
    manualSeed(10);
    const est = rbm.ais(m, { lengths, runs: 4, steps: 10 });
    est.estimates.forEach((e, i) => {
      const top = Math.max(...e.logWeights);
      const raw = e.logZBase + top + Math.log(e.logWeights.reduce((a, w) => a + Math.exp(w - top), 0) / e.logWeights.length);
      expect(raw, `D=${lengths[i]}: raw AIS ${raw} vs exact ${exact[i]}`).toBeLessThan(exact[i] - 100);
      expect(Math.abs(e.logZ - exact[i]), `D=${lengths[i]}: ${e.logZ} vs exact ${exact[i]}`).toBeLessThan(0.5);
      expect(e.lowerBound!).toBeLessThanOrEqual(exact[i] + 1e-6 * Math.abs(exact[i]));
    });
  });
});
