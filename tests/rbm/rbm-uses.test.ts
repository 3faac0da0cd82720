// Issue 16: the collaborative-filtering RBM (SoftmaxRBM, plain and conditional), MovieLens ratings (data.loadRatings /
// splitRatings) and the classification RBM (ClassRBM). Against PyTorch (scripts/fixtures/rbm_uses.py):
// softmax-visible free energy and its gradients with missing ratings, mean-field CD statistics,
// expected ratings, ClassRBM p(y|x), -log p(y|x) gradients and free energy. Finite-difference
// gradchecks, the property that an absent rating never changes a gradient, and bad-input errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';
import { itemMeanRmse, rmseOf } from './ratings-metrics.js';

beforeAll(async () => { await wg.init(); });

type Grads = Record<string, TensorSpec>;
const fx = loadFixture<{
  softmax: { I: number; K: number; H: number; ratings: TensorSpec; W: TensorSpec; b: TensorSpec; c: TensorSpec; freeEnergy: TensorSpec; freeEnergyGrad: Grads;
    meanFieldCD1: Grads; meanFieldCD2: Grads; expected: TensorSpec;
    conditional: { rated: TensorSpec; W: TensorSpec; b: TensorSpec; c: TensorSpec; D: TensorSpec; freeEnergy: TensorSpec; freeEnergyGrad: Grads;
      meanFieldCD1: Grads; meanFieldCD2: Grads; expected: TensorSpec } };
  classRBM: { D: number; H: number; C: number; x: TensorSpec; y: TensorSpec; W: TensorSpec; U: TensorSpec; b: TensorSpec; c: TensorSpec; d: TensorSpec;
    scores: TensorSpec; proba: TensorSpec; nll: number; nllGrad: Grads; freeEnergy: TensorSpec; freeEnergyGrad: Grads };
}>('rbm-uses');

function softmaxModel(): wg.rbm.SoftmaxRBM {
  const s = fx.softmax;
  const m = new wg.rbm.SoftmaxRBM(s.I, s.H, { ratings: s.K });
  m.loadStateDict({ weight: fromSpec(s.W), visibleBias: fromSpec(s.b), hiddenBias: fromSpec(s.c) });
  return m;
}

function classModel(): wg.rbm.ClassRBM {
  const s = fx.classRBM;
  const m = new wg.rbm.ClassRBM(s.D, s.H, s.C);
  m.loadStateDict({ weight: fromSpec(s.W), classWeight: fromSpec(s.U), visibleBias: fromSpec(s.b), hiddenBias: fromSpec(s.c), classBias: fromSpec(s.d) });
  return m;
}

describe('SoftmaxRBM matches PyTorch', () => {
  it('free energy with missing ratings, and its parameter gradients', () => {
    const m = softmaxModel();
    const fe = m.freeEnergy(fromSpec(fx.softmax.ratings));
    expectClose(fe, fx.softmax.freeEnergy);
    fe.sum().backward();
    expectClose(m.weight.grad!, fx.softmax.freeEnergyGrad.W, 1e-4, 1e-5, 'dF/dW');
    expectClose(m.visibleBias.grad!, fx.softmax.freeEnergyGrad.b, 1e-4, 1e-5, 'dF/db');
    expectClose(m.hiddenBias.grad!, fx.softmax.freeEnergyGrad.c, 1e-4, 1e-5, 'dF/dc');
  });

  it('mean-field CD-1 and CD-2 statistics with missing ratings', () => {
    const m = softmaxModel();
    for (const k of [1, 2] as const) {
      const g = m.gradient(fromSpec(fx.softmax.ratings), { k, meanField: true });
      const want = k === 1 ? fx.softmax.meanFieldCD1 : fx.softmax.meanFieldCD2;
      expectClose(g.weight, want.W, 1e-4, 1e-6, `CD-${k} weight`);
      expectClose(g.visibleBias, want.b, 1e-4, 1e-6, `CD-${k} visibleBias`);
      expectClose(g.hiddenBias, want.c, 1e-4, 1e-6, `CD-${k} hiddenBias`);
    }
  });

  it('expected ratings, and predict() picks (user, item) pairs from them', () => {
    const m = softmaxModel();
    const R = fromSpec(fx.softmax.ratings);
    expectClose(m.expectedRatings(R), fx.softmax.expected);
    // The same users as per-user [item, rating] lists (0-based items).
    const rows = R.tolist() as number[][];
    const history = rows.map((r) => r.flatMap((v, i) => (v ? [[i, v] as [number, number]] : [])));
    const want = fromSpec(fx.softmax.expected).data();
    const users = [0, 3, 1, 2, 0], items = [6, 0, 2, 5, 1];
    const got = m.predict(history, { users, items }).data();
    users.forEach((u, j) => expect(got[j]).toBeCloseTo(want[u * fx.softmax.I + items[j]], 5));
  });

  it('finite-difference gradcheck of the free energy in the parameters', () => {
    const m = softmaxModel();
    const R = fromSpec(fx.softmax.ratings);
    const r = wg.gradcheck(() => m.freeEnergy(R), [m.weight, m.visibleBias, m.hiddenBias]);
    expect(r.ok).toBe(true);
  });
});

