// The PyTorch op fixture suite: values, dtypes, requiresGrad and leaf gradients of every case in
// tests/fixtures/ops-*.json. Run once per wasm build by ops.builds.test.ts.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, backendInfo, type SimdBuild } from '../../src/index.js';
import { expectClose, loadFixture } from '../helpers.js';
import { OP_FAMILIES, buildInputs, gradWeights, runOp, type OpCase, type OpFixture } from './op-table.js';

const RTOL = 1e-4, ATOL = 1e-5;

function weightsFor(out: Tensor): Tensor {
  return tensor(gradWeights(out.numel()), { shape: out.shape });
}

export function checkCase(c: OpCase): void {
  const { leaves, args } = buildInputs(c);
  try {
    checkOutputsAndGrads(c, leaves, args);
  } finally {
    for (const t of leaves) t.dispose();
  }
}

function checkOutputsAndGrads(c: OpCase, leaves: Tensor[], args: Tensor[]): void {
  const rtol = c.rtol ?? RTOL, atol = c.atol ?? ATOL;
  const outs = runOp(c, args);
  expect(outs.length, 'number of outputs').toBe(c.outputs.length);
  outs.forEach((o, i) => {
    const want = c.outputs[i];
    expect(o.dtype, `output ${i} dtype`).toBe(want.dtype ?? 'float32');
    expect(o.requiresGrad, `output ${i} requiresGrad`).toBe(want.requiresGrad);
    expectClose(o, want, rtol, atol, `output ${i}`);
  });
  if (!c.grads) return;
  // d(sum_i out_i * w_i) with the generator's fixed weights: one output backs the weights straight
  // in (backward(gradient)); several are summed first.
  const diff = outs.filter((o) => o.requiresGrad);
  if (diff.length === 1) diff[0].backward(weightsFor(diff[0]));
  else diff.map((o) => o.mul(weightsFor(o)).sum()).reduce((s, t) => s.add(t)).backward();
  const gradLeaves = leaves.filter((t) => t.requiresGrad);
  expect(gradLeaves.length, 'leaves with gradients').toBe(c.grads.length);
  gradLeaves.forEach((leaf, i) => {
    const want = c.grads![i];
    if (want === null) expect(leaf.grad, `grad of input ${i}`).toBeNull();
    else {
      expect(leaf.grad, `grad of input ${i}`).not.toBeNull();
      expectClose(leaf.grad!, want, rtol, atol, `grad of input ${i}`);
    }
  });
}

/** Registers one vitest case per fixture case, grouped by family, under the expected SIMD build. */
export function opFixtureSuite(build: SimdBuild): void {
  it(`runs the ${build} SIMD build`, () => {
    expect(backendInfo().simd).toBe(build);
  });
  for (const family of OP_FAMILIES) {
    const fx = loadFixture<OpFixture>(`ops-${family}`);
    describe(`${family} vs torch ${fx.torch}`, () => {
      for (const c of fx.cases) it(c.name, () => checkCase(c));
    });
  }
}
