// Elementwise unary and binary ops over random shapes (0- and 1-sized dims), broadcasting pairs,
// random layouts (permuted, sliced with steps, expanded) and values spanning float32 (±1e30,
// 1e-38, subnormals, ±0, and for these ops NaN and ±Inf too).
//
// Tolerances: +, -, *, /, sqrt, 1/x, x² are correctly rounded in WebAssembly, so they must equal
// the float64 result rounded to float32 bit for bit (signed zeros included); so must every op that
// only selects or negates (abs, relu, clamp, max, comparisons, floor/ceil/round). The transcendental
// ops are allowed 8 float32 roundoffs relative to the data's conditioning:
//   |got - f(x)| <= 8u (|f(x)| + |x f'(x)|) + 64·2^-149,   u = 2^-24,
// i.e. the result must be a few ulps off f(x̃) for an x̃ a few ulps from x (the most a float32
// evaluation can promise: x itself is only known to u·|x|). The last term is for subnormal
// results, which keep only absolute accuracy (a few roundings of 2^-150 each, e.g. x·σ(x) at a subnormal x).
import fc from 'fast-check';
import { describe } from 'vitest';
import type { Tensor } from '../../../src/index.js';
import {
  DENORM_MIN, U, broadcastPair, build, describeLayout, expectMatches, float32Values, propertySuite, shapes, tensorCase, tensorProperty,
  type TensorCase,
} from './harness.js';
import { binary, powC } from './reference.js';

interface UnaryOp {
  name: string;
  apply: (t: Tensor) => Tensor;
  f: (x: number) => number;
  /** x·f'(x), the conditioning term of the tolerance; omitted = bit-exact op. */
  xdf?: (x: number, fx: number) => number;
  /** Compare with == (ops whose sign of zero is unspecified). */
  zeroSignFree?: boolean;
}

const f32 = Math.fround;
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));
const roundHalfEven = (x: number) => {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) || x * 0; // keeps the sign of zero
};
const pFloor = (x: number) => Math.floor(x);
const slope = f32(0.01);

const UNARY: UnaryOp[] = [
  { name: 'neg', apply: (t) => t.neg(), f: (x) => -x },
  { name: 'abs', apply: (t) => t.abs(), f: Math.abs },
  { name: 'square', apply: (t) => t.square(), f: (x) => x * x },
  { name: 'sqrt', apply: (t) => t.sqrt(), f: Math.sqrt },
  { name: 'reciprocal', apply: (t) => t.reciprocal(), f: (x) => 1 / x },
  { name: 'relu', apply: (t) => t.relu(), f: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)), zeroSignFree: true },
  { name: 'leakyRelu', apply: (t) => t.leakyRelu(0.01), f: (x) => (x > 0 ? x : f32(x * slope)) },
  { name: 'hardtanh', apply: (t) => t.hardtanh(-1, 1), f: (x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, -1), 1)), zeroSignFree: true },
  { name: 'clamp', apply: (t) => t.clamp(-2.5, 1e20), f: (x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, -2.5), f32(1e20))), zeroSignFree: true },
  { name: 'sign', apply: (t) => t.sign(), f: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), zeroSignFree: true }, // torch 1.13: sign(NaN) = 0
  { name: 'floor', apply: (t) => t.floor(), f: pFloor },
  { name: 'ceil', apply: (t) => t.ceil(), f: Math.ceil, zeroSignFree: true },
  { name: 'round', apply: (t) => t.round(), f: roundHalfEven, zeroSignFree: true },
  { name: 'addScalar', apply: (t) => t.add(0.75), f: (x) => x + 0.75 },
  { name: 'mulScalar', apply: (t) => t.mul(-3), f: (x) => x * -3 },
  { name: 'exp', apply: (t) => t.exp(), f: Math.exp, xdf: (x, fx) => x * fx },
  { name: 'expm1', apply: (t) => t.expm1(), f: Math.expm1, xdf: (x) => x * Math.exp(x) },
  { name: 'log', apply: (t) => t.log(), f: Math.log, xdf: () => 1 },
  { name: 'log1p', apply: (t) => t.log1p(), f: Math.log1p, xdf: (x) => x / (1 + x) },
  { name: 'rsqrt', apply: (t) => t.rsqrt(), f: (x) => 1 / Math.sqrt(x), xdf: (_, fx) => 0.5 * fx },
  { name: 'sin', apply: (t) => t.sin(), f: Math.sin, xdf: (x) => x * Math.cos(x) },
  { name: 'cos', apply: (t) => t.cos(), f: Math.cos, xdf: (x) => x * Math.sin(x) },
  { name: 'tanh', apply: (t) => t.tanh(), f: Math.tanh, xdf: (x, fx) => x * (1 - fx * fx) },
  { name: 'sigmoid', apply: (t) => t.sigmoid(), f: sig, xdf: (x, fx) => x * fx * (1 - fx) },
  { name: 'logSigmoid', apply: (t) => t.logSigmoid(), f: (x) => -softplus(-x), xdf: (x) => x * sig(-x) },
  { name: 'softplus', apply: (t) => t.softplus(), f: softplus, xdf: (x) => x * sig(x) },
  { name: 'silu', apply: (t) => t.silu(), f: (x) => x * sig(x), xdf: (x) => x * (sig(x) * (1 + x * (1 - sig(x)))) },
  // exp(x) - 1 (as PyTorch 1.13 computes it) loses u·exp(x) absolutely near 0: in the tolerance.
  { name: 'elu', apply: (t) => t.elu(), f: (x) => (x > 0 ? x : Math.expm1(x)), xdf: (x) => (x > 0 ? x : x * Math.exp(x) + Math.exp(x)) },
  { name: 'gelu', apply: (t) => t.gelu(), f: (x) => x * 0.5 * (1 + erf(x / Math.SQRT2)), xdf: (x) => x * (0.5 * (1 + erf(x / Math.SQRT2)) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)) },
  { name: 'pow(2.5)', apply: (t) => t.pow(2.5), f: (x) => powC(x, 2.5), xdf: (_, fx) => 2.5 * fx },
  { name: 'pow(-1)', apply: (t) => t.pow(-1), f: (x) => powC(x, -1), xdf: (_, fx) => fx },
];

