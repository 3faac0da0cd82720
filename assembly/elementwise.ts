// Elementwise maps: unary ops (+ their derivatives), broadcasting binary ops over strided
// inputs, strided copies, casts and gathers. Op codes come from src/runtime/protocol.ts.
import { vsigmoid, vtanh, sigmoid1, tanh1, vactGradFromOutput, actGradFromOutput1 } from './simd-math';
import {
  U_COPY, U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_SIGMOID, U_TANH, U_RELU, U_LEAKY_RELU, U_ELU, U_GELU, U_SOFTPLUS,
  U_CLAMP, U_POW_SCALAR, U_ADD_SCALAR, U_MUL_SCALAR, U_RSUB_SCALAR, U_RDIV_SCALAR, U_SIGN, U_SQUARE, U_RECIPROCAL,
  U_SIN, U_COS, U_GT_SCALAR, U_LT_SCALAR, U_GE_SCALAR, U_LE_SCALAR, U_EQ_SCALAR, U_NE_SCALAR, U_AFFINE, U_FLOOR,
  U_CEIL, U_ROUND, U_LOG1P, U_EXPM1, U_RSQRT, U_LOG_SIGMOID, U_SILU, U_HARDTANH,
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
  ACT_NONE,
} from './protocol.generated';

const INV_SQRT2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