function conditionalModel(): wg.rbm.SoftmaxRBM {
  const s = fx.softmax, q = s.conditional;
  const m = new wg.rbm.SoftmaxRBM(s.I, s.H, { ratings: s.K, conditional: true });
  m.loadStateDict({ weight: fromSpec(q.W), visibleBias: fromSpec(q.b), hiddenBias: fromSpec(q.c), conditionWeight: fromSpec(q.D) });
  return m;
}

describe('conditional SoftmaxRBM (which items a user rated feeds the hidden units through D) matches PyTorch', () => {
  const q = fx.softmax.conditional;
  it('free energy F(v | r), and its gradients in W, b, c and D', () => {
    const m = conditionalModel();
    const fe = m.freeEnergy(fromSpec(fx.softmax.ratings), fromSpec(q.rated));
    expectClose(fe, q.freeEnergy);
    fe.sum().backward();
    expectClose(m.weight.grad!, q.freeEnergyGrad.W, 1e-4, 1e-5, 'dF/dW');
    expectClose(m.visibleBias.grad!, q.freeEnergyGrad.b, 1e-4, 1e-5, 'dF/db');
    expectClose(m.hiddenBias.grad!, q.freeEnergyGrad.c, 1e-4, 1e-5, 'dF/dc');
    expectClose(m.conditionWeight!.grad!, q.freeEnergyGrad.D, 1e-4, 1e-5, 'dF/dD');
  });

  it('mean-field CD-1 and CD-2 statistics, D included', () => {
    const m = conditionalModel();
    for (const k of [1, 2] as const) {
      const g = m.gradient(fromSpec(fx.softmax.ratings), { k, meanField: true, rated: fromSpec(q.rated) });
      const want = k === 1 ? q.meanFieldCD1 : q.meanFieldCD2;
      expectClose(g.weight, want.W, 1e-4, 1e-6, `CD-${k} weight`);
      expectClose(g.visibleBias, want.b, 1e-4, 1e-6, `CD-${k} visibleBias`);
      expectClose(g.hiddenBias, want.c, 1e-4, 1e-6, `CD-${k} hiddenBias`);
      expectClose(g.conditionWeight!, want.D, 1e-4, 1e-6, `CD-${k} conditionWeight`);
    }
  });

  it('expected ratings; predict() with rated pairs builds the same r', () => {
    const m = conditionalModel();
    const R = fromSpec(fx.softmax.ratings);
    expectClose(m.expectedRatings(R, fromSpec(q.rated)), q.expected);
    const history = (R.tolist() as number[][]).map((r) => r.flatMap((v, i) => (v ? [[i, v] as [number, number]] : [])));
    // The fixture's r: the rated items plus user 1's items 0 and 3 and user 3's item 6, ratings unknown.
    const rated = { users: [1, 1, 3], items: [0, 3, 6] };
    const want = fromSpec(q.expected).data();
    const users = [1, 3, 1, 2, 0], items = [0, 6, 5, 5, 1];
    const got = m.predict(history, { users, items }, { rated }).data();
    users.forEach((u, j) => expect(got[j]).toBeCloseTo(want[u * fx.softmax.I + items[j]], 5));
  });

  it('finite-difference gradcheck of F(v | r) in W, b, c and D', () => {
    const m = conditionalModel();
    const R = fromSpec(fx.softmax.ratings), r = fromSpec(q.rated);
    const res = wg.gradcheck(() => m.freeEnergy(R, r), [m.weight, m.visibleBias, m.hiddenBias, m.conditionWeight!]);
    expect(res.ok).toBe(true);
  });
});

