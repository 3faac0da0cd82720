// Index maths shared by the convolution and pooling kernels (conv.ts, pool.ts): byte addresses of
// f32 elements and the output ranges whose window taps fall inside the input. @inline helpers, not
// re-exported from index.ts.

@inline export function f32p(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// ceil(a / b) for b > 0 and any sign of a (i32 division truncates toward zero).
@inline export function ceilDiv(a: i32, b: i32): i32 {
  return a > 0 ? (a + b - 1) / b : -((-a) / b);
}

// First output index o with o*s + off >= 0, clamped to [0, n].
@inline export function lowOut(off: i32, s: i32, n: i32): i32 {
  return min(max(ceilDiv(-off, s), 0), n);
}

// One past the last output index o with o*s + off < size, clamped to [lo, n].
@inline export function highOut(off: i32, s: i32, size: i32, lo: i32, n: i32): i32 {
  return min(max(ceilDiv(size - off, s), lo), n);
}
