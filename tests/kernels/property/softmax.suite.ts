// softmax / logSoftmax along a random dim (negative dims too) on random shapes and layouts, with
// logits from ordinary values up to ±1e30 (where every stable implementation must still give
// finite probabilities summing to 1).
//
// Tolerance, from the float32 error of exp(x - max) / Σ: x - max carries u·|x - max| absolute
// error, which exp turns into that much relative error; the sum adds n·u relative error:
//   softmax:    |Δ| <= 8u (1 + n + |x_i - max|) · p_i + 2^-126 (results below 2^-126 are subnormal)
//   logSoftmax: |Δ| <= 8u (|x_i| + 2|max| + |log Σ| + n + 1)
import fc from 'fast-check';
import { describe } from 'vitest';
import { FLT_MIN, U, build, describeLayout, expectMatches, float32Values, propertySuite, shapes, tensorCase, tensorProperty } from './harness.js';
import { softmaxAlong } from './reference.js';

const logits = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -30, max: 30, noNaN: true }).map(Math.fround) },
  { weight: 2, arbitrary: float32Values({ maxAbs: 1e30 }) },
  { weight: 1, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }).map(Math.fround) },
);

export function softmaxProperties(simd: 'relaxed' | 'plain'): void {
  describe(`softmax properties (${simd} SIMD)`, () => {
    propertySuite('softmax', simd, [
      {
        name: 'softmax and logSoftmax along a random dim match float64 and stay finite',
        runs: 3000,
        property: tensorProperty(
          shapes({ minRank: 1, maxRank: 4, maxDim: 7, maxSize: 240 }).chain((s) =>
            fc.tuple(tensorCase(s, logits), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean())),
          ([c, dim, log]) => {
            const d = dim < 0 ? dim + c.shape.length : dim;
            const x = build(c);
            const got = log ? x.logSoftmax(dim) : x.softmax(dim);
            const what = `${log ? 'logSoftmax' : 'softmax'}(dim=${dim}) of [${c.shape}] ${describeLayout(c.layout)}`;
            if (got.shape.join() !== c.shape.join()) throw new Error(`${what}: shape [${got.shape}]`);
            const ref = softmaxAlong(c.values, c.shape, d, log);
            const n = c.shape[d];
            expectMatches(got.data(), ref.values, what, log
              ? (i) => 8 * U * (Math.abs(c.values[i]) + 2 * Math.abs(ref.max[i]) + Math.abs(ref.logSum[i]) + n + 1)
              : (i) => 8 * U * (1 + n + Math.abs(c.values[i] - ref.max[i])) * ref.values[i] + FLT_MIN);
          },
        ),
      },
    ]);
  });
}
