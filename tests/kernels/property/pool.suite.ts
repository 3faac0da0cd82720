// Pooling over random small problems: maxPool2d (kernel 1..3, stride 1..3, padding up to half the
// kernel, dilation 1..2, ceil mode, indices), avgPool2d (countIncludePad, divisorOverride, ceil
// mode) and adaptiveAvgPool2d (any output size up to the input's + 2), inputs in random layouts
// with values from ±1e30 to subnormals.
//
// maxPool2d must be exact (it only selects; the first maximum in window order wins ties, as in
// PyTorch). Average pools sum at most 9 (adaptive: H·W) values and divide once:
// |Δ| <= (n + 2)·u·mean|x| + 2·2^-149.
import fc from 'fast-check';
import { describe } from 'vitest';
import { nn } from '../../../src/index.js';
import { DENORM_MIN, U, build, describeLayout, expectMatches, float32Values, propertySuite, tensorCase, tensorProperty } from './harness.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, poolOut } from './reference.js';

const F = nn.functional;
const values = float32Values({ maxAbs: 1e30 });
const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

const planes = fc.record({ N: fc.integer({ min: 0, max: 2 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 8 }), W: fc.integer({ min: 1, max: 8 }) });

const windows = fc.record({ kernel: pair(1, 3), stride: pair(1, 3), dilation: pair(1, 2), ceilMode: fc.boolean(), padFrac: pair(0, 1) })
  .map(({ kernel, stride, dilation, ceilMode, padFrac }) => ({
    kernel, stride, dilation, ceilMode,
    padding: [padFrac[0] * Math.floor(kernel[0] / 2), padFrac[1] * Math.floor(kernel[1] / 2)] as [number, number],
  }));

export function poolProperties(simd: 'relaxed' | 'plain'): void {
  describe(`pooling properties (${simd} SIMD)`, () => {
    propertySuite('pooling', simd, [
      {
        name: 'maxPool2d values and indices are exact',
        runs: 1200,
        property: tensorProperty(
          fc.tuple(planes, windows).filter(([s, w]) =>
            poolOut(s.H, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0], w.ceilMode) >= 1 &&
            poolOut(s.W, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1], w.ceilMode) >= 1)
            .chain(([s, w]) => fc.tuple(fc.constant(w), tensorCase([s.N, s.C, s.H, s.W], values))),
          ([w, c]) => {
            const what = `maxPool2d([${c.shape}] ${describeLayout(c.layout)}, ${JSON.stringify(w)})`;
            const [out, idx] = F.maxPool2d(build(c), w.kernel, { stride: w.stride, padding: w.padding, dilation: w.dilation, ceilMode: w.ceilMode, returnIndices: true });
            const ref = maxPool2d(c.values, c.shape, w);
            if (out.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${out.shape}], expected [${ref.shape}]`);
            const unsign = (a: ArrayLike<number>) => Float64Array.from(a, (v) => (v === 0 ? 0 : v));
            expectMatches(unsign(out.data()), unsign(ref.values), what);
            expectMatches(idx.data(), ref.indices, `${what} indices`);
          },
        ),
      },
      {
        name: 'avgPool2d (countIncludePad, divisorOverride, ceilMode) matches float64',
        runs: 1200,
        property: tensorProperty(
          fc.tuple(planes, windows, fc.boolean(), fc.option(fc.constantFrom(1, 3, -2, 7), { nil: null })).filter(([s, w]) =>
            poolOut(s.H, w.kernel[0], w.stride[0], w.padding[0], 1, w.ceilMode) >= 1 && poolOut(s.W, w.kernel[1], w.stride[1], w.padding[1], 1, w.ceilMode) >= 1)
            .chain(([s, w, cip, div]) => fc.tuple(fc.constant({ ...w, countIncludePad: cip, divisorOverride: div }), tensorCase([s.N, s.C, s.H, s.W], values))),
          ([w, c]) => {
            const opts = { stride: w.stride, padding: w.padding, ceilMode: w.ceilMode, countIncludePad: w.countIncludePad, divisorOverride: w.divisorOverride };
            const what = `avgPool2d([${c.shape}] ${describeLayout(c.layout)}, kernel ${w.kernel}, ${JSON.stringify(opts)})`;
            const got = F.avgPool2d(build(c), w.kernel, opts);
            const ref = avgPool2d(c.values, c.shape, { ...w, divisorOverride: w.divisorOverride });
            if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
            const n = w.kernel[0] * w.kernel[1];
            expectMatches(got.data(), ref.values, what, (i) => (n + 2) * U * ref.absMean[i] * Math.max(1, n) + 2 * DENORM_MIN);
          },
        ),
      },
      {
        name: 'adaptiveAvgPool2d to any output size matches float64',
        runs: 1000,
        property: tensorProperty(
          fc.tuple(planes, pair(1, 10)).chain(([s, o]) => fc.tuple(fc.constant(o), tensorCase([s.N, s.C, s.H, s.W], values))),
          ([[oH, oW], c]) => {
            const what = `adaptiveAvgPool2d([${c.shape}] ${describeLayout(c.layout)}, [${oH}, ${oW}])`;
            const got = F.adaptiveAvgPool2d(build(c), [oH, oW]);
            const ref = adaptiveAvgPool2d(c.values, c.shape, oH, oW);
            if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
            const n = c.shape[2] * c.shape[3];
            expectMatches(got.data(), ref.values, what, (i) => (n + 2) * U * ref.absMean[i] * n + 2 * DENORM_MIN);
          },
        ),
      },
    ]);
  });
}
