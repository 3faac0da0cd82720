// The ordinal SoftmaxRBM (`ordinal: true`): W = weight + ordinalWeight ⊗ s, s_k ∝ k - (K+1)/2 of unit
// length. It must behave exactly as a plain SoftmaxRBM (checked against PyTorch in rbm-uses.test.ts)
// whose weight is that W, its ordinalWeight statistic must be W's contracted with s, an absent rating
// must leave every statistic untouched, and it must learn.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { itemMeanRmse, rmseOf } from './ratings-metrics.js';

beforeAll(async () => { await wg.init(); });

const I = 7, H = 4, K = 5;
const s = (() => { const c = (K + 1) / 2, n = Math.sqrt(10); return Float32Array.from({ length: K }, (_, k) => (k + 1 - c) / n); })();

function pair(seed: number): { ord: wg.rbm.SoftmaxRBM; plain: wg.rbm.SoftmaxRBM; R: wg.Tensor } {
  wg.manualSeed(seed);
  const ord = new wg.rbm.SoftmaxRBM(I, H, { ratings: K, initStd: 0.5, ordinal: true });
  wg.noGrad(() => { ord.visibleBias.normal_(0, 0.3); ord.hiddenBias.normal_(0, 0.3); });
  const A = ord.ordinalWeight!.data() as Float32Array, B = ord.weight.data() as Float32Array;
  const W = Float32Array.from(B, (b, idx) => { const j = Math.floor(idx / (I * K)), i = Math.floor((idx % (I * K)) / K), k = idx % K; return b + A[j * I + i] * s[k]; });
  const plain = new wg.rbm.SoftmaxRBM(I, H, { ratings: K });
  plain.loadStateDict({ weight: wg.tensor(W, { shape: [H, I * K] }), visibleBias: ord.visibleBias.clone(), hiddenBias: ord.hiddenBias.clone() });
  const g = mulberry32(seed + 11);
  const R = wg.tensor(Int32Array.from({ length: 3 * I }, () => (g() < 0.45 ? 0 : 1 + Math.floor(g() * K))), { shape: [3, I] });
  return { ord, plain, R };
}

describe('ordinal SoftmaxRBM equals the plain SoftmaxRBM with W = weight + ordinalWeight ⊗ s (property, 10 random models)', () => {
  it('effective weight, free energy, expected ratings and mean-field CD-1/CD-2 statistics', () => {
    for (let seed = 0; seed < 10; seed++) {
      const { ord, plain, R } = pair(seed);
      const close = (a: wg.Tensor, b: wg.Tensor, tol = 1e-5) => {
        const x = a.data(), y = b.data();
        expect(x.length).toBe(y.length);
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(tol * (1 + Math.abs(y[i])));
      };
      close(ord.effectiveWeight(), plain.weight);
      close(ord.freeEnergy(R), plain.freeEnergy(R));
      close(ord.expectedRatings(R), plain.expectedRatings(R));
      for (const k of [1, 2]) {
        const go = ord.gradient(R, { k, meanField: true }), gp = plain.gradient(R, { k, meanField: true });
        close(go.weight, gp.weight); close(go.visibleBias, gp.visibleBias); close(go.hiddenBias, gp.hiddenBias);
        // A's statistic: W's contracted with s over the K levels.
        const w = gp.weight.data(), want = new Float32Array(H * I);
        for (let j = 0; j < H; j++) for (let i = 0; i < I; i++) for (let q = 0; q < K; q++) want[j * I + i] += w[j * I * K + i * K + q] * s[q];
        close(go.ordinalWeight!, wg.tensor(want, { shape: [H, I] }));
        expect(gp.ordinalWeight).toBeNull();
      }
    }
  });

  it('autograd of the free energy: dF/dA is dF/dW contracted with s; finite-difference gradcheck', () => {
    const { ord, plain, R } = pair(3);
    ord.freeEnergy(R).sum().backward();
    plain.freeEnergy(R).sum().backward();
    const w = plain.weight.grad!.data(), a = ord.ordinalWeight!.grad!.data();
    for (let j = 0; j < H; j++) for (let i = 0; i < I; i++) {
      let want = 0;
      for (let q = 0; q < K; q++) want += w[j * I * K + i * K + q] * s[q];
      expect(a[j * I + i]).toBeCloseTo(want, 4);
    }
    expect(wg.gradcheck(() => ord.freeEnergy(R), [ord.weight, ord.ordinalWeight!, ord.visibleBias, ord.hiddenBias]).ok).toBe(true);
  });

  it('an absent rating adds nothing to the ordinalWeight statistic', () => {
    for (let seed = 0; seed < 10; seed++) {
      const { ord, R } = pair(seed);
      const g = ord.gradient(R, { k: 2, meanField: true }).ordinalWeight!.data(), r = R.data();
      const absent = new Set<number>();
      for (let i = 0; i < I; i++) if ([0, 1, 2].every((b) => r[b * I + i] === 0)) absent.add(i);
      for (let j = 0; j < H; j++) for (const i of absent) expect(g[j * I + i]).toBe(0);
    }
  });
});

describe('ordinal SoftmaxRBM training', () => {
  it('fit (ordinalWeightDecay apart from weightDecay) lowers the held-out RMSE below the per-item mean on a small seeded set', () => {
    const all = wg.data.loadRatings(readFileSync(new URL('../../examples/data/synthetic-u.data', import.meta.url), 'utf8'));
    const [train, test] = wg.data.splitRatings(all, { testFraction: 0.2, seed: 0 });
    wg.manualSeed(0);
    const m = new wg.rbm.SoftmaxRBM(all.nItems, 20, { ordinal: true });
    m.fit(train, { epochs: 15, lr: 0.02, batchSize: 10, weightDecay: 0.05, ordinalWeightDecay: 0.01, k: (e) => (e < 10 ? 1 : 3) });
    expect(m.ordinalWeight!.abs().max().item()).toBeGreaterThan(0.01);
    expect(rmseOf(m.predict(train, test).data(), test)).toBeLessThan(itemMeanRmse(train, test, all.nItems));
  });

  it('ordinalWeightDecay needs an ordinal SoftmaxRBM; bad values are refused', () => {
    const plain = new wg.rbm.SoftmaxRBM(4, 3);
    expect(() => plain.fit([[[0, 3]]], { ordinalWeightDecay: 0.1 })).toThrow(/SoftmaxRBM.fit: ordinalWeightDecay is for an ordinal SoftmaxRBM/);
    const ord = new wg.rbm.SoftmaxRBM(4, 3, { ordinal: true });
    expect(() => ord.fit([[[0, 3]]], { ordinalWeightDecay: -1 })).toThrow(/SoftmaxRBM.fit: ordinalWeightDecay must be a number in \[0, ∞\)/);
    expect(ord.extraRepr()).toMatch(/ordinal/);
  });
});