@inline function f(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function put(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
@inline function b2f(b: bool): f32 { return b ? 1.0 : 0.0; }

// Numerically stable sigmoid: never exponentiates a large positive number.
@inline function sigmoidf(x: f32): f32 {
  if (x >= 0) return 1.0 / (1.0 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1.0 + e);
}

// erf via Abramowitz-Stegun 7.1.26 is too coarse for gelu gradients; use f64 series/continued fraction.
function erf64(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series converges quickly here.
    let term = x, sum = x;
    const x2 = x * x;
    for (let k = 1; k < 60; k++) {
      term *= -x2 / <f64>k;
      const add = term / <f64>(2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return sum * 1.1283791670955126;
  }
  // erfc continued fraction (Lentz) for the tails.
  const z = ax;
  let fcf = z, c = z, d: f64 = 0;
  const tiny = 1e-300;
  for (let k = 1; k < 200; k++) {
    const an = <f64>k * 0.5;
    d = z + an * d; if (Math.abs(d) < tiny) d = tiny; d = 1.0 / d;
    c = z + an / c; if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    fcf *= delta;
    if (Math.abs(delta - 1.0) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / fcf * 0.5641895835477563;
  return x > 0 ? 1.0 - erfc : erfc - 1.0;
}

@inline function softplusf(x: f32, beta: f32, threshold: f32): f32 {
  const bx = beta * x;
  if (bx > threshold) return x;
  // log1p, not log(1 + e): for bx < 0 the sum 1 + e rounds away most of e's digits (PyTorch uses log1p too).
  return (bx > 0 ? bx + <f32>Math.log1p(<f64>Mathf.exp(-bx)) : <f32>Math.log1p(<f64>Mathf.exp(bx))) / beta;
}

// C's powf special cases (what PyTorch returns) where AssemblyScript's Mathf.pow gives NaN:
// 1^y = 1 and x^0 = 1 for any y / x (NaN included), (-1)^±inf = 1.
@inline function powC(x: f32, y: f32): f32 {
  if (x == 1 || y == 0) return 1;
  if (x == -1 && Mathf.abs(y) == Infinity) return 1;
  return Mathf.pow(x, y);
}

@inline function unaryScalar(op: i32, x: f32, p1: f32, p2: f32): f32 {
  switch (op) {
    case U_COPY: return x;
    case U_NEG: return -x;
    case U_EXP: return Mathf.exp(x);
    case U_LOG: return Mathf.log(x);
    case U_SQRT: return Mathf.sqrt(x);
    case U_ABS: return Mathf.abs(x);
    case U_SIGMOID: return sigmoid1(x); // the vector body's code, so tails match it
    case U_TANH: return tanh1(x);
    case U_RELU: return x < 0 ? 0 : x; // NaN propagates, as in the SIMD lanes and PyTorch
    case U_LEAKY_RELU: return x > 0 ? x : x * p1;
    case U_ELU: return x > 0 ? x : p1 * (Mathf.exp(x) - 1.0);
    case U_GELU: return <f32>(<f64>x * 0.5 * (1.0 + erf64(<f64>x * 0.7071067811865476)));
    case U_SOFTPLUS: return softplusf(x, p1, p2);
    case U_CLAMP: return x < p1 ? p1 : (x > p2 ? p2 : x);
    case U_POW_SCALAR: return powC(x, p1);
    case U_ADD_SCALAR: return x + p1;
    case U_MUL_SCALAR: return x * p1;
    case U_RSUB_SCALAR: return p1 - x;
    case U_RDIV_SCALAR: return p1 / x;
    case U_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1.0 / x;
    case U_SIN: return Mathf.sin(x);
    case U_COS: return Mathf.cos(x);
    case U_GT_SCALAR: return b2f(x > p1);
    case U_LT_SCALAR: return b2f(x < p1);
    case U_GE_SCALAR: return b2f(x >= p1);
    case U_LE_SCALAR: return b2f(x <= p1);
    case U_EQ_SCALAR: return b2f(x == p1);
    case U_NE_SCALAR: return b2f(x != p1);
    case U_AFFINE: return x * p1 + p2;
    case U_FLOOR: return Mathf.floor(x);
    case U_CEIL: return Mathf.ceil(x);
    case U_ROUND: return f32.nearest(x); // round half to even, like torch.round
    case U_LOG1P: return <f32>Math.log1p(<f64>x);
    case U_EXPM1: return <f32>Math.expm1(<f64>x);
    case U_RSQRT: return 1.0 / Mathf.sqrt(x);
    case U_LOG_SIGMOID: return -softplusf(-x, 1.0, 20.0);
    case U_SILU: return x * sigmoidf(x);
    case U_HARDTANH: return x < p1 ? p1 : (x > p2 ? p2 : x);
  }
  return x;
}

// y[i] = op(x[i]); x and y may alias. SIMD fast paths for the ops that are pure lane arithmetic.
export function ew_unary(op: i32, x: usize, y: usize, n: i32, p1: f32, p2: f32): void {
  let i = 0;
  const n4 = n & ~3;
  if (op == U_RELU || op == U_LEAKY_RELU || op == U_ADD_SCALAR || op == U_MUL_SCALAR || op == U_NEG || op == U_ABS ||
      op == U_CLAMP || op == U_AFFINE || op == U_SQUARE || op == U_SQRT || op == U_COPY || op == U_HARDTANH) {
    const zero = f32x4.splat(0), a = f32x4.splat(p1), b = f32x4.splat(p2);
    for (; i < n4; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      let r: v128;
      switch (op) {
        case U_RELU: r = f32x4.max(v, zero); break;
        case U_LEAKY_RELU: r = v128.bitselect(v, f32x4.mul(v, a), f32x4.gt(v, zero)); break;
        case U_ADD_SCALAR: r = f32x4.add(v, a); break;
        case U_MUL_SCALAR: r = f32x4.mul(v, a); break;
        case U_NEG: r = f32x4.neg(v); break;
        case U_ABS: r = f32x4.abs(v); break;
        // pmax(v, a) / pmin(m, b) return their first operand when it is NaN: clamp(NaN) = NaN like PyTorch.
        case U_CLAMP: case U_HARDTANH: r = f32x4.pmin(f32x4.pmax(v, a), b); break;
        case U_AFFINE: r = f32x4.add(f32x4.mul(v, a), b); break;
        case U_SQUARE: r = f32x4.mul(v, v); break;
        case U_SQRT: r = f32x4.sqrt(v); break;
        default: r = v;
      }
      v128.store(y + (<usize>i << 2), r);
    }
  } else if (op == U_SIGMOID) {
    for (; i < n4; i += 4) v128.store(y + (<usize>i << 2), vsigmoid(v128.load(x + (<usize>i << 2))));
  } else if (op == U_TANH) {
    for (; i < n4; i += 4) v128.store(y + (<usize>i << 2), vtanh(v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) put(y, i, unaryScalar(op, f(x, i), p1, p2));
}

// dx[i] = dy[i] * op'(x[i]) using whichever of x (input) / y (output) the derivative needs.
export function ew_unary_backward(op: i32, dy: usize, x: usize, y: usize, dx: usize, n: i32, p1: f32, p2: f32): void {
  let i = 0;
  const n4 = n & ~3;
  if (op == U_RELU) {
    const zero = f32x4.splat(0);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
    }
  } else if (op == U_SIGMOID) {
    const one = f32x4.splat(1);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const s = v128.load(y + o);
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(s, f32x4.sub(one, s))));
    }
  } else if (op == U_TANH) {
    const one = f32x4.splat(1);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const t = v128.load(y + o);
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(t, t))));
    }
  }
  for (; i < n; i++) {
    const g = f(dy, i);
    let d: f32 = 0;
    switch (op) {
      case U_COPY: d = g; break;
      case U_NEG: d = -g; break;
      case U_EXP: d = g * f(y, i); break;
      case U_LOG: d = g / f(x, i); break;
      case U_SQRT: d = g * 0.5 / f(y, i); break;
      case U_ABS: { const v = f(x, i); d = v > 0 ? g : (v < 0 ? -g : 0); break; }
      case U_SIGMOID: { const s = f(y, i); d = g * s * (1.0 - s); break; }
      case U_TANH: { const t = f(y, i); d = g * (1.0 - t * t); break; }
      case U_RELU: d = f(y, i) > 0 ? g : 0; break;
      case U_LEAKY_RELU: d = f(x, i) > 0 ? g : g * p1; break;
      case U_ELU: { const v = f(x, i); d = v > 0 ? g : g * (f(y, i) + p1); break; }
      case U_GELU: {
        const v = <f64>f(x, i);
        const cdf = 0.5 * (1.0 + erf64(v * 0.7071067811865476));
        const pdf = Math.exp(-0.5 * v * v) * 0.3989422804014327;
        d = <f32>(<f64>g * (cdf + v * pdf));
        break;
      }
      case U_SOFTPLUS: { const bx = p1 * f(x, i); d = bx > p2 ? g : g * sigmoidf(bx); break; }
      case U_CLAMP: { const v = f(x, i); d = (v >= p1 && v <= p2) ? g : 0; break; }
      // PyTorch: clamp passes the gradient at its bounds, hardtanh (and relu6) does not.
      case U_HARDTANH: { const v = f(x, i); d = (v > p1 && v < p2) ? g : 0; break; }
      case U_POW_SCALAR: { const v = f(x, i); d = p1 == 0 ? 0 : g * p1 * Mathf.pow(v, p1 - 1.0); break; }
      case U_ADD_SCALAR: d = g; break;
      case U_MUL_SCALAR: d = g * p1; break;
      case U_RSUB_SCALAR: d = -g; break;
      case U_RDIV_SCALAR: { const v = f(x, i); d = -g * p1 / (v * v); break; }
      case U_SQUARE: d = 2.0 * g * f(x, i); break;
      case U_RECIPROCAL: { const r = f(y, i); d = -g * r * r; break; }
      case U_SIN: d = g * Mathf.cos(f(x, i)); break;
      case U_COS: d = -g * Mathf.sin(f(x, i)); break;
      case U_AFFINE: d = g * p1; break;
      case U_LOG1P: d = g / (1.0 + f(x, i)); break;
      case U_EXPM1: d = g * (f(y, i) + 1.0); break;
      case U_RSQRT: { const r = f(y, i); d = -0.5 * g * r * r * r; break; }
      case U_LOG_SIGMOID: d = g * sigmoidf(-f(x, i)); break;
      case U_SILU: { const v = f(x, i); const s = sigmoidf(v); d = g * s * (1.0 + v * (1.0 - s)); break; }
      default: d = 0; // sign, floor, ceil, round, comparisons: zero gradient almost everywhere
    }
    put(dx, i, d);
  }
}

