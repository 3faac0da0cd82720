// RBM: conditionals, free energy, pseudo-likelihood and CD updates against PyTorch (fixture from
// scripts/fixtures/rbm.py), sampling statistics of the seeded generator, training behaviour, state
// dicts, completion, and bad-input errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { init, manualSeed, tensor, zeros, ones, rand, rbm, type Tensor } from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface Case {
  visible: rbm.UnitType; hidden: rbm.UnitType;
  W: TensorSpec; b: TensorSpec; c: TensorSpec; v: TensorSpec; h: TensorSpec;
  hiddenProbs: TensorSpec; visibleProbs: TensorSpec; freeEnergy: TensorSpec; pseudoLikelihoodAll?: TensorSpec;
  batches: { v0: TensorSpec; h0: TensorSpec }[];
  updates: { lr: number; momentum: number; weightDecay: number; W: TensorSpec; b: TensorSpec; c: TensorSpec }[];
}
const fixture = loadFixture<{ cases: Record<string, Case> }>('rbm');

function modelFrom(c: Case): rbm.RBM {
  const m = new rbm.RBM(c.W.shape[1], c.W.shape[0], { visible: c.visible, hidden: c.hidden });
  m.loadStateDict({ weight: fromSpec(c.W), visibleBias: fromSpec(c.b), hiddenBias: fromSpec(c.c) });
  return m;
}

const mean = (t: Tensor) => t.mean().item();

describe('RBM matches PyTorch', () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    describe(name, () => {
      it('conditional probabilities and free energy', () => {
        const m = modelFrom(c);
        expectClose(m.hiddenProbs(fromSpec(c.v)), c.hiddenProbs);
        expectClose(m.transform(fromSpec(c.v)), c.hiddenProbs);
        expectClose(m.visibleProbs(fromSpec(c.h)), c.visibleProbs);
        expectClose(m.freeEnergy(fromSpec(c.v)), c.freeEnergy);
        // Unbatched input gives unbatched output.
        const v0 = fromSpec(c.v).at(0);
        expectClose(m.freeEnergy(v0), c.freeEnergy.data[0] as number);
      });

      it('CD updates from fixed negative particles (with and without momentum / weight decay)', () => {
        for (const u of c.updates) {
          const m = modelFrom(c);
          const cd = new rbm.ContrastiveDivergence(m, { lr: u.lr, momentum: u.momentum, weightDecay: u.weightDecay });
          for (const bt of c.batches) cd.update(fromSpec(bt.v0), m.visibleProbs(fromSpec(bt.h0)));
          const tag = `lr ${u.lr} momentum ${u.momentum} wd ${u.weightDecay}`;
          expectClose(m.weight, u.W, 1e-4, 1e-5, `${tag} weight`);
          expectClose(m.visibleBias, u.b, 1e-4, 1e-5, `${tag} visibleBias`);
          expectClose(m.hiddenBias, u.c, 1e-4, 1e-5, `${tag} hiddenBias`);
        }
      });

      if (c.pseudoLikelihoodAll) {
        it('pseudo-likelihood is nVisible·log σ(F(ṽ) - F(v)) for one flipped unit per row', () => {
          const m = modelFrom(c);
          const all = c.pseudoLikelihoodAll!;
          const [B, V] = all.shape;
          const seen = new Set<number>();
          for (let trial = 0; trial < 20; trial++) {
            const pl = m.pseudoLikelihood(fromSpec(c.v)).data();
            expect(pl.length).toBe(B);
            for (let r = 0; r < B; r++) {
              const candidates = (all.data as number[]).slice(r * V, (r + 1) * V);
              const i = candidates.findIndex((x) => Math.abs(x - pl[r]) <= 1e-4 * Math.abs(x) + 1e-4);
              expect(i, `row ${r}: ${pl[r]} is none of ${candidates}`).toBeGreaterThanOrEqual(0);
              seen.add(i);
            }
          }
          expect(seen.size).toBeGreaterThan(V / 2); // the flipped unit really is random
        });
      }
    });
  }
});

