// Replicated Softmax (issue 17): conditionals, free energy and its gradient, CD statistics and
// exact log Z against PyTorch (scripts/fixtures/rsm.py); AIS against exact log Z of small models
// (binary RBM and Replicated Softmax, within 0.5 nats); the seeded word sampler; training on a
// two-topic corpus; bad input; and the text toolkit's tokeniser and vocabulary.
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { init, manualSeed, noGrad, rbm, tensor, zeros } from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface Fixture {
  W: TensorSpec; b: TensorSpec; c: TensorSpec; v0: TensorSpec; vNeg: TensorSpec; h: TensorSpec;
  hiddenProbs: TensorSpec; wordProbs: TensorSpec; freeEnergy: TensorSpec;
  freeEnergyGrad: { W: TensorSpec; b: TensorSpec; c: TensorSpec };
  cdGradients: { W: TensorSpec; b: TensorSpec; c: TensorSpec };
  logZ: { lengths: number[]; values: number[] };
}
const fx = loadFixture<Fixture>('rsm');

function fixtureModel(): rbm.ReplicatedSoftmax {
  const m = new rbm.ReplicatedSoftmax(fx.W.shape[1], fx.W.shape[0]);
  m.loadStateDict({ weight: fromSpec(fx.W), visibleBias: fromSpec(fx.b), hiddenBias: fromSpec(fx.c) });
  return m;
}

function randomModel(V: number, H: number, std: number, seed: number): rbm.ReplicatedSoftmax {
  manualSeed(seed);
  const m = new rbm.ReplicatedSoftmax(V, H, { initStd: std });
  noGrad(() => { m.visibleBias.normal_(0, 1); m.hiddenBias.normal_(0, 0.3); });
  return m;
}

describe('Replicated Softmax matches PyTorch', () => {
  it('hidden probabilities σ(W·v + D c), word probabilities and free energy', () => {
    const m = fixtureModel();
    expectClose(m.hiddenProbs(fromSpec(fx.v0)), fx.hiddenProbs);
    expectClose(m.transform(fromSpec(fx.v0)), fx.hiddenProbs);
    expectClose(m.wordProbs(fromSpec(fx.h)), fx.wordProbs);
    expectClose(m.freeEnergy(fromSpec(fx.v0)), fx.freeEnergy, 1e-5, 1e-4);
  });

  it('gradient of the mean free energy (autograd through freeEnergy)', () => {
    const m = fixtureModel();
    m.freeEnergy(fromSpec(fx.v0)).mean().backward();
    expectClose(m.weight.grad!, fx.freeEnergyGrad.W, 1e-4, 1e-4, 'dW');
    expectClose(m.visibleBias.grad!, fx.freeEnergyGrad.b, 1e-4, 1e-4, 'db');
    expectClose(m.hiddenBias.grad!, fx.freeEnergyGrad.c, 1e-4, 1e-4, 'dc');
  });

  it('CD statistics from fixed negative documents', () => {
    const g = fixtureModel().cdGradients(fromSpec(fx.v0), fromSpec(fx.vNeg));
    expectClose(g.weight, fx.cdGradients.W, 1e-4, 1e-4, 'weight');
    expectClose(g.visibleBias, fx.cdGradients.b, 1e-4, 1e-4, 'visibleBias');
    expectClose(g.hiddenBias, fx.cdGradients.c, 1e-4, 1e-4, 'hiddenBias');
  });

  it('exact log Z_D by enumeration', () => {
    const got = rbm.exactLogZ(fixtureModel(), { lengths: fx.logZ.lengths });
    got.forEach((z, i) => expect(z).toBeCloseTo(fx.logZ.values[i], 2));
  });
});