@inline function binaryScalar(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return powC(a, b);
    case B_MAXIMUM: return (a != a || b != b) ? NaN : (a > b ? a : b);
    case B_MINIMUM: return (a != a || b != b) ? NaN : (a < b ? a : b);
    case B_EQ: return b2f(a == b);
    case B_NE: return b2f(a != b);
    case B_LT: return b2f(a < b);
    case B_LE: return b2f(a <= b);
    case B_GT: return b2f(a > b);
    case B_GE: return b2f(a >= b);
  }
  return 0;
}

@inline function binaryVec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    default: return f32x4.div(a, b);
  }
}

// One output row: out[j] = op(a[j*sa], b[j*sb]). Contiguous and broadcast-scalar cases use SIMD.
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let j = 0;
  if (op <= B_DIV) {
    const n4 = n & ~3;
    if (sa == 1 && sb == 1) {
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, binaryVec(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (sa == 1 && sb == 0) {
      const bv = v128.load32_splat(b);
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, binaryVec(op, v128.load(a + o), bv));
      }
    } else if (sa == 0 && sb == 1) {
      const av = v128.load32_splat(a);
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, binaryVec(op, av, v128.load(b + o)));
      }
    }
  }
  for (; j < n; j++) {
    put(out, j, binaryScalar(op, load<f32>(a + (<usize>(j * sa) << 2)), load<f32>(b + (<usize>(j * sb) << 2))));
  }
}

