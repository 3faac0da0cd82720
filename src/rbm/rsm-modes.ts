// The top of a Replicated Softmax's hidden marginal. Summing out the words of a document of length D,
//   Z_D = Σ_h exp(D·g(h)),   g(h) = cᵀh + logsumexp(b + Wᵀh),
// so at a long length the marginal exp(D·g(h)) / Z_D piles onto the states with the largest g. Both
// the AIS lower bound (ais.ts) and the likelihood refinement of long documents (rsm-likelihood.ts)
// need those states: local maxima of g over binary h, found by greedy ascent (flip the unit that
// raises g most, until none does).
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { matmul, linear } from '../ops/matmul.js';
import { tensor } from '../ops/creation.js';
import { logSumExp } from './float64.js';
import type { Tensor } from '../tensor.js';
import type { ReplicatedSoftmax } from './rsm.js';

export interface Maxima {
  /** The distinct local maxima found, each a 0/1 row of nHidden values. */
  states: Uint8Array[];
  /** g of each, in float64. */
  g: number[];
}

/**
 * Greedy ascent of g from each row of `starts` (0/1 values, [rows x nHidden] flattened); returns the
 * distinct maxima reached that are not in `seen` (their keys are added to it).
 */
export function localMaxima(model: ReplicatedSoftmax, starts: ArrayLike<number>, seen: Set<string> = new Set()): Maxima {
  const H = model.nHidden;
  // Identical starts climb to the same maximum: each is climbed once.
  const unique = new Map<string, number>();
  for (let r = 0; r < starts.length / H; r++) {
    let key = '';
    for (let j = 0; j < H; j++) key += starts[r * H + j] > 0.5 ? '1' : '0';
    if (!unique.has(key)) unique.set(key, r);
  }
  const R = unique.size;
  const h = new Float32Array(R * H);
  let at = 0;
  for (const r of unique.values()) { for (let j = 0; j < H; j++) h[at * H + j] = starts[r * H + j] > 0.5 ? 1 : 0; at++; }
  const c = model.hiddenBias.data();
  const chunk = 1024;
  noGrad(() => tidy(() => {
    // Only the rows still climbing are recomputed: most stop after a step or two, a few climb for long.
    let active = Array.from({ length: R }, (_, r) => r);
    for (let iter = 0; iter < 4 * H && active.length; iter++) {
      const still: number[] = [];
      for (let c0 = 0; c0 < active.length; c0 += chunk) {
        const part = active.slice(c0, c0 + chunk), n = part.length;
        const rows = new Float32Array(n * H);
        part.forEach((r, i) => rows.set(h.subarray(r * H, (r + 1) * H), i * H));
        const { gain, g } = tidy(() => {
          const f = flipGains(model, tensor(rows, { shape: [n, H] }));
          return { gain: f.gains.data(), g: f.g.data() };
        });
        part.forEach((r, i) => {
          let best = -1, bestGain = 1e-6 * Math.max(1, Math.abs(g[i]));
          for (let j = 0; j < H; j++) if (gain[i * H + j] > bestGain) { bestGain = gain[i * H + j]; best = j; }
          // float32 gains: a clear gain is demanded so rounding cannot flip a unit back and forth.
          if (best >= 0) { h[r * H + best] = 1 - h[r * H + best]; still.push(r); }
        });
      }
      active = still;
    }
  }));
  // g of each new maximum in float64 (the AIS bound must not inherit float32 rounding at D in the thousands).
  const V = model.nVisible;
  const W = model.weight.data(), b = model.visibleBias.data();
  const out: Maxima = { states: [], g: [] };
  const x = new Float64Array(V);
  for (let r = 0; r < R; r++) {
    const state = Uint8Array.from(h.subarray(r * H, (r + 1) * H));
    const key = state.join('');
    if (seen.has(key)) continue;
    seen.add(key);
    let ch = 0;
    for (let k = 0; k < V; k++) x[k] = b[k];
    for (let j = 0; j < H; j++) {
      if (!state[j]) continue;
      ch += c[j];
      for (let k = 0; k < V; k++) x[k] += W[j * V + k];
    }
    out.states.push(state);
    out.g.push(ch + logSumExp(x));
  }
  return out;
}

/**
 * One starting state per word k: h_j = [W_jk + c_j > 0], the state that maximises b_k + (W_k + c)ᵀh,
 * the word's own term of g. Since logsumexp(b + Wᵀh) >= max_k (b_k + W_kᵀh), the largest g is within
 * log(vocabSize) of the best of these, and at long lengths Z_D is often held by such a state: a
 * document repeating one word. Random starts rarely land in its basin.
 */
export function wordStates(model: ReplicatedSoftmax): Float32Array {
  return noGrad(() => tidy(() => model.weight.add(model.hiddenBias.reshape([model.nHidden, 1])).gt(0).float().t().contiguous().data() as Float32Array));
}

/**
 * For 0/1 states S [m, nHidden]: g(S) [m], and the change of g when each unit flips [m, nHidden],
 * differentiable in the parameters. From the word activations a = b + Wᵀh:
 *   off → on: c_j + log Σ_k softmax(a)_k e^{W_jk},   on → off: -c_j + log Σ_k softmax(a)_k e^{-W_jk},
 * two products for every unit of every state at once (e^{±W} shifted by each unit's largest ±W_jk, a
 * constant that cancels, so no weight overflows float32).
 */
export function flipGains(model: ReplicatedSoftmax, S: Tensor): { g: Tensor; gains: Tensor } {
  const H = model.nHidden, W = model.weight, c = model.hiddenBias;
  const act = linear(S, W.t(), model.visibleBias);
  const g = act.logsumexp(-1).add(matmul(S, c.reshape([H, 1])).reshape([-1]));
  const up = noGrad(() => W.amax(-1, true)), down = noGrad(() => W.neg().amax(-1, true));
  const p = act.softmax(-1);
  const on = matmul(p, W.sub(up).exp().t()).log().add(up.reshape([H])).add(c);
  const off = matmul(p, W.neg().sub(down).exp().t()).log().add(down.reshape([H])).sub(c);
  return { g, gains: off.where(S.gt(0.5), on) };
}