interface BinaryOp {
  name: string;
  apply: (a: Tensor, b: Tensor) => Tensor;
  f: (x: number, y: number) => number;
  /** Conditioning term for inexact ops. */
  cond?: (x: number, y: number, fxy: number) => number;
  zeroSignFree?: boolean;
}

const nanOr = (f: (x: number, y: number) => number) => (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : f(x, y));
const BINARY: BinaryOp[] = [
  { name: 'add', apply: (a, b) => a.add(b), f: (x, y) => x + y },
  { name: 'sub', apply: (a, b) => a.sub(b), f: (x, y) => x - y },
  { name: 'mul', apply: (a, b) => a.mul(b), f: (x, y) => x * y },
  { name: 'div', apply: (a, b) => a.div(b), f: (x, y) => x / y },
  { name: 'maximum', apply: (a, b) => a.maximum(b), f: nanOr(Math.max), zeroSignFree: true },
  { name: 'minimum', apply: (a, b) => a.minimum(b), f: nanOr(Math.min), zeroSignFree: true },
  { name: 'eq', apply: (a, b) => a.eq(b), f: (x, y) => Number(x === y) },
  { name: 'ne', apply: (a, b) => a.ne(b), f: (x, y) => Number(x !== y) },
  { name: 'lt', apply: (a, b) => a.lt(b), f: (x, y) => Number(x < y) },
  { name: 'le', apply: (a, b) => a.le(b), f: (x, y) => Number(x <= y) },
  { name: 'gt', apply: (a, b) => a.gt(b), f: (x, y) => Number(x > y) },
  { name: 'ge', apply: (a, b) => a.ge(b), f: (x, y) => Number(x >= y) },
  { name: 'pow', apply: (a, b) => a.pow(b), f: powC, cond: (x, y, fxy) => fxy === 0 ? 0 : Math.abs(fxy) * (1 + Math.abs(y) + (Math.abs(y * Math.log(Math.abs(x))) || 0)) },
];