// out (contiguous, `shape`) = op(a, b) where a and b are read through element strides (0 = broadcast).
// meta holds i32 [shape[ndim], aStrides[ndim], bStrides[ndim], scratch[ndim]]; ndim >= 1.
export function ew_binary(op: i32, a: usize, b: usize, out: usize, ndim: i32, meta: usize): void {
  const shp = meta, sa = meta + (<usize>ndim << 2), sb = meta + (<usize>(2 * ndim) << 2);
  const last = ndim - 1;
  const inner = load<i32>(shp + (<usize>last << 2));
  const ia = load<i32>(sa + (<usize>last << 2)), ib = load<i32>(sb + (<usize>last << 2));
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= load<i32>(shp + (<usize>d << 2));
  if (rows == 0 || inner == 0) return;
  // Odometer over the outer dims, updating the two input offsets incrementally; the counters live
  // in the caller's meta block (no shared static state, so threads may run this concurrently).
  const counters = meta + (<usize>(3 * ndim) << 2);
  for (let d = 0; d < ndim; d++) store<i32>(counters + (<usize>d << 2), 0);
  let offA = 0, offB = 0;
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + (<usize>offA << 2), ia, b + (<usize>offB << 2), ib, out + (<usize>(r * inner) << 2), inner);
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const dsa = load<i32>(sa + (<usize>d << 2)), dsb = load<i32>(sb + (<usize>d << 2));
      if (c < load<i32>(shp + (<usize>d << 2))) {
        store<i32>(cp, c); offA += dsa; offB += dsb;
        break;
      }
      store<i32>(cp, 0);
      offA -= dsa * (c - 1); offB -= dsb * (c - 1);
    }
  }
}

// dst (contiguous) = src read through strides, 4-byte elements (f32 or i32). meta: [shape, strides, scratch].
export function ew_copy_strided(src: usize, dst: usize, ndim: i32, meta: usize): void {
  const shp = meta, st = meta + (<usize>ndim << 2);
  const last = ndim - 1;
  const inner = load<i32>(shp + (<usize>last << 2));
  const is = load<i32>(st + (<usize>last << 2));
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= load<i32>(shp + (<usize>d << 2));
  if (rows == 0 || inner == 0) return;
  const counters = meta + (<usize>(2 * ndim) << 2);
  for (let d = 0; d < ndim; d++) store<i32>(counters + (<usize>d << 2), 0);
  let off = 0;
  let o: usize = dst;
  for (let r = 0; r < rows; r++) {
    const base = src + (<usize>off << 2);
    if (is == 1) memory.copy(o, base, <usize>inner << 2);
    else for (let j = 0; j < inner; j++) store<u32>(o + (<usize>j << 2), load<u32>(base + (<usize>(j * is) << 2)));
    o += <usize>inner << 2;
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const ds = load<i32>(st + (<usize>d << 2));
      if (c < load<i32>(shp + (<usize>d << 2))) { store<i32>(cp, c); off += ds; break; }
      store<i32>(cp, 0);
      off -= ds * (c - 1);
    }
  }
}

export function ew_fill(dst: usize, n: i32, v: f32): void {
  const vv = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), vv);
  for (; i < n; i++) put(dst, i, v);
}

export function ew_fill_i32(dst: usize, n: i32, v: i32): void {
  for (let i = 0; i < n; i++) store<i32>(dst + (<usize>i << 2), v);
}

export function ew_arange(dst: usize, n: i32, start: f64, step: f64): void {
  for (let i = 0; i < n; i++) put(dst, i, <f32>(start + step * <f64>i));
}

export function ew_cast_i32_f32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) put(dst, i, <f32>load<i32>(src + (<usize>i << 2)));
}

// Truncation toward zero, like torch's float->int conversion.
export function ew_cast_f32_i32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(dst + (<usize>i << 2), <i32>f(src, i));
}

// y += alpha * x (gradient accumulation, SGD).
export function ew_axpy(y: usize, x: usize, n: i32, alpha: f32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) put(y, i, f(y, i) + alpha * f(x, i));
}

// out = cond != 0 ? a : b, all contiguous and same length.
export function ew_where(cond: usize, a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) put(out, i, f(cond, i) != 0 ? f(a, i) : f(b, i));
}

