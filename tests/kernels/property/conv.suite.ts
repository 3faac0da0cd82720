// conv2d over random small problems: batch 0..3, groups 1..3, channels per group 1..3, input
// 1..8 square-or-not, kernel 1..3, stride 1..3, padding 0..2, dilation 1..2, with and without
// bias, the input in random layouts (permuted, sliced, expanded).
//
// Tolerance: each output is a dot product over C/groups·kH·kW taps (+ bias), so
// |Δ| <= (taps + 2)·u·Σ|terms| + taps·2^-149, the float32 dot-product bound (see matmul.suite.ts).
import fc from 'fast-check';
import { describe } from 'vitest';
import { nn } from '../../../src/index.js';
import { DENORM_MIN, U, build, describeLayout, expectMatches, float32Values, moderateValues, propertySuite, tensorCase, tensorProperty } from './harness.js';
import { conv2d as conv2dRef, convOut } from './reference.js';

const inputs = fc.oneof({ weight: 4, arbitrary: moderateValues(4) }, { weight: 1, arbitrary: float32Values({ maxAbs: 1e18 }) });

const problems = fc.record({
  N: fc.integer({ min: 0, max: 3 }), groups: fc.integer({ min: 1, max: 3 }), cpg: fc.integer({ min: 1, max: 3 }), opg: fc.integer({ min: 1, max: 3 }),
  H: fc.integer({ min: 1, max: 8 }), W: fc.integer({ min: 1, max: 8 }), kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  bias: fc.boolean(),
}).filter((p) => convOut(p.H, p.kH, p.stride[0], p.padding[0], p.dilation[0]) >= 1 && convOut(p.W, p.kW, p.stride[1], p.padding[1], p.dilation[1]) >= 1);

export function conv2dProperties(simd: 'relaxed' | 'plain'): void {
  describe(`conv2d properties (${simd} SIMD)`, () => {
    propertySuite('conv2d', simd, [
      {
        name: 'conv2d with random stride/padding/dilation/groups matches float64',
        runs: 3000,
        property: tensorProperty(
          problems.chain((p) => fc.tuple(
            fc.constant(p),
            tensorCase([p.N, p.groups * p.cpg, p.H, p.W], inputs),
            tensorCase([p.groups * p.opg, p.cpg, p.kH, p.kW], moderateValues(2), fc.constant({ kind: 'contiguous' as const })),
            tensorCase([p.groups * p.opg], moderateValues(2), fc.constant({ kind: 'contiguous' as const })),
          )),
          ([p, x, w, b]) => {
            const opts = { stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups };
            const what = `conv2d(x [${x.shape}] ${describeLayout(x.layout)}, w [${w.shape}], ${JSON.stringify(opts)}, bias=${p.bias})`;
            const got = nn.functional.conv2d(build(x), build(w), p.bias ? build(b) : null, opts);
            const ref = conv2dRef(x.values, x.shape, w.values, w.shape, p.bias ? b.values : null, {
              stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups,
            });
            if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
            expectMatches(got.data(), ref.values, what, (i) => (ref.taps + 2) * U * ref.absSum[i] + (ref.taps + 1) * DENORM_MIN);
          },
        ),
      },
    ]);
  });
}