// A random user batch: about 60% of entries missing, every user with at least one rating.
function randomBatch(B: number, I: number, K: number, seed: number): number[][] {
  let a = seed >>> 0;
  const rand = () => { a = (a * 1664525 + 1013904223) >>> 0; return a / 4294967296; };
  return Array.from({ length: B }, () => {
    const row = Array.from({ length: I }, () => (rand() < 0.4 ? 1 + Math.floor(rand() * K) : 0));
    if (!row.some((v) => v !== 0)) row[Math.floor(rand() * I)] = 1 + Math.floor(rand() * K);
    return row;
  });
}

describe('an absent rating has no visible unit and no gradient (property, 25 random batches)', () => {
  it('sampled CD-k: absent items get exactly zero gradient, and their parameters change no other gradient', () => {
    for (let trial = 0; trial < 25; trial++) {
      const I = 6 + (trial % 5), K = 2 + (trial % 4), H = 3 + (trial % 3), B = 1 + (trial % 4), k = 1 + (trial % 3);
      const rows = randomBatch(B, I, K, 1000 + trial);
      // An item nobody in this batch rated.
      const free = (trial * 7) % I;
      rows.forEach((r) => { r[free] = 0; if (!r.some((v) => v !== 0)) r[(free + 1) % I] = 1; });
      const R = wg.tensor(Int32Array.from(rows.flat()), { shape: [B, I] });
      wg.manualSeed(trial);
      const m = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.5 });
      wg.manualSeed(50 + trial);
      const g1 = m.gradient(R, { k });
      // Scramble the absent item's weights and biases; the same seed must give the same gradients.
      const cols = wg.arange(free * K, (free + 1) * K);
      const W = m.weight.data().slice(), b = m.visibleBias.data().slice();
      for (let j = 0; j < H; j++) for (let q = 0; q < K; q++) W[j * I * K + free * K + q] = 3 * Math.sin(7 * j + q + trial);
      for (let q = 0; q < K; q++) b[free * K + q] = -2 + q;
      m.loadStateDict({ weight: wg.tensor(W, { shape: [H, I * K] }), visibleBias: wg.tensor(b), hiddenBias: m.hiddenBias.clone() });
      wg.manualSeed(50 + trial);
      const g2 = m.gradient(R, { k });
      expect(g1.weight.indexSelect(1, cols).abs().max().item()).toBe(0);
      expect(g1.visibleBias.indexSelect(0, cols).abs().max().item()).toBe(0);
      expect(g2.weight.indexSelect(1, cols).abs().max().item()).toBe(0);
      expect(Array.from(g2.weight.data())).toEqual(Array.from(g1.weight.data()));
      expect(Array.from(g2.visibleBias.data())).toEqual(Array.from(g1.visibleBias.data()));
      expect(Array.from(g2.hiddenBias.data())).toEqual(Array.from(g1.hiddenBias.data()));
    }
  });

  it('mean-field CD of one user equals that of an RBM holding only the items the user rated', () => {
    for (let trial = 0; trial < 25; trial++) {
      const I = 5 + (trial % 6), K = 2 + (trial % 4), H = 2 + (trial % 4);
      const row = randomBatch(1, I, K, 77 + trial)[0];
      const rated = row.flatMap((v, i) => (v ? [i] : []));
      wg.manualSeed(trial);
      const m = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.5 });
      wg.noGrad(() => m.visibleBias.normal_(0, 0.5));
      const cols = wg.tensor(Int32Array.from(rated.flatMap((i) => Array.from({ length: K }, (_, q) => i * K + q))));
      const small = new wg.rbm.SoftmaxRBM(rated.length, H, { ratings: K });
      small.loadStateDict({ weight: m.weight.indexSelect(1, cols), visibleBias: m.visibleBias.indexSelect(0, cols), hiddenBias: m.hiddenBias.clone() });
      const g = m.gradient(wg.tensor(Int32Array.from(row), { shape: [1, I] }), { k: 2, meanField: true });
      const gs = small.gradient(wg.tensor(Int32Array.from(rated.map((i) => row[i])), { shape: [1, rated.length] }), { k: 2, meanField: true });
      expectClose(g.weight.indexSelect(1, cols), gs.weight, 1e-5, 1e-6, `trial ${trial} weight`);
      expectClose(g.visibleBias.indexSelect(0, cols), gs.visibleBias, 1e-5, 1e-6, `trial ${trial} visibleBias`);
      expectClose(g.hiddenBias, gs.hiddenBias, 1e-5, 1e-6, `trial ${trial} hiddenBias`);
      expect(g.weight.abs().sum().item()).toBeCloseTo(gs.weight.abs().sum().item(), 4);
    }
  });
});