describe('AIS', () => {
  it('binary RBM: within 0.5 nats of the exact log Z (two models)', () => {
    for (const [std, seed] of [[0.5, 1], [1.5, 2]]) {
      manualSeed(seed);
      const m = new rbm.RBM(24, 10, { initStd: std });
      noGrad(() => { m.visibleBias.normal_(0, 1); m.hiddenBias.normal_(0, 1); });
      const exact = rbm.exactLogZ(m);
      const est = rbm.ais(m, { runs: 100, steps: 1000 });
      expect(Math.abs(est.logZ - exact), `std ${std}: AIS ${est.logZ} vs exact ${exact}`).toBeLessThan(0.5);
      expect(est.logZStd).toBeGreaterThan(0);
      expect(est.logWeights.length).toBe(100);
    }
  });

  it('Replicated Softmax: within 0.5 nats of the exact log Z_D for short and long documents', () => {
    // Annealing β at a fixed length missed these by 98 nats (std 0.5, D = 400) and 918 (D = 2000);
    // the length path gets every length from one set of runs.
    for (const [V, H, std, seed] of [[40, 10, 0.5, 3], [100, 12, 0.5, 5]]) {
      const m = randomModel(V, H, std, seed);
      const lengths = [1, 2, 7, 60, 400, 2000];
      const exact = rbm.exactLogZ(m, { lengths });
      const est = rbm.ais(m, { lengths: [400, 1, 60, 7, 2, 2000, 60], runs: 64, steps: 1000 });
      expect(est.lengths).toEqual(lengths);
      lengths.forEach((D, i) => expect(Math.abs(est.logZ(D) - exact[i]), `${V}x${H} D=${D}: AIS ${est.logZ(D)} vs exact ${exact[i]}`).toBeLessThan(0.5));
      expect(est.estimates.every((e) => e.logWeights.length === 64 && e.logZStd > 0)).toBe(true);
      expect(() => est.logZ(3)).toThrow(/not estimated for length 3/);
    }
  });

  it('Replicated Softmax: log Z_D is never below the sure bound from local maxima of g, which rescues a short AIS at long lengths', () => {
    // 4 runs of 10 steps: the raw AIS estimate (from the runs' weights) misses log Z_D by ~7.5 nats
    // from D = 50 on; the bound log Σ exp(D·g(h)) over the maxima found pins it there.
    const m = randomModel(40, 12, 1.5, 7);
    const lengths = [5, 50, 500, 2000];
    const exact = rbm.exactLogZ(m, { lengths });
    const est = rbm.ais(m, { lengths, runs: 4, steps: 10 });
    lengths.forEach((D, i) => {
      const e = est.estimates[i];
      const top = Math.max(...e.logWeights);
      const raw = e.logZBase + top + Math.log(e.logWeights.reduce((a, w) => a + Math.exp(w - top), 0) / e.logWeights.length);
      const bound = e.lowerBound!;
      expect(bound, `D=${D}: the bound ${bound} may not exceed exact ${exact[i]}`).toBeLessThanOrEqual(exact[i] + 1e-6 * Math.abs(exact[i]) + 1e-3);
      expect(e.logZ).toBeCloseTo(Math.max(raw, bound), 9);
      if (D >= 50) {
        expect(raw, `D=${D}: raw AIS ${raw} should miss exact ${exact[i]} here`).toBeLessThan(exact[i] - 5);
        expect(Math.abs(e.logZ - exact[i]), `D=${D}: ${e.logZ} vs exact ${exact[i]}`).toBeLessThan(0.5);
      }
    });
    // Two runs that end in poorer maxima: the bound stays a lower bound.
    const m2 = randomModel(60, 14, 1.5, 9);
    const exact2 = rbm.exactLogZ(m2, { lengths });
    const est2 = rbm.ais(m2, { lengths, runs: 2, steps: 5 });
    lengths.forEach((_, i) => expect(est2.estimates[i].lowerBound!).toBeLessThanOrEqual(exact2[i] + 1e-6 * Math.abs(exact2[i]) + 1e-3));
  });

  it('perplexity = exp(-Σ log P(doc) / Σ words) with the AIS log Z', () => {
    const m = randomModel(40, 10, 0.5, 4);
    const docs = [[0, 1, 2, 3, 3], [5, 5, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]];
    const r = rbm.perplexity(m, docs, { runs: 64, steps: 500 });
    const free = m.freeEnergy(docs).data();
    const exact = rbm.exactLogZ(m, { lengths: [5, 3, 11] });
    let lp = 0;
    for (let i = 0; i < 3; i++) { lp += -free[i] - exact[i]; expect(r.logProb[i]).toBeCloseTo(-free[i] - exact[i], 0); }
    expect(Math.log(r.perplexity)).toBeCloseTo(-lp / 19, 1);
  });
});

