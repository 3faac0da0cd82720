// Layer normalisation over the last n values of each row of a contiguous [rows, n] tensor
// (nn.LayerNorm, F.layerNorm): one kernel per direction. Statistics are two-pass (mean, then the
// centred sum of squares), so a large common offset does not cancel the variance away.
// Plain f32x4 mul/add only (no relaxed madd): a SIMD lane and the scalar tail compute the same
// value, so splitting columns or rows across threads never changes a result.

@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function put(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
@inline function vat(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Sum of row[0..n) with two vector accumulators.
@inline function rowSum(row: usize, n: i32): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) { a0 = f32x4.add(a0, vat(row, j)); a1 = f32x4.add(a1, vat(row, j + 4)); }
  for (; j + 4 <= n; j += 4) a0 = f32x4.add(a0, vat(row, j));
  let s = hsum(f32x4.add(a0, a1));
  for (; j < n; j++) s += f(row, j);
  return s;
}

// y[r, :] = (x[r, :] - mean_r) * rstd_r * w + b for r in [0, rows); w, b may be 0 (no affine).
// mean[r] and rstd[r] = 1/sqrt(var_r + eps) (biased variance) are written for backward.
export function norm_layer_fwd(x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, rows: i32, n: i32, eps: f32): void {
  const inv: f32 = 1 / <f32>n;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>n) << 2), yr = y + ((<usize>r * <usize>n) << 2);
    const m = rowSum(xr, n) * inv;
    const mv = f32x4.splat(m);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const d0 = f32x4.sub(vat(xr, j), mv), d1 = f32x4.sub(vat(xr, j + 4), mv);
      a0 = f32x4.add(a0, f32x4.mul(d0, d0));
      a1 = f32x4.add(a1, f32x4.mul(d1, d1));
    }
    for (; j + 4 <= n; j += 4) { const d = f32x4.sub(vat(xr, j), mv); a0 = f32x4.add(a0, f32x4.mul(d, d)); }
    let ss = hsum(f32x4.add(a0, a1));
    for (; j < n; j++) { const d = f(xr, j) - m; ss += d * d; }
    const rs: f32 = 1 / Mathf.sqrt(ss * inv + eps);
    put(mean, r, m);
    put(rstd, r, rs);
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      let v = f32x4.mul(f32x4.sub(vat(xr, j), mv), rv);
      if (w) v = f32x4.mul(v, vat(w, j));
      if (b) v = f32x4.add(v, vat(b, j));
      v128.store(yr + (<usize>j << 2), v);
    }
    for (; j < n; j++) {
      let v = (f(xr, j) - m) * rs;
      if (w) v *= f(w, j);
      if (b) v += f(b, j);
      put(yr, j, v);
    }
  }
}

// Backward of norm_layer_fwd. Two independent parts, so threads can split each its own way:
//  - dx (if non-zero) for rows [r0, r0 + nr): with gw = dy * w and xhat = (x - mean) * rstd,
//    dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat));
//  - dw / db (each may be 0) for columns [c0, c0 + nc), summed over all `rows` in row order:
//    dw = sum_r dy * xhat, db = sum_r dy (overwritten, not accumulated).
export function norm_layer_bwd(x: usize, w: usize, mean: usize, rstd: usize, dy: usize, dx: usize, dw: usize, db: usize,
                               rows: i32, n: i32, r0: i32, nr: i32, c0: i32, nc: i32): void {
  const inv: f32 = 1 / <f32>n;
  if (dx) {
    for (let r = r0; r < r0 + nr; r++) {
      const off = (<usize>r * <usize>n) << 2;
      const xr = x + off, gr = dy + off, dr = dx + off;
      const m = f(mean, r), rs = f(rstd, r);
      const mv = f32x4.splat(m), rv = f32x4.splat(rs);
      let s1 = f32x4.splat(0), s2 = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        let g = vat(gr, j);
        if (w) g = f32x4.mul(g, vat(w, j));
        const xh = f32x4.mul(f32x4.sub(vat(xr, j), mv), rv);
        s1 = f32x4.add(s1, g);
        s2 = f32x4.add(s2, f32x4.mul(g, xh));
      }
      let sg = hsum(s1), sgx = hsum(s2);
      for (; j < n; j++) {
        let g = f(gr, j);
        if (w) g *= f(w, j);
        sg += g;
        sgx += g * ((f(xr, j) - m) * rs);
      }
      const mg = sg * inv, mgx = sgx * inv;
      const mgv = f32x4.splat(mg), mgxv = f32x4.splat(mgx);
      j = 0;
      for (; j + 4 <= n; j += 4) {
        let g = vat(gr, j);
        if (w) g = f32x4.mul(g, vat(w, j));
        const xh = f32x4.mul(f32x4.sub(vat(xr, j), mv), rv);
        v128.store(dr + (<usize>j << 2), f32x4.mul(rv, f32x4.sub(f32x4.sub(g, mgv), f32x4.mul(xh, mgxv))));
      }
      for (; j < n; j++) {
        let g = f(gr, j);
        if (w) g *= f(w, j);
        const xh = (f(xr, j) - m) * rs;
        put(dr, j, rs * ((g - mg) - xh * mgx));
      }
    }
  }
  if ((!dw && !db) || nc <= 0) return;
  const c1 = c0 + nc;
  for (let j = c0; j < c1; j++) { if (dw) put(dw, j, 0); if (db) put(db, j, 0); }
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>n) << 2;
    const xr = x + off, gr = dy + off;
    const m = f(mean, r), rs = f(rstd, r);
    const mv = f32x4.splat(m), rv = f32x4.splat(rs);
    let j = c0;
    for (; j + 4 <= c1; j += 4) {
      const g = vat(gr, j);
      if (dw) v128.store(dw + (<usize>j << 2), f32x4.add(vat(dw, j), f32x4.mul(g, f32x4.mul(f32x4.sub(vat(xr, j), mv), rv))));
      if (db) v128.store(db + (<usize>j << 2), f32x4.add(vat(db, j), g));
    }
    for (; j < c1; j++) {
      const g = f(gr, j);
      if (dw) put(dw, j, f(dw, j) + g * ((f(xr, j) - m) * rs));
      if (db) put(db, j, f(db, j) + g);
    }
  }
}