describe('conditional SoftmaxRBM: r is observed, never reconstructed (property, 25 random batches)', () => {
  it('items outside r get zero D gradient; an item in r without a rating gets D gradient but no W or b gradient', () => {
    for (let trial = 0; trial < 25; trial++) {
      const I = 6 + (trial % 5), K = 2 + (trial % 4), H = 3 + (trial % 3), B = 1 + (trial % 4), k = 1 + (trial % 3);
      const rows = randomBatch(B, I, K, 3000 + trial);
      // Item `heldOut`: in every user's r but never rated (a held-out rating); item `free`: in nobody's r.
      const heldOut = (trial * 5) % I, free = (heldOut + 1 + (trial % (I - 1))) % I;
      rows.forEach((r) => { r[heldOut] = 0; r[free] = 0; if (!r.some((v) => v !== 0)) r[(free + 1) % I === heldOut ? (free + 2) % I : (free + 1) % I] = 1; });
      const R = wg.tensor(Int32Array.from(rows.flat()), { shape: [B, I] });
      const r = wg.tensor(Float32Array.from(rows.flat().map((v, j) => (v > 0 || j % I === heldOut ? 1 : 0))), { shape: [B, I] });
      wg.manualSeed(trial);
      const m = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.5, conditional: true });
      wg.noGrad(() => m.conditionWeight!.normal_(0, 0.5));
      wg.manualSeed(70 + trial);
      const g1 = m.gradient(R, { k, rated: r });
      // Scramble the free item's D column: nobody's r holds it, so the same seed gives the same statistics.
      const D = m.conditionWeight!.data().slice();
      for (let j = 0; j < H; j++) D[j * I + free] = 4 * Math.cos(3 * j + trial);
      m.loadStateDict({ weight: m.weight.clone(), visibleBias: m.visibleBias.clone(), hiddenBias: m.hiddenBias.clone(), conditionWeight: wg.tensor(D, { shape: [H, I] }) });
      wg.manualSeed(70 + trial);
      const g2 = m.gradient(R, { k, rated: r });
      const cols = (i: number) => wg.arange(i * K, (i + 1) * K);
      const col = (i: number) => wg.tensor(Int32Array.from([i]));
      expect(g1.conditionWeight!.indexSelect(1, col(free)).abs().max().item()).toBe(0);
      for (const i of [free, heldOut]) {
        expect(g1.weight.indexSelect(1, cols(i)).abs().max().item()).toBe(0);
        expect(g1.visibleBias.indexSelect(0, cols(i)).abs().max().item()).toBe(0);
      }
      // D's column of an item in every r carries the hidden units' whole CD statistic: Σ_users (p0 - pk).
      expectClose(g1.conditionWeight!.indexSelect(1, col(heldOut)).reshape([H]), g1.hiddenBias, 1e-5, 1e-7, `trial ${trial} held-out D column`);
      for (const key of ['weight', 'visibleBias', 'hiddenBias', 'conditionWeight'] as const) {
        expect(Array.from(g2[key]!.data())).toEqual(Array.from(g1[key]!.data()));
      }
    }
  });

  it('with D = 0 the conditional RBM is the plain one (same statistics, same predictions)', () => {
    for (let trial = 0; trial < 10; trial++) {
      const I = 5 + (trial % 4), K = 2 + (trial % 3), H = 2 + (trial % 3), B = 1 + (trial % 3);
      const R = wg.tensor(Int32Array.from(randomBatch(B, I, K, 500 + trial).flat()), { shape: [B, I] });
      const r = wg.rand([B, I]).gt(0.3).float();
      wg.manualSeed(trial);
      const plain = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.5 });
      const cond = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, conditional: true });
      cond.loadStateDict({ weight: plain.weight.clone(), visibleBias: plain.visibleBias.clone(), hiddenBias: plain.hiddenBias.clone(), conditionWeight: wg.zeros([H, I]) });
      const a = plain.gradient(R, { k: 2, meanField: true }), b = cond.gradient(R, { k: 2, meanField: true, rated: r });
      expectClose(b.weight, a.weight, 1e-6, 1e-7, `trial ${trial} weight`);
      expectClose(b.hiddenBias, a.hiddenBias, 1e-6, 1e-7, `trial ${trial} hiddenBias`);
      expectClose(cond.expectedRatings(R, r), plain.expectedRatings(R), 1e-6, 1e-7, `trial ${trial} expected ratings`);
    }
  });
});

