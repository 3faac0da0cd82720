// Finite-difference gradcheck on every differentiable op, reusing the PyTorch fixture cases the
// generator marked as smooth (no kink or tie within the step) and small.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, gradcheck, concat, Tensor } from '../../src/index.js';
import { fromSpec, loadFixture } from '../helpers.js';
import { OP_FAMILIES, applyView, runOp, type OpCase, type OpFixture } from './op-table.js';

beforeAll(async () => { await init(); });

const DIFFERENTIABLE = [
  'add', 'sub', 'rsub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'neg', 'exp', 'log', 'sqrt', 'abs', 'clamp', 'where',
  'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'gelu', 'softplus', 'silu', 'logSigmoid', 'softmax', 'logSoftmax',
  'sum', 'mean', 'max', 'min', 'amax', 'amin', 'var', 'std', 'matmul', 'mm', 'dot', 'linear',
  'reshape', 'view', 'transpose', 'permute', 'squeeze', 'unsqueeze', 'expand', 'flatten', 'narrow', 'slice', 'select',
  'chunk', 'split', 'contiguous', 'concat', 'stack', 'indexSelect', 'gather',
  'sort', 'topk', 'cumsum', 'maskedFill', 'cat', 'add_', 'sub_', 'mul_', 'div_', 'logsumexp',
];

const cases: OpCase[] = OP_FAMILIES.flatMap((f) => loadFixture<OpFixture>(`ops-${f}`).cases).filter((c) => c.gradcheck);

// The op as a function of its leaves; several float outputs (chunk, split) are joined into one.
function asFunction(c: OpCase): (...leaves: Tensor[]) => Tensor {
  return (...leaves) => {
    const outs = runOp(c, leaves.map((t, i) => applyView(t, c.inputs[i].view))).filter((o) => o.dtype === 'float32');
    return outs.length === 1 ? outs[0] : concat(outs.map((o) => o.reshape([-1])));
  };
}

describe('gradcheck', () => {
  it('covers every differentiable op', () => {
    const checked = new Set(cases.map((c) => c.op));
    expect(DIFFERENTIABLE.filter((op) => !checked.has(op))).toEqual([]);
  });
  for (const c of cases) {
    it(`${c.op}: ${c.name}`, () => {
      const leaves = c.inputs.map((s) => fromSpec(s));
      const r = gradcheck(asFunction(c), leaves);
      expect(r.ok).toBe(true);
      expect(r.checked).toBe(leaves.filter((t) => t.requiresGrad).reduce((n, t) => n + t.numel(), 0));
    });
  }
});
