// matmul over random M, N, K (0 and 1 included, and sizes past the GEMM's register tiles), every
// operand rank PyTorch accepts (dot, vector-matrix, matrix-vector, matrix, batched with
// broadcast batch dims), operands in random layouts (transposed, permuted, sliced, expanded).
//
// Tolerance: each output is a dot product of length K, so |Δ| <= (K + 2)·u·Σ_k |a_ik b_kj| (the
// standard float32 dot-product bound, Higham §3.1, valid with or without fused multiply-add)
// plus K·2^-149 for products that underflow. Values reach ±1e18 (products up to 1e36 stay
// finite in float32; overflow is the elementwise family's concern) and go down to subnormals.
import fc from 'fast-check';
import { describe } from 'vitest';
import { matmul } from '../../../src/index.js';
import { DENORM_MIN, U, build, describeLayout, expectMatches, float32Values, propertySuite, tensorCase, tensorProperty } from './harness.js';
import { matmul as matmulRef } from './reference.js';

const values = fc.oneof({ weight: 4, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }).map(Math.fround) }, { weight: 1, arbitrary: float32Values({ maxAbs: 1e18 }) });
const dim = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) },
  { weight: 6, arbitrary: fc.integer({ min: 2, max: 9 }) }, { weight: 2, arbitrary: fc.integer({ min: 10, max: 33 }) },
);
const batchDim = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(0) });

/** Operand shapes for one of PyTorch's matmul cases. */
const operandShapes = fc.record({ M: dim, N: dim, K: dim, kind: fc.constantFrom('dot', 'vm', 'mv', 'mm', 'batched', 'batched', 'batched'), batch: fc.array(batchDim, { minLength: 1, maxLength: 2 }), aOnes: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), bDrop: fc.integer({ min: 0, max: 2 }) })
  .map(({ M, N, K, kind, batch, aOnes, bDrop }): [number[], number[]] => {
    switch (kind) {
      case 'dot': return [[K], [K]];
      case 'vm': return [[K], [K, N]];
      case 'mv': return [[M, K], [K]];
      case 'mm': return [[M, K], [K, N]];
      default: {
        // A keeps all batch dims, some set to 1 (broadcast); B drops leading ones (or is a matrix/vector).
        const aBatch = batch.map((b, i) => (aOnes[i] ? 1 : b));
        const bBatch = batch.slice(Math.min(bDrop, batch.length));
        return [[...aBatch, M, K], bDrop > batch.length ? [K] : [...bBatch, K, N]];
      }
    }
  })
  .filter(([a, b]) => a.reduce((x, y) => x * y, 1) <= 1200 && b.reduce((x, y) => x * y, 1) <= 1200);

export function matmulProperties(simd: 'relaxed' | 'plain'): void {
  describe(`matmul properties (${simd} SIMD)`, () => {
    propertySuite('matmul', simd, [
      {
        name: 'matmul of random shapes, ranks and layouts is within the float32 dot-product bound',
        runs: 3000,
        property: tensorProperty(operandShapes.chain(([sa, sb]) => fc.tuple(tensorCase(sa, values), tensorCase(sb, values))), ([a, b]) => {
          const what = `matmul([${a.shape}] ${describeLayout(a.layout)}, [${b.shape}] ${describeLayout(b.layout)})`;
          const got = matmul(build(a), build(b));
          const ref = matmulRef(a.values, a.shape, b.values, b.shape);
          if (got.shape.join() !== ref.shape.join()) throw new Error(`${what}: shape [${got.shape}], expected [${ref.shape}]`);
          expectMatches(got.data(), ref.values, what, (i) => (ref.K + 2) * U * ref.absSum[i] + (ref.K + 1) * DENORM_MIN);
        }),
      },
    ]);
  });
}