describe('SoftmaxRBM.predict exact: p(r_q = k | V) ∝ exp(-F(V with q rated k)) (property, 15 random users)', () => {
  it('plain and conditional models agree with the free energy of each completed rating vector', () => {
    for (let trial = 0; trial < 15; trial++) {
      const I = 5 + (trial % 4), K = 2 + (trial % 4), H = 2 + (trial % 3), conditional = trial % 2 === 1;
      const row = randomBatch(1, I, K, 900 + trial)[0];
      const q = row.findIndex((v) => v === 0);
      if (q < 0) continue;
      wg.manualSeed(trial);
      const m = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.7, conditional });
      wg.noGrad(() => { m.visibleBias.normal_(0, 0.5); m.conditionWeight?.normal_(0, 0.5); });
      const history = [row.flatMap((v, i) => (v ? [[i, v] as [number, number]] : []))];
      const opts = conditional ? { rated: { users: [0], items: [q] }, exact: true } : { exact: true };
      const got = m.predict(history, { users: [0], items: [q] }, opts).item();
      // Brute force: the K completions of the row, their free energies, softmax of -F, expectation.
      const filled = Array.from({ length: K }, (_, k) => row.map((v, i) => (i === q ? k + 1 : v)));
      const R = wg.tensor(Int32Array.from(filled.flat()), { shape: [K, I] });
      const r = conditional ? R.gt(0).float() : undefined;
      const p = m.freeEnergy(R, r).neg().softmax(0);
      const want = p.mul(wg.arange(1, K + 1).float()).sum().item();
      expect(got).toBeCloseTo(want, 5);
    }
  });
});

describe('SoftmaxRBM training', () => {
  it('fit lowers the held-out RMSE below the per-item mean on a small seeded set', () => {
    const all = wg.data.loadRatings(readFileSync(new URL('../../examples/data/synthetic-u.data', import.meta.url), 'utf8'));
    const [train, test] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 0 });
    wg.manualSeed(0);
    const m = new wg.rbm.SoftmaxRBM(all.nItems, 20);
    const stats = m.fit(train, { epochs: 15, lr: 0.02, batchSize: 10, k: (e) => (e < 10 ? 1 : 3) });
    expect(stats.map((s) => s.k)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3]);
    expect(stats[14].reconstructionRmse).toBeLessThan(stats[0].reconstructionRmse);
    expect(rmseOf(m.predict(train, test).data(), test)).toBeLessThan(itemMeanRmse(train, test, all.nItems));
  });

  it('the conditional RBM, told which held-out items each user rated, fits below the per-item mean too', () => {
    const all = wg.data.loadRatings(readFileSync(new URL('../../examples/data/synthetic-u.data', import.meta.url), 'utf8'));
    const [train, test] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 0 });
    wg.manualSeed(0);
    const m = new wg.rbm.SoftmaxRBM(all.nItems, 20, { conditional: true });
    // Which test items each user rated is known; their ratings are not.
    m.fit(train, { epochs: 15, lr: 0.02, batchSize: 10, k: (e) => (e < 10 ? 1 : 3), rated: test });
    expect(m.conditionWeight!.abs().max().item()).toBeGreaterThan(0);
    expect(rmseOf(m.predict(train, test, { rated: test }).data(), test)).toBeLessThan(itemMeanRmse(train, test, all.nItems));
  });

  it('is reproducible under manualSeed', () => {
    const run = () => {
      wg.manualSeed(3);
      const m = new wg.rbm.SoftmaxRBM(6, 4, { ratings: 3 });
      m.fit([[[0, 1], [2, 3]], [[1, 2]], [[5, 3], [4, 1], [0, 2]]], { epochs: 3, batchSize: 2 });
      return Array.from(m.weight.data());
    };
    expect(run()).toEqual(run());
  });
});