// dst[o, j, i] = src[o, idx[j], i]; 4-byte elements. Returns the first j with idx out of [0, nsrc), or -1.
export function ew_index_select(src: usize, idx: usize, dst: usize, outer: i32, nsrc: i32, nidx: i32, inner: i32): i32 {
  for (let j = 0; j < nidx; j++) {
    const k = load<i32>(idx + (<usize>j << 2));
    if (k < 0 || k >= nsrc) return j;
  }
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nidx; j++) {
      const k = load<i32>(idx + (<usize>j << 2));
      memory.copy(dst + (<usize>(o * nidx + j) * rowBytes), src + (<usize>(o * nsrc + k) * rowBytes), rowBytes);
    }
  }
  return -1;
}

// Adjoint of index_select: dst[o, idx[j], i] += src[o, j, i]. Indices already validated.
export function ew_index_add(src: usize, idx: usize, dst: usize, outer: i32, nsrc: i32, nidx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nidx; j++) {
      const k = load<i32>(idx + (<usize>j << 2));
      const s = src + (<usize>((o * nidx + j) * inner) << 2);
      const d = dst + (<usize>((o * nsrc + k) * inner) << 2);
      for (let i = 0; i < inner; i++) put(d, i, f(d, i) + f(s, i));
    }
  }
}

// torch.gather along a dim: dst[o, j, i] = src[o, idx[o, j, i], i]. Returns first bad flat index or -1.
export function ew_gather(src: usize, idx: usize, dst: usize, outer: i32, nsrc: i32, nidx: i32, inner: i32): i32 {
  const total = outer * nidx * inner;
  for (let t = 0; t < total; t++) {
    const k = load<i32>(idx + (<usize>t << 2));
    if (k < 0 || k >= nsrc) return t;
  }
  for (let o = 0; o < outer; o++) for (let j = 0; j < nidx; j++) for (let i = 0; i < inner; i++) {
    const t = (o * nidx + j) * inner + i;
    const k = load<i32>(idx + (<usize>t << 2));
    put(dst, t, f(src, (o * nsrc + k) * inner + i));
  }
  return -1;
}

// Adjoint of gather: dst[o, idx[o,j,i], i] += src[o, j, i].
export function ew_scatter_add(src: usize, idx: usize, dst: usize, outer: i32, nsrc: i32, nidx: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) for (let j = 0; j < nidx; j++) for (let i = 0; i < inner; i++) {
    const t = (o * nidx + j) * inner + i;
    const k = load<i32>(idx + (<usize>t << 2));
    const di = (o * nsrc + k) * inner + i;
    put(dst, di, f(dst, di) + f(src, t));
  }
}

// Count of non-finite values (anomaly detection, clipGradNorm checks).
export function ew_count_nonfinite(x: usize, n: i32): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) { const v = f(x, i); if (v - v != 0) c++; }
  return c;
}

// Copies a rows x cols block between two row-strided layouts (concat slots, slice gradients).
export function ew_copy_2d(src: usize, srcStride: i32, dst: usize, dstStride: i32, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + (<usize>(r * dstStride) << 2), src + (<usize>(r * srcStride) << 2), bytes);
  }
}

// Fused backward of act(x·Wᵀ + b) for a [rows, cols] output: dpre = dy * act'(y) (skipped when
// act is ACT_NONE: dpre is dy itself) and, in the same pass, dbias[j] = sum_i dpre[i, j] (overwritten
// when dbias != 0). act is an epilogue activation code: relu, leaky relu (slope), sigmoid or tanh.
export function ew_linear_act_backward(act: i32, dy: usize, y: usize, dpre: usize, rows: i32, cols: i32, slope: f32, dbias: usize): void {
  if (dbias) memory.fill(dbias, 0, <usize>cols << 2);
  const sl = f32x4.splat(slope);
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) << 2;
    let j = 0;
    for (; j < c4; j += 4) {
      const o = row + (<usize>j << 2);
      const g = v128.load(dy + o);
      let d: v128;
      if (act == ACT_NONE) d = g;
      else {
        d = vactGradFromOutput(g, v128.load(y + o), act, sl);
        v128.store(dpre + o, d);
      }
      if (dbias) {
        const bp = dbias + (<usize>j << 2);
        v128.store(bp, f32x4.add(v128.load(bp), d));
      }
    }
    for (; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const g = load<f32>(dy + o);
      let d: f32 = g;
      if (act != ACT_NONE) {
        d = actGradFromOutput1(g, load<f32>(y + o), act, slope);
        store<f32>(dpre + o, d);
      }
      if (dbias) store<f32>(dbias + (<usize>j << 2), load<f32>(dbias + (<usize>j << 2)) + d);
    }
  }
}
