// The LDA baseline of the topic-model example (examples/lda.ts): its figure is the target issue 17
// measures the Replicated Softmax against, so its special functions, its held-out log P(doc) and its
// fit are checked here, the likelihood against the exact integral of small models.
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { LDA, digamma, lgamma } from '../../examples/lda.js';

beforeAll(async () => { await wg.init(); });

// Exact log P(doc) of LDA with topics β [K][V] and prior Dir(α): expand Π_w (θᵀβ_w)^n_w into monomials
// Π_k θ_k^m_k and integrate each, E[Π θ_k^m_k] = Γ(Kα) / Γ(Kα + N) · Π_k Γ(α + m_k) / Γ(α).
function exactLogProb(beta: number[][], alpha: number, doc: number[]): number {
  const K = beta.length;
  let poly = new Map<string, number>([[Array(K).fill(0).join(','), 1]]);
  doc.forEach((count, w) => {
    for (let r = 0; r < count; r++) {
      const next = new Map<string, number>();
      for (const [key, c] of poly) {
        const m = key.split(',').map(Number);
        for (let k = 0; k < K; k++) {
          m[k]++;
          const kk = m.join(',');
          next.set(kk, (next.get(kk) ?? 0) + c * beta[k][w]);
          m[k]--;
        }
      }
      poly = next;
    }
  });
  const N = doc.reduce((a, b) => a + b, 0);
  let total = 0;
  for (const [key, c] of poly) {
    let lg = lgamma(K * alpha) - lgamma(K * alpha + N);
    for (const m of key.split(',').map(Number)) lg += lgamma(alpha + m) - lgamma(alpha);
    total += c * Math.exp(lg);
  }
  return Math.log(total);
}

describe('LDA baseline (examples/lda.ts)', () => {
  it('lgamma and digamma match closed forms', () => {
    const euler = 0.5772156649015329;
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(lgamma(1)).toBeCloseTo(0, 12);
    // Γ(0.01) = Γ(1.01) / 0.01, and Γ(1.01) = 0.994325851191506...
    expect(lgamma(0.01)).toBeCloseTo(Math.log(0.994325851191506 / 0.01), 10);
    // ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ(10) = H_9 - γ, ψ(0.01) = ψ(1.01) - 100 = -100.560885457...
    const x = wg.tensor([1, 0.5, 10, 0.01, 3.7]);
    const got = Array.from(digamma(x).data());
    let h9 = 0;
    for (let i = 1; i <= 9; i++) h9 += 1 / i;
    const want = [-euler, -euler - 2 * Math.LN2, h9 - euler, -100.56088545786861, 1.1671535393615111];
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(2e-5 * Math.max(1, Math.abs(want[i]))));
  });

  it('held-out log P(doc) by importance sampling matches the exact integral of a 3-topic model', () => {
    const K = 3, V = 8, alpha = 0.3;
    const lda = new LDA(V, { topics: K, alpha });
    // Topics that disagree: each puts most of its mass on a different pair of words.
    const lambda = [
      [20, 15, 1, 1, 0.5, 0.5, 2, 1],
      [0.5, 1, 25, 10, 1, 0.5, 1, 3],
      [1, 0.5, 0.5, 2, 18, 22, 1, 0.5],
    ];
    lda.lambda = wg.tensor(lambda.flat(), { shape: [K, V] });
    const beta = lambda.map((row) => { const s = row.reduce((a, b) => a + b, 0); return row.map((x) => x / s); });
    // A one-word e-mail, short mixed ones, and one of 40 words from two topics.
    const docs = [[0, 0, 0, 0, 0, 0, 0, 1], [3, 0, 1, 0, 0, 2, 0, 0], [5, 1, 0, 4, 2, 0, 0, 3], [10, 6, 0, 0, 12, 9, 2, 1]];
    const X = wg.tensor(docs.flat(), { shape: [docs.length, V] });
    const exact = docs.map((d) => exactLogProb(beta, alpha, d));
    for (const seed of [1, 2]) {
      wg.manualSeed(seed);
      const est = lda.logProb(X, 4000);
      est.forEach((e, i) => expect(Math.abs(e - exact[i]), `document ${i}, seed ${seed}: ${e} vs exact ${exact[i]}`).toBeLessThan(0.03));
    }
    // The example's 100 samples: within 0.2 nats on these.
    wg.manualSeed(3);
    lda.logProb(X, 100).forEach((e, i) => expect(Math.abs(e - exact[i])).toBeLessThan(0.2));
    // The log probabilities are of word sequences: the one-word e-mail's is log E[θ]ᵀβ_w exactly.
    expect(exact[0]).toBeCloseTo(Math.log(beta.reduce((a, row) => a + row[7], 0) / K), 12);
  });

  it('batch variational EM finds two topics in a two-topic corpus and predicts held-out e-mails far better than uniform', () => {
    // Documents of 30 words drawn from words 0-9 or from words 10-19.
    wg.manualSeed(4);
    const V = 20, perDoc = 30;
    const make = (n: number) => {
      const rows: number[] = [];
      const ids = wg.randint(0, 10, [n, perDoc]).data();
      for (let d = 0; d < n; d++) {
        const row = new Array(V).fill(0);
        for (let j = 0; j < perDoc; j++) row[ids[d * perDoc + j] + (d % 2) * 10]++;
        rows.push(...row);
      }
      return wg.tensor(rows, { shape: [n, V] });
    };
    const train = make(200), held = make(40);
    const lda = new LDA(V, { topics: 2 });
    lda.fit(train, { iterations: 30 });
    // Each topic's mass sits on one half of the vocabulary.
    const beta = lda.topics().data();
    const lowHalf = [0, 1].map((k) => { let s = 0; for (let w = 0; w < 10; w++) s += beta[k * V + w]; return s; });
    expect(Math.min(...lowHalf)).toBeLessThan(0.02);
    expect(Math.max(...lowHalf)).toBeGreaterThan(0.98);
    // A held-out e-mail uses one half: the ideal model's perplexity is 10; uniform gives 20.
    const lp = lda.logProb(held, 200);
    const perplexity = Math.exp(-lp.reduce((a, b) => a + b, 0) / (40 * perDoc));
    expect(perplexity).toBeGreaterThan(9.5);
    expect(perplexity).toBeLessThan(11);
    // Its topic proportions tell the two kinds of e-mail apart.
    const theta = lda.transform(held).data();
    for (let d = 0; d < 40; d++) {
      const ownTopic = lowHalf[0] > 0.5 ? (d % 2 === 0 ? 0 : 1) : (d % 2 === 0 ? 1 : 0);
      expect(theta[d * 2 + ownTopic]).toBeGreaterThan(0.9);
    }
  });
});
