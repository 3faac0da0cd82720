// Reductions (sum, mean over random dim sets with keepdim; max/min/argmax/argmin along a dim and
// over everything) on random shapes, layouts and values from ±1e30 down to subnormals and ±0.
//
// Tolerance for sum/mean: any float32 summation order satisfies |ŝ - s| <= γ_n Σ|x_i| with
// γ_n = n·u/(1 - n·u) ~ n·u (Higham, Accuracy and Stability, §4.2); we allow (n + 2)·u·Σ|x_i| plus
// one rounding of the mean's division, which is the bound any correct float32 implementation
// meets, whatever its blocking. max/min/argmax must be exact: PyTorch's rules (NaN propagates and
// its index is reported; the first extreme index wins ties; empty reductions throw).
import fc from 'fast-check';
import { describe } from 'vitest';
import {
  DENORM_MIN, U, build, describeLayout, expectMatches, expectThrows, float32Values, propertySuite, shapes, tensorCase, tensorProperty,
} from './harness.js';
import { maxMinAlong, reduceDims, sumOver } from './reference.js';

const finite = float32Values({ maxAbs: 1e30 });
// NaN only now and then, so most cases exercise ordering rather than propagation.
const withNaN = fc.oneof({ weight: 30, arbitrary: finite }, { weight: 1, arbitrary: fc.constant(NaN) });
const anyShape = shapes({ maxRank: 4, maxDim: 6, maxSize: 240 });

/** A dim argument for rank r: undefined (all), an int (maybe negative) or a list of distinct ints. */
function dimArg(rank: number): fc.Arbitrary<number | number[] | undefined> {
  if (rank === 0) return fc.constant(undefined);
  const one = fc.integer({ min: -rank, max: rank - 1 });
  return fc.oneof(fc.constant(undefined), one,
    fc.uniqueArray(fc.integer({ min: 0, max: rank - 1 }), { minLength: 1, maxLength: rank }).chain((ds) =>
      fc.array(fc.boolean(), { minLength: ds.length, maxLength: ds.length }).map((neg) => ds.map((d, i) => (neg[i] ? d - rank : d)))));
}

// Which zero wins a (-0, +0) tie is unspecified: compare zeros unsigned (NaN stays NaN).
const unsign = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, (v) => (v === 0 ? 0 : v));

export function reduceProperties(simd: 'relaxed' | 'plain'): void {
  describe(`reduction properties (${simd} SIMD)`, () => {
    propertySuite('reductions', simd, [
      {
        name: 'sum and mean over random dims (keepdim or not) are within the float32 summation bound',
        runs: 2000,
        property: tensorProperty(
          anyShape.chain((s) => fc.tuple(tensorCase(s, finite), dimArg(s.length), fc.boolean(), fc.boolean())),
          ([c, dim, keepdim, isMean]) => {
            const x = build(c);
            const dims = reduceDims(dim, c.shape.length);
            const what = `${isMean ? 'mean' : 'sum'}(dim=${JSON.stringify(dim)}, keepdim=${keepdim}) of [${c.shape}] ${describeLayout(c.layout)}`;
            const got = isMean ? x.mean(dim, keepdim) : x.sum(dim, keepdim);
            const ref = sumOver(c.values, c.shape, dims, keepdim, isMean);
            if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
            const n = ref.count;
            expectMatches(got.data(), ref.values, what, (i) =>
              (n + 2) * U * (isMean ? ref.absSum[i] / n : ref.absSum[i]) + U * Math.abs(ref.values[i]) + 2 * DENORM_MIN);
          },
        ),
      },
      {
        name: 'max/min along a dim give exact values and first-extreme indices; NaN propagates',
        runs: 1600,
        property: tensorProperty(
          shapes({ minRank: 1, maxRank: 4, maxDim: 6, maxSize: 240 }).chain((s) =>
            fc.tuple(tensorCase(s, withNaN), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean(), fc.boolean())),
          ([c, dim, keepdim, isMin]) => {
            const x = build(c);
            const d = dim < 0 ? dim + c.shape.length : dim;
            const what = `${isMin ? 'min' : 'max'}(dim=${dim}, keepdim=${keepdim}) of [${c.shape}] ${describeLayout(c.layout)}`;
            if (c.shape[d] === 0) {
              expectThrows(() => (isMin ? x.min(dim, keepdim) : x.max(dim, keepdim)), /./, what);
              return;
            }
            const got = isMin ? x.min(dim, keepdim) : x.max(dim, keepdim);
            const ref = maxMinAlong(c.values, c.shape, d, isMin);
            const shape = keepdim ? c.shape.map((s, i) => (i === d ? 1 : s)) : ref.shape;
            if (got.values.shape.join() !== shape.join() || got.indices.shape.join() !== shape.join()) {
              throw new Error(`${what}: shapes [${got.values.shape}] / [${got.indices.shape}], expected [${shape}]`);
            }
            expectMatches(unsign(got.values.data()), unsign(ref.values), `${what} values`);
            expectMatches(got.indices.data(), ref.indices, `${what} indices`);
            const arg = isMin ? x.argmin(dim, keepdim) : x.argmax(dim, keepdim);
            expectMatches(arg.data(), ref.indices, `arg${what}`);
          },
        ),
      },
      {
        name: 'max/min/argmax over all elements match the flattened reference',
        runs: 800,
        property: tensorProperty(anyShape.chain((s) => fc.tuple(tensorCase(s, withNaN), fc.boolean())), ([c, isMin]) => {
          const x = build(c);
          const what = `${isMin ? 'min' : 'max'}() of [${c.shape}] ${describeLayout(c.layout)}`;
          if (c.values.length === 0) {
            expectThrows(() => (isMin ? x.min() : x.max()), /./, what);
            return;
          }
          const ref = maxMinAlong(c.values, [c.values.length], 0, isMin);
          expectMatches(unsign([(isMin ? x.min() : x.max()).item()]), unsign(ref.values), what);
          expectMatches([(isMin ? x.argmin() : x.argmax()).item()], [ref.indices[0]], `arg${what}`);
        }),
      },
    ]);
  });
}
