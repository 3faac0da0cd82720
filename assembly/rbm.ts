// Fused helpers for contrastive-divergence training (src/rbm). The heavy lifting is the GEMM
// (gemm.ts) and the Bernoulli sampler (random.ts); these cover the small reductions around them
// so one CD step makes no tensor allocations.
import { vsigmoid, sigmoid1 } from './simd-math';

// Σ (a[i] - b[i])², accumulated in f64 (n can be tens of thousands per mini-batch).
export function rbm_sq_err(a: usize, b: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let total: f64 = 0;
  let i = 0;
  // Flush the f32 lanes every 4096 elements so rounding does not grow with n.
  while (i + 4 <= n) {
    const end = min(n & ~3, i + 4096);
    for (; i < end; i += 4) {
      const o = <usize>i << 2;
      const d = f32x4.sub(v128.load(a + o), v128.load(b + o));
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
             <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    acc = f32x4.splat(0);
  }
  for (; i < n; i++) {
    const d = load<f32>(a + (<usize>i << 2)) - load<f32>(b + (<usize>i << 2));
    total += <f64>(d * d);
  }
  return total;
}

// Bias velocity for CD: vel[j] = momentum·vel[j] + scale·Σ_r (pos[r, j] - neg[r, j]),
// pos and neg row-major [rows, cols] (data statistics minus model statistics).
export function rbm_bias_velocity(vel: usize, pos: usize, neg: usize, rows: i32, cols: i32, scale: f32, momentum: f32): void {
  const vm = f32x4.splat(momentum), vs = f32x4.splat(scale);
  const rowBytes = <usize>cols << 2;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const ro = <usize>r * rowBytes + o;
      acc = f32x4.add(acc, f32x4.sub(v128.load(pos + ro), v128.load(neg + ro)));
    }
    v128.store(vel + o, f32x4.add(f32x4.mul(vm, v128.load(vel + o)), f32x4.mul(vs, acc)));
  }
  for (; j < cols; j++) {
    const o = <usize>j << 2;
    let acc: f32 = 0;
    for (let r = 0; r < rows; r++) {
      const ro = <usize>r * rowBytes + o;
      acc += load<f32>(pos + ro) - load<f32>(neg + ro);
    }
    store<f32>(vel + o, momentum * load<f32>(vel + o) + scale * acc);
  }
}

// dst[i] = mean[i] + N(0, 1) noise already in dst (rng_normal first): unit-variance Gaussian units.
export function rbm_add_inplace(dst: usize, mean: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(mean + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(mean + o));
  }
}

// Counts values outside [0, 1] (and NaN): Bernoulli visible units need data in that range.
export function rbm_count_outside_unit(x: usize, n: i32): i32 {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= 0 && v <= 1)) bad++;
  }
  return bad;
}

// In-place logistic sigmoid, 4 lanes at a time (simd-math.ts). The GEMM's scalar epilogue calls the
// software Mathf.exp per element, which costs as much as the multiply-adds for these shapes; this
// pass over the L2-resident output is several times cheaper.
export function rbm_sigmoid(x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, vsigmoid(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, sigmoid1(load<f32>(x + o)));
  }
}
