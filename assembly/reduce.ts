// Reductions over a contiguous tensor viewed as [outer, n, inner] (reducing the middle axis),
// softmax / log-softmax, negative log-likelihood, and norms.

@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function put(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// y[o, i] = scale * sum_j x[o, j, i].
export function red_sum(x: usize, y: usize, outer: i32, n: i32, inner: i32, scale: f32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const row = x + (<usize>(o * n) << 2);
      // Four independent accumulators keep the FP add chain from limiting throughput.
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      let j = 0;
      for (; j + 8 <= n; j += 8) {
        a0 = f32x4.add(a0, v128.load(row + (<usize>j << 2)));
        a1 = f32x4.add(a1, v128.load(row + (<usize>j << 2), 16));
      }
      for (; j + 4 <= n; j += 4) a0 = f32x4.add(a0, v128.load(row + (<usize>j << 2)));
      let s = hsum(f32x4.add(a0, a1));
      for (; j < n; j++) s += f(row, j);
      put(y, o, s * scale);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const dst = y + (<usize>(o * inner) << 2);
    const src = x + (<usize>(o * n * inner) << 2);
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      let acc = f32x4.splat(0);
      for (let j = 0; j < n; j++) acc = f32x4.add(acc, v128.load(src + (<usize>(j * inner + i) << 2)));
      v128.store(dst + (<usize>i << 2), f32x4.mul(acc, f32x4.splat(scale)));
    }
    for (; i < inner; i++) {
      let s: f32 = 0;
      for (let j = 0; j < n; j++) s += f(src, j * inner + i);
      put(dst, i, s * scale);
    }
  }
}

// Max (or min when isMin) over the middle axis, NaN-propagating like PyTorch; first index wins ties.
// idx (i32, may be 0 to skip) receives the arg position.
export function red_max(x: usize, y: usize, idx: usize, outer: i32, n: i32, inner: i32, isMin: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = f(x, base);
      let bi = 0;
      if (best == best) {
        for (let j = 1; j < n; j++) {
          const v = f(x, base + j * inner);
          if (v != v) { best = v; bi = j; break; }
          if (isMin ? v < best : v > best) { best = v; bi = j; }
        }
      }
      put(y, o * inner + i, best);
      if (idx) store<i32>(idx + (<usize>(o * inner + i) << 2), bi);
    }
  }
}

// Softmax (or log-softmax when isLog) along the middle axis, max-subtracted for stability.
export function red_softmax(x: usize, y: usize, outer: i32, n: i32, inner: i32, isLog: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = f(x, base);
      for (let j = 1; j < n; j++) { const v = f(x, base + j * inner); if (v > m) m = v; }
      if (m == -Infinity) m = 0; // an all -inf row gives NaN like PyTorch, not a crash
      let s: f64 = 0;
      for (let j = 0; j < n; j++) {
        const e = Mathf.exp(f(x, base + j * inner) - m);
        if (!isLog) put(y, base + j * inner, e);
        s += <f64>e;
      }
      if (isLog) {
        // (x - m) - log(s), not x - (m + log(s)): near |m| = 1e4 the sum m + log(s) loses ~1e-3.
        const ls = <f32>Math.log(s);
        for (let j = 0; j < n; j++) put(y, base + j * inner, (f(x, base + j * inner) - m) - ls);
      } else {
        const r = <f32>(1.0 / s);
        for (let j = 0; j < n; j++) put(y, base + j * inner, f(y, base + j * inner) * r);
      }
    }
  }
}

// softmax: dx = y * (dy - sum(dy*y)); log-softmax: dx = dy - exp(y) * sum(dy).
export function red_softmax_backward(y: usize, dy: usize, dx: usize, outer: i32, n: i32, inner: i32, isLog: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: f32 = 0;
      for (let j = 0; j < n; j++) {
        const k = base + j * inner;
        s += isLog ? f(dy, k) : f(dy, k) * f(y, k);
      }
      for (let j = 0; j < n; j++) {
        const k = base + j * inner;
        put(dx, k, isLog ? f(dy, k) - Mathf.exp(f(y, k)) * s : f(y, k) * (f(dy, k) - s));
      }
    }
  }
}

// out[r] = -w[label] * logp[r, label] for logp [N, C, inner] and labels [N, inner] (r = n*inner + i);
// ignored rows give 0. weights may be 0 (all ones). Returns the first bad row or -1; labels are checked first.
export function red_nll(logp: usize, labels: usize, weights: usize, out: usize, N: i32, C: i32, inner: i32, ignoreIndex: i32): i32 {
  const rows = N * inner;
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(labels + (<usize>r << 2));
    if (t != ignoreIndex && (t < 0 || t >= C)) return r;
  }
  for (let nn = 0; nn < N; nn++) for (let i = 0; i < inner; i++) {
    const r = nn * inner + i;
    const t = load<i32>(labels + (<usize>r << 2));
    if (t == ignoreIndex) { put(out, r, 0); continue; }
    const w: f32 = weights ? f(weights, t) : 1.0;
    put(out, r, -w * f(logp, (nn * C + t) * inner + i));
  }
  return -1;
}

// Adjoint of red_nll: dlogp (zeroed by this call) gets -w[label] * g[r] at each label position.
export function red_nll_backward(labels: usize, weights: usize, g: usize, dlogp: usize, N: i32, C: i32, inner: i32, ignoreIndex: i32): void {
  memory.fill(dlogp, 0, <usize>(N * C * inner) << 2);
  for (let nn = 0; nn < N; nn++) for (let i = 0; i < inner; i++) {
    const r = nn * inner + i;
    const t = load<i32>(labels + (<usize>r << 2));
    if (t == ignoreIndex) continue;
    const w: f32 = weights ? f(weights, t) : 1.0;
    put(dlogp, (nn * C + t) * inner + i, -w * f(g, r));
  }
}

// Sum of w[label] over non-ignored rows (the 'mean' divisor of weighted NLL).
export function red_nll_weight_sum(labels: usize, weights: usize, rows: i32, ignoreIndex: i32): f32 {
  let s: f32 = 0;
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(labels + (<usize>r << 2));
    if (t != ignoreIndex) s += weights ? f(weights, t) : 1.0;
  }
  return s;
}

// Sum of squares in f64 (gradient-norm clipping wants a stable total across many tensors).
export function red_sumsq(x: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let i = 0;
  let total: f64 = 0;
  // Flush the f32 vector accumulator every 4096 elements into f64 to bound rounding error.
  while (i + 4 <= n) {
    const end = min(n & ~3, i + 4096);
    for (; i < end; i += 4) { const v = v128.load(x + (<usize>i << 2)); acc = f32x4.add(acc, f32x4.mul(v, v)); }
    total += <f64>hsum(acc);
    acc = f32x4.splat(0);
  }
  for (; i < n; i++) { const v = <f64>f(x, i); total += v * v; }
  return total;
}

// Max |x| (inf-norm clipping).
export function red_absmax(x: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < n; i++) { const v = Mathf.abs(f(x, i)); if (v > m || v != v) m = v; }
  return m;
}
