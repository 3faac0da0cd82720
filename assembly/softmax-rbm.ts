// Softmax visible units for the collaborative-filtering RBM (src/rbm/softmax-rbm.ts; Salakhutdinov,
// Mnih & Hinton 2007). A mini-batch of users is a dense int32 matrix ratings[rows, items] holding
// 1..K for a rated item and 0 for an unrated one; each rated item is one K-way softmax unit, and an
// unrated item has no unit at all: its K columns of the visible layer are written as zeros, so they
// add nothing to the hidden input and nothing to any gradient. One pass per call, no allocations.

import { SOFTMAX_ONEHOT, SOFTMAX_SAMPLE, SOFTMAX_EXPECT } from './protocol.generated';

// SOFTMAX_ONEHOT: out = one-hot of the ratings (act unused).
// SOFTMAX_PROBS: out = softmax over K of act on rated items (mean-field reconstruction), zeros elsewhere.
// SOFTMAX_SAMPLE: out = one-hot sample of that softmax on rated items (u: one uniform per (row, item)).
// SOFTMAX_EXPECT: every item gets its softmax (ratings unused); out may be 0; expect[row, item] = Σ k·p_k.
// Returns the number of ratings outside 0..K (all modes but SOFTMAX_EXPECT); those rows' units are left zero.
export function rbm_softmax_visible(mode: i32, act: usize, ratings: usize, u: usize, out: usize, expect: usize,
  rows: i32, items: i32, K: i32): i32 {
  let bad = 0;
  const n = rows * items;
  for (let c = 0; c < n; c++) {
    const o = <usize>c * <usize>K << 2;
    let r = mode == SOFTMAX_EXPECT ? 1 : load<i32>(ratings + (<usize>c << 2));
    if (r < 0 || r > K) { bad++; r = 0; }
    if (r == 0) {
      if (out) for (let k = 0; k < K; k++) store<f32>(out + o + (<usize>k << 2), 0);
      continue;
    }
    if (mode == SOFTMAX_ONEHOT) {
      for (let k = 0; k < K; k++) store<f32>(out + o + (<usize>k << 2), k == r - 1 ? 1 : 0);
      continue;
    }
    // Softmax over the K ratings of this item, max-shifted.
    let m: f32 = load<f32>(act + o);
    for (let k = 1; k < K; k++) m = max(m, load<f32>(act + o + (<usize>k << 2)));
    let s: f32 = 0;
    for (let k = 0; k < K; k++) s += Mathf.exp(load<f32>(act + o + (<usize>k << 2)) - m);
    const inv: f32 = 1 / s;
    if (mode == SOFTMAX_SAMPLE) {
      // Inverse-CDF draw: the first k whose cumulative probability exceeds u.
      const x = load<f32>(u + (<usize>c << 2));
      let acc: f32 = 0;
      let pick = K - 1;
      for (let k = 0; k < K - 1; k++) {
        acc += Mathf.exp(load<f32>(act + o + (<usize>k << 2)) - m) * inv;
        if (x < acc) { pick = k; break; }
      }
      for (let k = 0; k < K; k++) store<f32>(out + o + (<usize>k << 2), k == pick ? 1 : 0);
      continue;
    }
    let e: f32 = 0;
    for (let k = 0; k < K; k++) {
      const p = Mathf.exp(load<f32>(act + o + (<usize>k << 2)) - m) * inv;
      if (out) store<f32>(out + o + (<usize>k << 2), p);
      e += <f32>(k + 1) * p;
    }
    if (mode == SOFTMAX_EXPECT && expect) store<f32>(expect + (<usize>c << 2), e);
  }
  return bad;
}