describe('SoftmaxRBM bad input', () => {
  const m = () => new wg.rbm.SoftmaxRBM(4, 3, { ratings: 5 });
  it('item ids out of range', () => {
    expect(() => m().fit([[[0, 3], [4, 2]]])).toThrow(/user 0 rates item 4, outside 0..3 \(this SoftmaxRBM has 4 items\)/);
    expect(() => m().predict([[[0, 3]]], { users: [0], items: [7] })).toThrow(/pair 0 has item 7, outside 0..3/);
  });
  it('ratings outside 1..K', () => {
    expect(() => m().fit([[[0, 6]]])).toThrow(/user 0 gives item 0 the rating 6; ratings must be integers 1..5/);
    expect(() => m().fit([[[0, 0]]])).toThrow(/rating 0; ratings must be integers 1..5/);
    expect(() => m().fit([[[0, 2.5]]])).toThrow(/rating 2.5/);
    expect(() => m().gradient(wg.tensor(Int32Array.from([1, 0, 9, 2]), { shape: [1, 4] }))).toThrow(/SoftmaxRBM.gradient: 1 ratings are outside 1..5/);
  });
  it('empty users', () => {
    expect(() => m().fit([[[0, 3]], []])).toThrow(/SoftmaxRBM.fit: user 1 has no ratings/);
  });
  it('rated: only for a conditional RBM, the right shape, users and items in range', () => {
    expect(() => m().fit([[[0, 3]]], { rated: { users: [0], items: [1] } })).toThrow(/SoftmaxRBM.fit: rated is for a conditional SoftmaxRBM/);
    const c = () => new wg.rbm.SoftmaxRBM(4, 3, { ratings: 5, conditional: true });
    expect(() => c().fit([[[0, 3]]], { rated: { users: [0], items: [4] } })).toThrow(/SoftmaxRBM.fit: rated pair 0 has item 4, outside 0..3/);
    expect(() => c().fit([[[0, 3]]], { rated: { users: [1], items: [2] } })).toThrow(/rated pair 0 has user 1, but the ratings hold users 0..0/);
    expect(() => c().predict([[[0, 3]]], { users: [0], items: [1] }, { rated: { users: [0, 0], items: [1] } })).toThrow(/SoftmaxRBM.predict: rated must be a Ratings object or \{ users, items \} of one length/);
    const R = wg.tensor(Int32Array.from([1, 0, 2, 0]), { shape: [1, 4] });
    expect(() => c().gradient(R, { rated: wg.ones([2, 4]) })).toThrow(/SoftmaxRBM.gradient: rated must be a float32 Tensor \[1, 4\]/);
    expect(() => m().freeEnergy(R, wg.ones([1, 4]))).toThrow(/SoftmaxRBM.freeEnergy: rated \(r\) is for a conditional SoftmaxRBM/);
    expect(() => c().fit([[[0, 3]]], { lr: { weight: 0.1, bias: 0.1 } as any })).toThrow(/lr has no entry 'bias'; the learning rates are weight, visibleBias, hiddenBias, conditionWeight/);
    expect(() => c().fit([[[0, 3]]], { lr: { hiddenBias: -1 } })).toThrow(/lr.hiddenBias must be a number in \[0, ∞\), got -1/);
  });

  it('wrong batch dtype or shape, and unknown options', () => {
    expect(() => m().gradient(wg.zeros([2, 4]))).toThrow(/expected an int32 Tensor \[users, 4\].*got float32 \[2,4\]/);
    expect(() => m().fit([[[0, 3]]], { epoch: 3 } as any)).toThrow(/SoftmaxRBM.fit/);
    expect(() => new wg.rbm.SoftmaxRBM(4, 3, { ratings: 1 })).toThrow(/integer >= 2/);
  });
});