describe('sampling statistics (seeded generator)', () => {
  // Mean firing rate of n Bernoulli(p) draws is within 3 standard errors of p.
  it('hidden and visible samples fire at their probabilities', () => {
    manualSeed(7);
    const m = new rbm.RBM(20, 30, { initStd: 0.5 });
    const v = rand([1, 20]).gt(0.5).float();
    const p = m.hiddenProbs(v).data();
    const n = 4000;
    const vs = v.expand([n, 20]).contiguous();
    const h = m.sampleHidden(vs).data();
    for (let j = 0; j < 30; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += h[r * 30 + j];
      const se = Math.sqrt((p[j] * (1 - p[j])) / n);
      expect(Math.abs(s / n - p[j]), `unit ${j}: rate ${s / n}, p ${p[j]}`).toBeLessThan(3 * se + 1e-6);
    }
    expect(h.every((x) => x === 0 || x === 1)).toBe(true);
    // Visible side, pooled over units: mean rate vs mean probability.
    const hv = rand([n, 30]).gt(0.5).float();
    const pv = m.visibleProbs(hv);
    const sv = m.sampleVisible(hv);
    const pvar = pv.mul(pv.rsub(1)).sum().item();
    expect(Math.abs(sv.sum().item() - pv.sum().item())).toBeLessThan(3 * Math.sqrt(pvar));
  });

  it('Gaussian units have the right mean and unit variance', () => {
    manualSeed(3);
    const m = new rbm.RBM(10, 8, { visible: 'gaussian', hidden: 'gaussian', initStd: 0.3 });
    const h = rand([1, 8]).expand([5000, 8]).contiguous();
    const mu = m.visibleProbs(h).at(0).data();
    const s = m.sampleVisible(h);
    const sm = s.mean(0).data(), sd = s.std(0).data();
    for (let i = 0; i < 10; i++) {
      expect(Math.abs(sm[i] - mu[i])).toBeLessThan(3 / Math.sqrt(5000));
      expect(Math.abs(sd[i] - 1)).toBeLessThan(0.05);
    }
  });

  it('is reproducible under manualSeed', () => {
    const m = new rbm.RBM(16, 12, { initStd: 1 });
    const v = ones([8, 16]).mul(0.5);
    manualSeed(11); const a = m.gibbs(v, 3).data();
    manualSeed(11); const b = m.gibbs(v, 3).data();
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

// A small binary data set with structure: each row is one of 4 prototype patterns with 5% of bits flipped.
function patterns(n: number, V = 24): Tensor {
  const protos = [0, 1, 2, 3].map((p) => Array.from({ length: V }, (_, i) => (Math.floor(i / (V / 4)) === p || (i + p) % 5 === 0 ? 1 : 0)));
  const flip = rand([n, V]).data();
  const out = new Float32Array(n * V);
  for (let r = 0; r < n; r++) for (let i = 0; i < V; i++) {
    const bit = protos[r % 4][i];
    out[r * V + i] = flip[r * V + i] < 0.05 ? 1 - bit : bit;
  }
  return tensor(out, { shape: [n, V] });
}

describe('training', () => {
  it('CD-1 lowers the reconstruction error and raises the pseudo-likelihood', () => {
    manualSeed(1);
    const data = patterns(512);
    const m = new rbm.RBM(24, 16);
    const seen: rbm.EpochStats[] = [];
    const hist = m.fit(data, { epochs: 15, lr: 0.1, momentum: 0.5, batchSize: 32, onEpoch: (s) => seen.push(s) });
    expect(seen).toEqual(hist);
    expect(hist.length).toBe(15);
    expect(hist[14].reconstructionError).toBeLessThan(hist[0].reconstructionError * 0.5);
    expect(hist[14].pseudoLikelihood).toBeGreaterThan(hist[0].pseudoLikelihood);
    for (const s of hist) { expect(s.samplesPerSecond).toBeGreaterThan(0); expect(s.epoch).toBeGreaterThan(0); }
  });

  it('CD-k and persistent CD train too; samples look like the data', () => {
    for (const opts of [{ k: 3 }, { persistent: true }, { persistent: true, k: 2, weightDecay: 1e-4 }]) {
      manualSeed(2);
      const data = patterns(512);
      const m = new rbm.RBM(24, 16);
      const hist = m.fit(data, { epochs: 20, lr: 0.05, momentum: 0.5, batchSize: 32, ...opts });
      expect(hist[19].reconstructionError, JSON.stringify(opts)).toBeLessThan(hist[0].reconstructionError);
      // Free energy of the data is lower than that of uniform noise.
      const noise = rand([512, 24]).gt(0.5).float();
      expect(mean(m.freeEnergy(data))).toBeLessThan(mean(m.freeEnergy(noise)));
      const s = m.sample(64, 200);
      expect(s.shape).toEqual([64, 24]);
      expect(mean(m.freeEnergy(s.gt(0.5).float()))).toBeLessThan(mean(m.freeEnergy(noise)));
    }
  });

  it('trains through a user DataLoader, and Gaussian visible units on real data', async () => {
    const { data: d } = await import('../../src/index.js');
    manualSeed(4);
    const x = patterns(256);
    const m = new rbm.RBM(24, 8);
    const hist = m.fit(new d.DataLoader(new d.TensorDataset(x), { batchSize: 16, shuffle: true }), { epochs: 8, lr: 0.1 });
    expect(hist[7].reconstructionError).toBeLessThan(hist[0].reconstructionError);
    expect(Number.isFinite(hist[7].pseudoLikelihood)).toBe(true);

    const g = new rbm.RBM(24, 8, { visible: 'gaussian' });
    const real = x.sub(0.5).mul(2).add(rand([256, 24]).sub(0.5).mul(0.2));
    const gh = g.fit(real, { epochs: 10, lr: 0.01, momentum: 0.5, batchSize: 16 });
    expect(gh[9].reconstructionError).toBeLessThan(gh[0].reconstructionError);
    expect(Number.isNaN(gh[9].pseudoLikelihood)).toBe(true);
  });

  it('parameters are ordinary Parameters: stateDict, save and load round-trip', () => {
    manualSeed(5);
    const m = new rbm.RBM(24, 16);
    m.fit(patterns(128), { epochs: 2 });
    const names = [...m.stateDict().keys()];
    expect(names).toEqual(['weight', 'visibleBias', 'hiddenBias']);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    const copy = new rbm.RBM(24, 16);
    // Through safetensors bytes when the io module is exported, else straight from the state dict.
    const io = wg as unknown as { save?: (s: Map<string, Tensor>) => Uint8Array; load?: (b: Uint8Array) => Map<string, Tensor> };
    copy.loadStateDict(io.save && io.load ? io.load(io.save(m.stateDict())) : m.stateDict());
    const v = patterns(8);
    expectClose(copy.freeEnergy(v), m.freeEnergy(v));
  });

  it('free energy is differentiable (CD via autograd gives the same weight gradient)', () => {
    manualSeed(6);
    const m = new rbm.RBM(6, 4, { initStd: 0.5 });
    const v0 = rand([5, 6]).gt(0.5).float(), vk = rand([5, 6]);
    const loss = m.freeEnergy(v0).mean().sub(m.freeEnergy(vk).mean());
    loss.backward();
    // dL/dW = -(P(h|v0)ᵀv0 - P(h|vk)ᵀvk) / B
    const expected = m.hiddenProbs(vk).t().matmul(vk).sub(m.hiddenProbs(v0).t().matmul(v0)).div(5);
    expectClose(m.weight.grad!, expected, 1e-4, 1e-5);
  });
});

describe('completion', () => {
  it('fills the hidden half of a pattern better than the mean pattern does', () => {
    manualSeed(8);
    const train = patterns(1024), test = patterns(64);
    const m = new rbm.RBM(24, 16);
    m.fit(train, { epochs: 30, lr: 0.1, momentum: 0.5, batchSize: 32 });
    const mask = tensor(Array.from({ length: 24 }, (_, i) => (i < 12 ? 1 : 0))).reshape([1, 24]).expand([64, 24]).contiguous();
    const unknown = mask.rsub(1);
    const err = (x: Tensor) => x.sub(test).square().mul(unknown).sum().item();
    const completed = m.complete(test, mask, { steps: 20 });
    const known = completed.mul(mask).sub(test.mul(mask)).abs().max().item();
    expect(known).toBe(0); // known units stay clamped
    const meanFill = train.mean(0, true).expand([64, 24]);
    expect(err(completed)).toBeLessThan(0.5 * err(meanFill));
    const sampled = m.complete(test, mask, { steps: 40, sample: true });
    expect(err(sampled)).toBeLessThan(err(meanFill));
    // The posterior mean over several chains, started from the mean pattern.
    const averaged = m.complete(test, mask, { steps: 20, sample: true, chains: 8, burnIn: 5, init: train.mean(0, true) });
    expect(averaged.shape).toEqual([64, 24]);
    expect(err(averaged)).toBeLessThan(0.5 * err(meanFill));
    // One chain's last pass: a single completion, still clamped and in [0, 1].
    const single = m.complete(test, mask, { steps: 20, sample: true, estimate: 'sample' });
    expect(single.sub(test).mul(mask).abs().max().item()).toBe(0);
    expect(single.min().item()).toBeGreaterThanOrEqual(0);
    expect(single.max().item()).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed and rejects bad options', () => {
    const m = new rbm.RBM(6, 4, { initStd: 0.5 });
    const v = rand([3, 6]), mask = tensor([[1, 1, 1, 0, 0, 0]]);
    manualSeed(2);
    const a = m.complete(v, mask, { steps: 5, sample: true, chains: 3 }).data();
    manualSeed(2);
    expect(m.complete(v, mask, { steps: 5, sample: true, chains: 3 }).data()).toEqual(a);
    expect(() => m.complete(v, mask, { steps: 5, sample: true, burnIn: 5 })).toThrow(/burnIn must be an integer in \[0, steps - 1\] = \[0, 4\], got 5/);
    expect(() => m.complete(v, mask, { sample: true, chains: 0 })).toThrow(/chains must be an integer >= 1, got 0/);
    expect(() => m.complete(v, mask, { chains: 4 })).toThrow(/apply to Gibbs sampling; pass \{ sample: true \}/);
    expect(() => m.complete(v, mask, { sample: true, estimate: 'mode' as any })).toThrow(/estimate must be 'mean' or 'sample', got "mode"/);
    expect(() => m.complete(v, mask, { init: zeros([2, 6]) })).toThrow(/init must be a Tensor whose shape \[2,6\] matches/);
  });
});

describe('bad input', () => {
  it('throws clear errors', () => {
    const m = new rbm.RBM(4, 3);
    expect(() => m.fit(tensor([[0, 0.5, 1, 1.5]]), { epochs: 1 })).toThrow(/Bernoulli visible units need data in \[0, 1\].*1\.5/);
    expect(() => m.reconstruct(tensor([[0, -0.1, 1, 1]]))).toThrow(/RBM.reconstruct: Bernoulli visible units need data in \[0, 1\]/);
    expect(() => m.gibbs(zeros([2, 4]), 0)).toThrow(/k must be an integer >= 1, got 0/);
    expect(() => m.sample(2, 0)).toThrow(/k must be an integer >= 1/);
    expect(() => new rbm.ContrastiveDivergence(m, { k: 0 })).toThrow(/k must be an integer >= 1/);
    expect(() => m.fit(zeros([4, 4]), { k: -1 })).toThrow(/k must be an integer >= 1/);
    expect(() => m.hiddenProbs(zeros([2, 5]))).toThrow(/expected visible units with last dim 4 \(RBM 4x3\), got shape \[2,5\]/);
    expect(() => m.visibleProbs(zeros([2, 4]))).toThrow(/expected hidden units with last dim 3/);
    expect(() => m.complete(zeros([2, 4]), zeros([2, 3]))).toThrow(/mask shape \[2,3\] must match/);
    expect(() => new rbm.RBM(0, 3)).toThrow(/nVisible must be a positive integer/);
    expect(() => new rbm.RBM(4, 3, { visible: 'binary' as any })).toThrow(/'bernoulli' or 'gaussian'/);
    expect(() => new rbm.RBM(4, 3, { visible: 'gaussian' }).pseudoLikelihood(zeros([1, 4]))).toThrow(/Bernoulli visible units only/);
    expect(() => m.fit(zeros([4, 4]), { lr: -1 })).toThrow(/lr must be a finite number/);
    expect(() => m.fit(zeros([4, 4]), { momentum: 1 })).toThrow(/momentum must be/);
    expect(() => m.fit('data' as any)).toThrow(/data must be a Tensor/);
    // Gaussian visible units accept any real values.
    expect(() => new rbm.RBM(4, 3, { visible: 'gaussian' }).fit(tensor([[0, -3, 1, 7.5]]), { epochs: 1 })).not.toThrow();
  });
});