describe('word sampler', () => {
  it('draws round(length) words per row with the softmax frequencies, reproducibly', () => {
    manualSeed(5);
    const logits = tensor([[0.5, -1, 2, 0, 1], [0, 0, 0, 0, 0]]);
    const a = rbm.rsmSampleVisible(logits, tensor([100000, 3]));
    manualSeed(5);
    const b = rbm.rsmSampleVisible(logits, tensor([100000, 3]));
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    const counts = a.data();
    const p = logits.softmax(-1).data();
    for (let k = 0; k < 5; k++) expect(Math.abs(counts[k] / 100000 - p[k])).toBeLessThan(0.005);
    expect(Array.from(counts.slice(5)).reduce((x, y) => x + y, 0)).toBe(3);
    expect(counts.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
  });
});

describe('training', () => {
  // Two topics over a 20-word vocabulary: documents use words 0-9 or words 10-19.
  function corpus(n: number, seed: number): number[][] {
    manualSeed(seed);
    const u = wg.rand([n, 40]).data();
    return Array.from({ length: n }, (_, d) => {
      const base = d % 2 === 0 ? 0 : 10, len = 5 + Math.floor(u[d * 40] * 30);
      return Array.from({ length: len }, (_, i) => base + Math.floor(u[d * 40 + 1 + (i % 39)] * 10 * (1 - 1e-6)));
    });
  }

  it('CD lowers the reconstruction perplexity, features separate the topics, top words follow them', () => {
    const docs = corpus(400, 6);
    manualSeed(7);
    const m = new rbm.ReplicatedSoftmax(20, 4);
    const hist = m.fit(docs, { epochs: 15, lr: 0.01, batchSize: 20 });
    expect(hist).toHaveLength(15);
    expect(hist[14].reconstructionPerplexity).toBeLessThan(0.8 * hist[0].reconstructionPerplexity);
    // Close to the 10 equally likely words of a document's own topic.
    expect(hist[14].reconstructionPerplexity).toBeLessThan(12);
    const f = m.transform(docs).data();
    // Some unit's mean activation differs clearly between the topics.
    let best = 0;
    for (let j = 0; j < 4; j++) {
      let a = 0, b = 0;
      for (let d = 0; d < docs.length; d++) (d % 2 === 0 ? (a += f[d * 4 + j]) : (b += f[d * 4 + j]));
      best = Math.max(best, Math.abs(a - b) / (docs.length / 2));
    }
    expect(best).toBeGreaterThan(0.5);
    const top = m.topWords(5) as number[][];
    expect(top).toHaveLength(4);
    // A unit's top words come from one topic.
    expect(top.some((ids) => ids.every((i) => i < 10) || ids.every((i) => i >= 10))).toBe(true);
    const named = m.topWords(3, { vocabulary: Array.from({ length: 20 }, (_, i) => `w${i}`) }) as string[][];
    expect(named[0][0]).toMatch(/^w\d+$/);
  });

  // The change of [weight, visibleBias, hiddenBias] by one CD-1 update over `docs` (one batch, no
  // momentum) from the same model and seed, for a given weighting.
  type Weighting = NonNullable<rbm.RSMFitOptions['weighting']>;
  const oneUpdate = (docs: number[][], weighting: Weighting) => {
    const m = randomModel(6, 3, 0.3, 9);
    const before = [m.weight.clone(), m.visibleBias.clone(), m.hiddenBias.clone()];
    manualSeed(10);
    m.fit(docs, { epochs: 1, batchSize: 3, shuffle: false, momentum: 0, lr: 0.1, weighting });
    return [m.weight, m.visibleBias, m.hiddenBias].map((p, i) => p.sub(before[i]));
  };

  // Every document of `docs` has the same length D and `weighting` divides its update by s (D^p): the
  // weights' and visible biases' update is the plain ('words') one over s, the hidden biases' over s²
  // (they are multiplied by the length in every pre-activation).
  const expectScaledUpdate = (docs: number[][], weighting: Weighting, s: number) => {
    const [w, b, c] = oneUpdate(docs, weighting), [wordW, wordB, wordC] = oneUpdate(docs, 'words');
    expectClose(w, wordW.div(s), 1e-4, 1e-6, 'weight');
    expectClose(b, wordB.div(s), 1e-4, 1e-6, 'visibleBias');
    expectClose(c, wordC.div(s * s), 1e-4, 1e-6, 'hiddenBias');
  };
  const length4 = [[0, 1, 1, 2], [3, 4, 4, 4], [0, 0, 5, 5]];
  const length8 = [[0, 1, 1, 2, 3, 3, 4, 5], [3, 4, 4, 4, 0, 1, 2, 2], [0, 0, 5, 5, 1, 1, 2, 3]];

  it("weighting: 'documents' divides each document's update by its length (the hidden biases' by its square)", () => {
    expectScaledUpdate(length4, 'documents', 4);
    expect(() => randomModel(6, 3, 0.3, 9).fit(length4, { weighting: 'tokens' as any })).toThrow(/weighting must be 'words', 'documents', 'sqrt' or a power in \[0, 1\], got "tokens"/);
    expect(() => randomModel(6, 3, 0.3, 9).fit(length4, { weighting: 1.5 })).toThrow(/or a power in \[0, 1\], got 1.5/);
  });

  it("weighting: 'sqrt' divides each document's update by the square root of its length (the hidden biases' by the length)", () => {
    expectScaledUpdate(length4, 'sqrt', 2);
  });

  it('weighting as a power p divides each document\'s update by D^p (the hidden biases\' by D^(2p)); 0.5 is \'sqrt\', 1 \'documents\'', () => {
    expectScaledUpdate(length8, 1 / 3, 2); // 8^(1/3) = 2
    const sqrt = oneUpdate(length8, 'sqrt'), words = oneUpdate(length8, 'words');
    oneUpdate(length8, 0.5).forEach((t, i) => expectClose(t, sqrt[i], 1e-6, 1e-8));
    oneUpdate(length8, 0).forEach((t, i) => expectClose(t, words[i], 1e-6, 1e-8));
  });

  it('ema keeps a moving average of the parameters over the updates; averaged() returns it as a model', () => {
    const docs = corpus(30, 13);
    // Three updates per epoch (batch 10, no shuffle, no momentum): the average follows the iterates.
    manualSeed(15);
    const m = randomModel(20, 4, 0.3, 14);
    const iterates: wg.Tensor[][] = [];
    const opts = { batchSize: 10, shuffle: false, momentum: 0, lr: 0.05 } as const;
    // One update at a time (one batch per fit call) gives the iterates a 3-update fit passes through.
    manualSeed(22);
    const ref = randomModel(20, 4, 0.3, 14);
    manualSeed(22);
    for (let u = 0; u < 6; u++) {
      ref.fit(docs.slice((u % 3) * 10, (u % 3) * 10 + 10), { ...opts, epochs: 1 });
      iterates.push([ref.weight.clone(), ref.visibleBias.clone(), ref.hiddenBias.clone()]);
    }
    manualSeed(22);
    // Epoch 1 at decay 0 (the average is the current parameters), epoch 2 at 0.9, continued by a second fit call.
    m.fit(docs, { ...opts, epochs: 1, ema: (e) => (e === 1 ? 0 : 0.9) });
    expectClose(m.averaged().weight, iterates[2][0], 1e-5, 1e-7, 'average at decay 0');
    m.fit(docs, { ...opts, epochs: 1, ema: 0.9 });
    expectClose(m.weight, iterates[5][0], 1e-5, 1e-7, 'iterates');
    for (let i = 0; i < 3; i++) {
      let avg = iterates[2][i];
      for (let u = 3; u < 6; u++) avg = avg.mul(0.9).add(iterates[u][i].mul(0.1));
      const a = m.averaged();
      expectClose([a.weight, a.visibleBias, a.hiddenBias][i], avg, 1e-5, 1e-7, `average ${i}`);
    }
    // Not in the state dict; resetAverage() drops it (averaged() is then a copy of the parameters).
    expect([...m.stateDict().keys()].sort()).toEqual(['hiddenBias', 'visibleBias', 'weight']);
    m.resetAverage();
    expectClose(m.averaged().weight, m.weight, 0, 0);
    expect(() => m.fit(docs, { epochs: 1, ema: 1 })).toThrow(/ema decay must be in \[0, 1\), got 1/);
    expect(() => m.fit(docs, { epochs: 1, ema: () => -0.1 })).toThrow(/ema decay must be in \[0, 1\), got -0.1/);
  });

  it('lr as a schedule epoch → lr', () => {
    const docs = corpus(30, 13);
    const run = (lr: number | ((e: number) => number), epochs: number) => {
      const m = randomModel(20, 4, 0.3, 14);
      manualSeed(15);
      const seen: number[] = [];
      m.fit(docs, { epochs, lr: typeof lr === 'function' ? (e) => { seen.push(e); return lr(e); } : lr, momentum: 0, batchSize: 10, shuffle: false });
      return { m, seen };
    };
    const a = run(0.05, 1).m, { m: b, seen } = run((e) => (e === 1 ? 0.05 : 0), 3);
    expect(seen).toEqual([1, 2, 3]);
    // Epochs at lr 0 (and no momentum) leave the parameters where the first epoch put them.
    expectClose(b.weight, a.weight, 1e-6, 1e-7, 'weight');
    expectClose(b.hiddenBias, a.hiddenBias, 1e-6, 1e-7, 'hiddenBias');
    expect(() => randomModel(6, 3, 0.3, 9).fit([[1]], { epochs: 1, lr: () => -1 })).toThrow(/lr must be a finite number >= 0, got -1/);
  });

  it("persistent chains: the first update equals CD's, then the chains continue; both kinds learn the two topics", () => {
    const docs = corpus(40, 16);
    const once = (persistent: false | 'documents' | 'particles') => {
      const m = randomModel(20, 4, 0.3, 17);
      manualSeed(18);
      m.fit(docs, { epochs: 1, batchSize: 40, shuffle: false, momentum: 0, lr: 0.05, k: 1, persistent });
      return m;
    };
    const cd = once(false);
    for (const kind of ['documents', 'particles'] as const) {
      const p = once(kind);
      expectClose(p.weight, cd.weight, 1e-6, 1e-7, `${kind}: weight`);
      expectClose(p.hiddenBias, cd.hiddenBias, 1e-6, 1e-7, `${kind}: hiddenBias`);
    }
    // The exact perplexity of the training documents (log Z_D by enumeration) falls from the uniform
    // model's 20 toward the 10 words of a document's topic (measured: CD 10.8, 'documents' 11.7,
    // 'particles' 12.0 at these settings; a persistent chain needs a smaller step than CD).
    const big = corpus(400, 6);
    const exactPerplexity = (m: rbm.ReplicatedSoftmax) => {
      const v = m.counts(big);
      const L = Array.from(v.sum(-1).data()), lengths = [...new Set(L)];
      const z = new Map(rbm.exactLogZ(m, { lengths }).map((x, i) => [lengths[i], x]));
      const lp = m.logProb(v, (D) => z.get(D)!).data();
      let s = 0, w = 0;
      for (let i = 0; i < L.length; i++) { s += lp[i]; w += L[i]; }
      return Math.exp(-s / w);
    };
    for (const kind of ['documents', 'particles'] as const) {
      manualSeed(7);
      const m = new rbm.ReplicatedSoftmax(20, 4);
      expect(exactPerplexity(m)).toBeCloseTo(20, 1);
      m.fit(big, { epochs: 60, lr: 0.001, momentum: 0.9, batchSize: 20, persistent: kind });
      expect(exactPerplexity(m), kind).toBeLessThan(13);
    }
    expect(() => randomModel(6, 3, 0.3, 9).fit([[1]], { persistent: 'chains' as any })).toThrow(/persistent must be false, 'documents' or 'particles', got "chains"/);
    expect(() => randomModel(6, 3, 0.3, 9).fit([[1]], { persistent: true as any })).toThrow(/persistent must be false/);
  });

  it('meanField: the negative phase after its first step is driven by P(h | v); CD-1 is unchanged', () => {
    const docs = corpus(40, 19);
    const run = (meanField: boolean, k: number) => {
      const m = randomModel(20, 4, 0.3, 20);
      manualSeed(21);
      m.fit(docs, { epochs: 2, batchSize: 20, lr: 0.05, k, meanField });
      return m.weight;
    };
    expectClose(run(true, 1), run(false, 1), 1e-6, 1e-7);
    expect(run(true, 3).sub(run(false, 3)).abs().max().item()).toBeGreaterThan(1e-4);
  });

  it('fit runs in flat memory (CD-5, 1,000 updates, no dispose in user code)', () => {
    const docs = corpus(64, 11);
    manualSeed(12);
    const m = new rbm.ReplicatedSoftmax(20, 6);
    const inUse: number[] = [];
    m.fit(docs, { epochs: 125, batchSize: 8, k: 5, lr: 0.01, weighting: 'documents', onEpoch: () => { inUse.push(wg.backendInfo().memory.inUse); } });
    expect(Math.max(...inUse.slice(10))).toBe(inUse[10]);
  });

  it('a count tensor passed to fit stays usable; sparse and dense inputs agree', () => {
    const m = randomModel(6, 3, 0.3, 8);
    const dense = tensor([[1, 0, 2, 0, 0, 0], [0, 0, 0, 0, 0, 4]]);
    m.fit(dense, { epochs: 1, batchSize: 2 });
    expect(dense.sum().item()).toBe(7);
    const fromIds = m.freeEnergy([[0, 2, 2], [5, 5, 5, 5]]).data();
    const fromMaps = m.freeEnergy([new Map([[0, 1], [2, 2]]), { 5: 4 }]).data();
    const fromDense = m.freeEnergy(dense).data();
    expect(Array.from(fromIds)).toEqual(Array.from(fromDense));
    expect(Array.from(fromMaps)).toEqual(Array.from(fromDense));
  });
});

describe('bad input gets a clear error', () => {
  const m = () => new rbm.ReplicatedSoftmax(5, 2);
  it('empty documents', () => {
    expect(() => m().transform([[0, 1], []])).toThrow(/1 of 2 documents are empty.*index 1/);
    expect(() => m().fit(tensor([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]), { epochs: 1 })).toThrow(/ReplicatedSoftmax: 1 of 2 documents are empty/);
  });
  it('word ids out of the vocabulary', () => {
    expect(() => m().transform([[0, 5]])).toThrow(/word id 5 in document 0 is out of the vocabulary \[0, 5\)/);
    expect(() => m().transform([[-1]])).toThrow(/word id -1/);
    expect(() => m().transform([[1.5]])).toThrow(/word id 1.5/);
    expect(() => m().transform([{ 7: 1 }])).toThrow(/word id 7/);
  });
  it('counts that are not non-negative integers, and wrong shapes', () => {
    expect(() => m().transform(tensor([[0.5, 1, 0, 0, 0]]))).toThrow(/non-negative integers, got 0.5 in document 0 at word id 0/);
    expect(() => m().transform(tensor([[1, -1, 0, 0, 3]]))).toThrow(/got -1/);
    expect(() => m().transform(zeros([2, 4]))).toThrow(/expected word counts of shape \[N, 5\] \(vocabulary size 5\), got shape \[2,4\]/);
    expect(() => m().transform('text' as any)).toThrow(/documents must be/);
  });
  it('options and AIS misuse', () => {
    expect(() => new rbm.ReplicatedSoftmax(0, 2)).toThrow(/vocabSize must be a positive integer/);
    expect(() => m().fit([[1]], { epochs: 1, learningRate: 0.1 } as any)).toThrow(/learningRate/);
    expect(() => rbm.ais(m() as any, {})).toThrow(/one Z per document length; pass \{ lengths/);
    expect(() => rbm.ais(m(), { lengths: [0] })).toThrow(/lengths must be positive integers/);
    expect(() => rbm.ais(m(), { lengths: [3], betas: [0, 1] })).toThrow(/betas apply to a binary RBM; a Replicated Softmax anneals the document length/);
    expect(() => rbm.ais(new rbm.RBM(4, 3), { betas: [0, 0.5] })).toThrow(/betas must increase from 0 to 1/);
    expect(() => rbm.ais(new rbm.RBM(4, 3, { visible: 'gaussian' }))).toThrow(/Bernoulli visible and hidden units.*gaussian visible/);
    expect(() => rbm.exactLogZ(new rbm.RBM(4, 21))).toThrow(/2\^21 hidden configurations/);
  });
});

describe('text toolkit', () => {
  const { tokenize, Vocabulary } = wg.data;
  it('tokenize: lower-cases, keeps inner apostrophes and letters with digits, drops numbers and punctuation', () => {
    expect(tokenize("Don't PANIC, 42 times! mp3 e-mail café’s")).toEqual(["don't", 'panic', 'times', 'mp3', 'e', 'mail', "café's"]);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('... 123 !!! --')).toEqual([]);
    expect(tokenize("'quoted' rock'n'roll")).toEqual(['quoted', "rock'n'roll"]);
    expect(tokenize('Ünïcödé ΣΟΦΙΑ')).toEqual(['ünïcödé', 'σοφια']);
    expect(tokenize('Keep Case', { lowerCase: false })).toEqual(['Keep', 'Case']);
  });
  it('tokenize: stop words (any case in the list) and minimum length', () => {
    expect(tokenize('The cat and THE hat', { stopWords: ['The', 'and'] })).toEqual(['cat', 'hat']);
    expect(tokenize('a bb ccc', { minLength: 2 })).toEqual(['bb', 'ccc']);
    expect(() => tokenize('x', { stopWords: 'the' as any })).toThrow(/stopWords must be an array or Set/);
    expect(() => tokenize(42 as any)).toThrow(/tokenize: expected a string, got number/);
    expect(() => tokenize('x', { stop_words: [] } as any)).toThrow(/stopWords/);
  });
  it('Vocabulary: most frequent first, ties alphabetical, unknown words dropped, counts', () => {
    const docs = [['b', 'a', 'c', 'c'], ['a', 'd'], ['b', 'c']];
    const v = Vocabulary.build(docs, { maxSize: 3 });
    expect(v.words).toEqual(['c', 'a', 'b']);
    expect(v.id('d')).toBe(-1);
    expect(v.encode(['d', 'b', 'c'])).toEqual([2, 0]);
    expect(Array.from(v.counts(docs).data())).toEqual([2, 1, 1, 0, 1, 0, 1, 0, 1]);
    expect(Vocabulary.build(docs, { minCount: 2 }).words).toEqual(['c', 'a', 'b']);
    expect(() => Vocabulary.build(['a b' as any])).toThrow(/document 0 is not an array of words/);
    expect(() => new Vocabulary(['a', 'a'])).toThrow(/"a" appears twice/);
    expect(() => v.word(3)).toThrow(/out of range \[0, 3\)/);
  });
});