describe('data.loadRatings / splitRatings', () => {
  it('reads the three MovieLens formats alike', () => {
    const udata = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t1\t878887116\n';
    const dat = '196::242::3::881250949\n186::302::3::891717742\n196::302::1::878887116\n';
    const csv = 'userId,movieId,rating,timestamp\n196,242,3,881250949\n186,302,3,891717742\n196,302,1,878887116\n';
    for (const text of [udata, dat, csv]) {
      const r = wg.data.loadRatings(text, { format: 'movielens' });
      expect([r.nUsers, r.nItems, r.length]).toEqual([2, 2, 3]);
      expect(Array.from(r.userIds)).toEqual([186, 196]);
      expect(Array.from(r.itemIds)).toEqual([242, 302]);
      expect(Array.from(r.user)).toEqual([1, 0, 1]);
      expect(Array.from(r.item)).toEqual([0, 1, 1]);
      expect(Array.from(r.rating)).toEqual([3, 3, 1]);
    }
  });
  it('bad lines get an error naming the line', () => {
    expect(() => wg.data.loadRatings('1\t2\t3\t4\n1\tx\t3\t4\n')).toThrow(/line 2 .*item id "x" is not an integer/);
    expect(() => wg.data.loadRatings('1\t2\t3\t4\n1\t2\n')).toThrow(/line 2 .*has 2 fields/);
    expect(() => wg.data.loadRatings('1\t2\tgood\t4\n')).toThrow(/line 1 .*rating "good" is not a number/);
    expect(() => wg.data.loadRatings('hello world\n')).toThrow(/not MovieLens ratings/);
    expect(() => wg.data.loadRatings('')).toThrow(/not MovieLens ratings|no ratings/);
    expect(() => wg.data.loadRatings('1\t2\t3\n', { format: 'netflix' } as any)).toThrow(/unknown format "netflix"/);
  });
  it('the committed fixture, and a seeded per-user split', () => {
    const all = wg.data.loadRatings(readFileSync(new URL('../../examples/data/synthetic-u.data', import.meta.url), 'utf8'));
    expect([all.nUsers, all.nItems, all.length]).toEqual([120, 300, 6742]);
    const [a, b] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 5 });
    const [a2] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 5 });
    const [a3] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 6 });
    expect(a.length + b.length).toBe(all.length);
    expect(Array.from(a2.item)).toEqual(Array.from(a.item));
    expect(Array.from(a3.item)).not.toEqual(Array.from(a.item));
    // Every user keeps ratings on both sides, about 20% held out each.
    const rowsA = a.byUser().rowPtr, rowsB = b.byUser().rowPtr;
    for (let u = 0; u < all.nUsers; u++) {
      const na = rowsA[u + 1] - rowsA[u], nb = rowsB[u + 1] - rowsB[u];
      expect(na).toBeGreaterThan(0);
      expect(nb).toBe(Math.round((na + nb) * 0.2));
    }
  });
});

describe('ClassRBM matches PyTorch', () => {
  const s = fx.classRBM;
  it('class scores, p(y|x), predict', () => {
    const m = classModel();
    const x = fromSpec(s.x);
    expectClose(m.classScores(x), s.scores);
    expectClose(m.predictProba(x), s.proba);
    expect(Array.from(m.predict(x).data())).toEqual(Array.from(fromSpec(s.proba).argmax(-1).data()));
  });
  it('gradients of -log p(y|x) (the discriminative objective)', () => {
    const m = classModel();
    const loss = m.loss(fromSpec(s.x), fromSpec(s.y), 'discriminative');
    expect(loss.item()).toBeCloseTo(s.nll, 5);
    loss.backward();
    expectClose(m.weight.grad!, s.nllGrad.W, 1e-4, 1e-6, 'W');
    expectClose(m.classWeight.grad!, s.nllGrad.U, 1e-4, 1e-6, 'U');
    expectClose(m.hiddenBias.grad!, s.nllGrad.c, 1e-4, 1e-6, 'c');
    expectClose(m.classBias.grad!, s.nllGrad.d, 1e-4, 1e-6, 'd');
  });
  it('free energy F(x, y) and its gradients', () => {
    const m = classModel();
    const fe = m.freeEnergy(fromSpec(s.x), wg.nn.functional.oneHot(fromSpec(s.y), s.C).float());
    expectClose(fe, s.freeEnergy);
    fe.sum().backward();
    for (const [name, p] of [['W', m.weight], ['U', m.classWeight], ['b', m.visibleBias], ['c', m.hiddenBias], ['d', m.classBias]] as const) {
      expectClose(p.grad!, s.freeEnergyGrad[name], 1e-4, 1e-6, name);
    }
  });
  it('finite-difference gradcheck of the class scores', () => {
    const m = classModel();
    const x = fromSpec(s.x);
    expect(wg.gradcheck(() => m.classScores(x), [m.weight, m.classWeight, m.hiddenBias, m.classBias]).ok).toBe(true);
  });
});

