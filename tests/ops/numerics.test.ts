// Numerics: PyTorch's anomaly mode, and the numerically delicate losses at extreme inputs
// (softmax / logSoftmax / crossEntropy at logits of ±1e4, binaryCrossEntropy at p = 0 and 1).
// Expected values below are PyTorch 1.13's (torch.autograd.set_detect_anomaly, F.cross_entropy,
// F.binary_cross_entropy on the same inputs).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, tensor, detectAnomaly, nn, type Tensor } from '../../src/index.js';
import { expectClose } from '../helpers.js';

beforeAll(async () => { await init(); });
afterEach(() => { detectAnomaly(false); });

const F = nn.functional;
const allFinite = (t: Tensor) => Array.from(t.data()).every(Number.isFinite);

describe('detectAnomaly', () => {
  it('backward throws at the first op whose gradient is non-finite, naming it: sqrt(0)', () => {
    const build = () => { const x = tensor([0, 4], { requiresGrad: true }); return { x, y: x.sqrt().mul(2).exp().sum() }; };
    // Off: backward runs through and the infinite gradient reaches the leaf.
    const off = build();
    off.y.backward();
    expect(off.x.grad!.data()[0]).toBe(Infinity);
    // On: SqrtBackward0 is the first node producing Inf (MulBackward0 and ExpBackward0 before it are finite).
    // (PyTorch's anomaly mode checks NaN only; ours also stops at Inf, which is what turns into NaN a step later.)
    detectAnomaly(true);
    const on = build();
    expect(() => on.y.backward()).toThrow(/detectAnomaly: function 'SqrtBackward0' returned NaN\/Inf values in its gradient for input 0 \(shape \[2\]\)/);
    expect(on.x.grad).toBeNull(); // nothing reached the leaf
  });

  it('log(negative): the NaN value shows up in MulBackward0, as in PyTorch', () => {
    // PyTorch: "Function 'MulBackward0' returned nan values in its 1th output."
    detectAnomaly(true);
    const a = tensor([-1, 2], { requiresGrad: true });
    const w = tensor([1, 1], { requiresGrad: true });
    expect(() => a.log().mul(w).sum().backward()).toThrow(/function 'MulBackward0' returned NaN\/Inf values in its gradient for input 1/);
  });

  it('finite graphs are unaffected, and turning it off restores normal backward', () => {
    detectAnomaly(true);
    const x = tensor([1, 4], { requiresGrad: true });
    x.sqrt().sum().backward();
    expectClose(x.grad!, [0.5, 0.25]);
    detectAnomaly(false);
    const z = tensor([0], { requiresGrad: true });
    expect(() => z.sqrt().sum().backward()).not.toThrow();
  });
});

describe('stable softmax family at logits of ±1e4', () => {
  const logits = () => tensor([[1e4, -1e4, 0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], { requiresGrad: true });

  it('softmax and logSoftmax are finite and exact', () => {
    const x = logits();
    const p = x.softmax(1), lp = x.logSoftmax(1);
    expect(allFinite(p) && allFinite(lp)).toBe(true);
    expectClose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], 1e-6, 1e-7);
    expectClose(lp, [[0, -20000, -10000], [-1.0986123, -1.0986123, -1.0986123], [-0.6931472, -0.6931472, -20000.693359375]], 1e-6, 1e-6);
  });

  it('crossEntropy matches PyTorch with finite gradients', () => {
    const x = logits();
    const loss = F.crossEntropy(x, tensor(Int32Array.from([1, 2, 0]), { shape: [3], dtype: 'int32' }));
    expectClose([loss.item()], [6667.263671875], 1e-6);
    loss.backward();
    expect(allFinite(x.grad!)).toBe(true);
    expectClose(x.grad!, [[0.33333334, -0.33333334, 0], [0.11111110, 0.11111110, -0.22222224], [-0.16666667, 0.16666667, 0]], 1e-5, 1e-7);
  });
});

describe('binaryCrossEntropy at p = 0 and p = 1', () => {
  it('clamps the logs at -100 like PyTorch, and the gradients stay finite', () => {
    const p = tensor([0, 1, 0, 1, 0.5], { requiresGrad: true });
    const y = tensor([0, 1, 1, 0, 1]);
    expectClose(F.binaryCrossEntropy(p, y, { reduction: 'none' }), [0, 0, 100, 100, 0.6931472], 1e-6);
    const loss = F.binaryCrossEntropy(p, y);
    expectClose([loss.item()], [40.13862991333008], 1e-6);
    loss.backward();
    // PyTorch: (p - y) / max(p (1 - p), 1e-12) / N
    expect(allFinite(p.grad!)).toBe(true);
    expectClose(p.grad!, [0, 0, -199999995904, 199999995904, -0.4], 1e-6);
  });
});