// Abramowitz-Stegun would be too coarse for a reference: series / continued fraction in float64.
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x, sum = x;
    for (let k = 1; k < 100; k++) { term *= -x * x / k; const add = term / (2 * k + 1); sum += add; if (Math.abs(add) < 1e-17 * Math.abs(sum)) break; }
    return sum * 2 / Math.sqrt(Math.PI);
  }
  let f = ax, c = ax, d = 0;
  for (let k = 1; k < 300; k++) { const an = k / 2; d = 1 / (ax + an * d); c = ax + an / c; f *= c * d; if (Math.abs(c * d - 1) < 1e-16) break; }
  const erfc = Math.exp(-ax * ax) / f / Math.sqrt(Math.PI);
  return x > 0 ? 1 - erfc : erfc - 1;
}

const values = float32Values({ nonFinite: true });
const anyShape = shapes({ maxRank: 4, maxDim: 5, maxSize: 160 });

// A NaN scale (0·∞ at an infinite input) means the result must be exact.
const tolOf = (k: number, scale: number) => (Number.isNaN(scale) ? 0 : k * U * scale) + 64 * DENORM_MIN;

function checkUnary(op: UnaryOp, c: TensorCase): void {
  const got = op.apply(build(c));
  const ref = c.values.map((x) => op.f(x));
  const what = `${op.name} on [${c.shape}] ${describeLayout(c.layout)}`;
  if (got.shape.join() !== c.shape.join()) throw new Error(`${what}: shape [${got.shape}]`);
  const data = got.data();
  if (op.xdf) {
    expectMatches(data, ref, what, (i) => tolOf(8, Math.abs(ref[i]) + Math.abs(op.xdf!(c.values[i], ref[i]))));
  } else if (op.zeroSignFree) {
    expectMatches(unsign(data), unsign(ref), what);
  } else {
    expectMatches(data, ref, what);
  }
}

// For ops whose sign of zero is unspecified: map -0 to +0 on both sides before the exact comparison.
function unsign(a: ArrayLike<number>): Float64Array { return Float64Array.from(a, (v) => (v === 0 ? 0 : v)); }

export function elementwiseProperties(build_: 'relaxed' | 'plain'): void {
  describe(`elementwise properties (${build_} SIMD)`, () => {
    propertySuite('elementwise', build_, [
      {
        name: 'unary ops match float64 on random shapes, layouts and values',
        runs: 2400,
        property: tensorProperty(fc.constantFrom(...UNARY), anyShape.chain((s) => tensorCase(s, values)), (op, c) => checkUnary(op, c)),
      },
      {
        name: 'binary ops broadcast like PyTorch and match float64',
        runs: 2000,
        property: tensorProperty(
          fc.constantFrom(...BINARY),
          shapes({ maxRank: 4, maxDim: 4, maxSize: 128 }).chain((out) => broadcastPair(out)).chain(([sa, sb]) => fc.tuple(tensorCase(sa, values), tensorCase(sb, values))),
          (op, [a, b]) => {
            const what = `${op.name}([${a.shape}] ${describeLayout(a.layout)}, [${b.shape}] ${describeLayout(b.layout)})`;
            const got = op.apply(build(a), build(b));
            const ref = binary(a.values, a.shape, b.values, b.shape, op.f);
            if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
            const data = got.data();
            if (op.cond) {
              const xs = binary(a.values, a.shape, b.values, b.shape, (x) => x).values;
              const ys = binary(a.values, a.shape, b.values, b.shape, (_, y) => y).values;
              expectMatches(data, ref.values, what, (i) => tolOf(8, op.cond!(xs[i], ys[i], ref.values[i])));
            } else if (op.zeroSignFree) expectMatches(unsign(data), unsign(ref.values), what);
            else expectMatches(data, ref.values, what);
          },
        ),
      },
      {
        name: 'a scalar operand broadcasts against any shape (both orders)',
        runs: 400,
        property: tensorProperty(fc.constantFrom(...BINARY.slice(0, 4)), anyShape.chain((s) => tensorCase(s, values)), values, fc.boolean(), (op, c, s, scalarFirst) => {
          const sc = build({ shape: [], values: Float64Array.of(s), layout: { kind: 'contiguous' } });
          const got = scalarFirst ? op.apply(sc, build(c)) : op.apply(build(c), sc);
          const ref = c.values.map((x) => (scalarFirst ? op.f(s, x) : op.f(x, s)));
          expectMatches(got.data(), ref, `${op.name} with scalar ${s} ${scalarFirst ? 'first' : 'second'} on [${c.shape}]`);
        }),
      },
    ]);
  });
}