describe('ClassRBM training and bad input', () => {
  // Two classes told apart by which half of the pixels is on.
  function toy(n: number) {
    const x = new Float32Array(n * 8), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let j = 0; j < 8; j++) x[i * 8 + j] = (j < 4) === (y[i] === 0) ? 0.9 : 0.1 * ((i + j) % 3);
    }
    return [wg.tensor(x, { shape: [n, 8] }), wg.tensor(y)] as const;
  }
  for (const objective of ['generative', 'discriminative', 'hybrid'] as const) {
    it(`${objective} training separates a toy problem`, () => {
      wg.manualSeed(0);
      const [x, y] = toy(64);
      const m = new wg.rbm.ClassRBM(8, 6, 2);
      const stats = m.fit(x, y, { objective, epochs: 15, lr: 0.1, batchSize: 8 });
      expect(stats).toHaveLength(15);
      expect(m.predict(x).eq(y).float().mean().item()).toBe(1);
      if (objective !== 'generative') expect(stats[14].nll).toBeLessThan(stats[0].nll);
    });
  }
  it('bad input', () => {
    const m = new wg.rbm.ClassRBM(8, 6, 3);
    const x = wg.rand([4, 8]);
    expect(() => m.fit(x, wg.tensor(Int32Array.from([0, 1, 3, 2])))).toThrow(/class indices must lie in 0..2, got values in 0..3/);
    expect(() => m.fit(x, wg.tensor(Int32Array.from([0, 1])))).toThrow(/expected int32 class indices of shape \[4\]/);
    expect(() => m.predict(wg.rand([4, 7]))).toThrow(/ClassRBM.classScores: expected a float32 Tensor \[N, 8\].*got float32 \[4,7\]/);
    expect(() => m.fit(x.mul(3), wg.tensor(Int32Array.from([0, 1, 2, 2])))).toThrow(/ClassRBM.fit: Bernoulli visible units need data in \[0, 1\]/);
    expect(() => m.fit(x, wg.tensor(Int32Array.from([0, 1, 2, 2])), { objective: 'contrastive' } as any)).toThrow(/objective must be one of generative, discriminative, hybrid/);
  });
});

describe('memory stays flat across repeated fit calls (no event-loop turn)', () => {
  it('SoftmaxRBM.fit / predict and ClassRBM.fit', () => {
    const all = wg.data.loadRatings(readFileSync(new URL('../../examples/data/synthetic-u.data', import.meta.url), 'utf8'));
    const [train] = wg.data.splitRatings(all, { testFraction: 0.2 });
    wg.manualSeed(0);
    const m = new wg.rbm.SoftmaxRBM(all.nItems, 20);
    const c = new wg.rbm.ClassRBM(16, 8, 3);
    const x = wg.rand([64, 16]), y = wg.randint(0, 3, [64]);
    const round = () => {
      m.fit(train, { epochs: 1, batchSize: 10 });
      c.fit(x, y, { epochs: 1, batchSize: 16, objective: 'hybrid' });
      return wg.backendInfo().memory.inUse;
    };
    const first = round();
    const later = [round(), round(), round(), round(), round()];
    expect(Math.max(...later)).toBeLessThanOrEqual(first);
  });
});
