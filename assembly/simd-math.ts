// SIMD exp / sigmoid / tanh shared by the kernels (elementwise, rnn, rbm). Not kernels themselves:
// @inline helpers, not re-exported from index.ts. |rel err| <= ~3e-7 against float64 over the whole
// f32 range (tests/kernels/conv-pool-rnn.kernel.test.ts measures it). The scalar forms run the same
// lanes on one value, so an element gets the same result whether it lands in a vector or in a tail.

import { ACT_RELU, ACT_LEAKY_RELU, ACT_SIGMOID } from './protocol.generated';

// exp(x) for x <= 0 (Cephes expf): x = n·ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r,
// and 2^n built in the exponent bits. 2^n is applied in two halves so results below 2^-126 come out
// as correctly rounded subnormals (f32 exp underflows to 0 below about -103.97).
@inline export function vexpNeg(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-104.0)); // NaN propagates (f32x4.max keeps NaN)
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(x, x)), x), f32x4.splat(1.0));
  // fx is a whole number in [-150, 1] or NaN (then y is NaN and so is the result), where the relaxed
  // truncation (one instruction on x86) and the saturating one (a long sequence) agree.
  const n = ASC_FEATURE_RELAXED_SIMD ? i32x4.relaxed_trunc_f32x4_s(fx) : i32x4.trunc_sat_f32x4_s(fx);
  const half = i32x4.shr_s(n, 1);
  return f32x4.mul(f32x4.mul(y, pow2i(half)), pow2i(i32x4.sub(n, half)));
}

// 2^k for integer lanes k in [-126, 127].
@inline function pow2i(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

// sigmoid via e = exp(-|x|): 1/(1+e) for x >= 0, e/(1+e) for x < 0 (no cancellation, no overflow).
@inline export function vsigmoid(x: v128): v128 {
  const e = vexpNeg(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0)));
}

// tanh: Cephes odd polynomial for |x| < 0.625, else sign(x) * (1 - e)/(1 + e) with e = exp(-2|x|).
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = vexpNeg(f32x4.mul(ax, f32x4.splat(-2.0)));
  let big = f32x4.div(f32x4.sub(f32x4.splat(1.0), e), f32x4.add(f32x4.splat(1.0), e));
  big = v128.or(big, v128.and(x, i32x4.splat(<i32>0x80000000))); // copy the sign
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(0.625)));
}

// One value through the vector code (for tails): cheaper than Mathf.exp / Mathf.tanh, and identical
// to what the value would get in a full vector.
@inline export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}

@inline export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}

// The gradient through an activation from its output y = act(z) and the output's gradient g, as the
// fused GEMM and convolution backward passes need it (act != ACT_NONE): relu and leaky relu by y's
// sign, sigmoid g·y(1 - y), tanh g(1 - y²). The vector and scalar forms keep the rounding order
// their callers always had (the scalar sigmoid multiplies g·y first).
@inline export function vactGradFromOutput(g: v128, y: v128, act: i32, slope: v128): v128 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  if (act == ACT_RELU) return v128.and(g, f32x4.gt(y, zero));
  if (act == ACT_LEAKY_RELU) return v128.bitselect(g, f32x4.mul(g, slope), f32x4.gt(y, zero));
  if (act == ACT_SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
  return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
}

@inline export function actGradFromOutput1(g: f32, y: f32, act: i32, slope: f32): f32 {
  if (act == ACT_RELU) return y > 0 ? g : 0;
  if (act == ACT_LEAKY_RELU) return y > 0 ? g : g * slope;
  if (act == ACT_SIGMOID) return g * y * (1.0 - y);
  return g * (1.0 - y * y);
}
