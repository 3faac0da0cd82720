// Replicated Softmax (a topic-model RBM; src/rbm/rsm.ts): the two steps of its Gibbs chain that the
// GEMMs do not cover. A document is a vector of word counts whose row sum D (its length) scales the
// hidden biases, and its visible layer is one softmax over the vocabulary replicated D times, so a
// visible sample is D words drawn from that softmax.
import { rng_uniform } from './random';
import { sigmoid1, vexpNeg } from './simd-math';

// x[r, j] = beta·(x[r, j] + len[r]·c[j]), then the logistic sigmoid when sigm != 0.
// x holds v·Wᵀ on entry; the result is P(h = 1 | v) at inverse temperature beta (1 for the model).
export function rsm_hidden(x: usize, c: usize, len: usize, rows: i32, H: i32, beta: f32, sigm: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = load<f32>(len + (<usize>r << 2));
    const row = x + (<usize>r * <usize>H << 2);
    for (let j = 0; j < H; j++) {
      const o = <usize>j << 2;
      const a = beta * (load<f32>(row + o) + d * load<f32>(c + o));
      store<f32>(row + o, sigm != 0 ? sigmoid1(a) : a);
    }
  }
}

const CHUNK = 256;

// counts[r, :] = D_r words drawn from softmax(logits[r, :]), D_r = round(len[r]), with the seeded
// generator. scratch holds V + 256 floats: the row's cumulative weights, then a chunk of uniforms.
// Each draw is a binary search of the cumulative weights (D log V work per row, not D·V).
export function rsm_sample_visible(logits: usize, len: usize, counts: usize, scratch: usize, rows: i32, V: i32): void {
  const uni = scratch + (<usize>V << 2);
  for (let r = 0; r < rows; r++) {
    const lrow = logits + (<usize>r * <usize>V << 2);
    const crow = counts + (<usize>r * <usize>V << 2);
    let m: f32 = -Infinity;
    for (let i = 0; i < V; i++) m = max(m, load<f32>(lrow + (<usize>i << 2)));
    // exp(l - m) <= 1, four lanes at a time (the software scalar exp would dominate the step).
    const vm = f32x4.splat(m);
    let i = 0;
    for (; i + 4 <= V; i += 4) {
      const o = <usize>i << 2;
      v128.store(scratch + o, vexpNeg(f32x4.sub(v128.load(lrow + o), vm)));
    }
    for (; i < V; i++) {
      const o = <usize>i << 2;
      store<f32>(scratch + o, f32x4.extract_lane(vexpNeg(f32x4.splat(load<f32>(lrow + o) - m)), 0));
    }
    // Cumulative sums in f64 so a 2,000+ word vocabulary keeps the tail categories' widths exact.
    let total: f64 = 0;
    for (let i = 0; i < V; i++) {
      const o = <usize>i << 2;
      total += <f64>load<f32>(scratch + o);
      store<f32>(scratch + o, <f32>total);
      store<f32>(crow + o, 0);
    }
    let D = <i32>Mathf.round(load<f32>(len + (<usize>r << 2)));
    const last = load<f32>(scratch + (<usize>(V - 1) << 2));
    while (D > 0) {
      const n = min(D, CHUNK);
      rng_uniform(uni, n, 0, 1);
      for (let s = 0; s < n; s++) {
        const t = load<f32>(uni + (<usize>s << 2)) * last;
        // Smallest i with cum[i] > t.
        let lo = 0, hi = V - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (load<f32>(scratch + (<usize>mid << 2)) > t) hi = mid; else lo = mid + 1;
        }
        const o = crow + (<usize>lo << 2);
        store<f32>(o, load<f32>(o) + 1);
      }
      D -= n;
    }
  }
}
