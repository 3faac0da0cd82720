// Autograd behaviour beyond single-op gradients: accumulation, retained graphs, seeds, detach,
// grad modes, non-leaf grads, shared subgraphs, aliasing of leaf grads, anomaly detection.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, tensor, noGrad, enableGrad, isGradEnabled, detectAnomaly } from '../../src/index.js';
import { expectClose } from '../helpers.js';

beforeAll(async () => { await init(); });

const leaf = (v: number[] | number[][]) => tensor(v, { requiresGrad: true });

describe('backward', () => {
  it('accumulates into .grad across two backward calls', () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).sum().backward();          // 2x
    x.mul(3).sum().backward();          // + 3
    expectClose(x.grad!, [5, 7, 9]);
    x.zeroGrad_();
    expectClose(x.grad!, [0, 0, 0]);
  });

  it('runs through the same graph twice with retainGraph and accumulates', () => {
    const x = leaf([1, -2]);
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    expectClose(x.grad!, [2, -4]);
    y.backward();
    expectClose(x.grad!, [4, -8]);
  });

  it('a second backward through a freed graph throws, naming the op and the fix', () => {
    const x = leaf([1, 2]);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time \(at \w+Backward\d\).*retainGraph: true/);
  });

  it('a non-scalar output needs an explicit gradient', () => {
    const y = leaf([1, 2, 3]).mul(2);
    expect(() => y.backward()).toThrow(/backward: grad can be implicitly created only for scalar outputs, got shape \[3\]/);
  });

  it('backward(gradient) seeds the chain with that tensor', () => {
    const x = leaf([[1, 2], [3, 4]]);
    x.mul(x).backward(tensor([[1, 0.5], [-1, 2]]));
    expectClose(x.grad!, [[2, 2], [-6, 16]]);
  });

  it('rejects a gradient whose shape does not match', () => {
    const y = leaf([1, 2, 3]).mul(2);
    expect(() => y.backward(tensor([1, 2]))).toThrow(/gradient shape \[2\] does not match the tensor's shape \[3\]/);
  });

  it('refuses tensors that do not require grad', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  it('backward on a leaf itself sets its grad to the seed', () => {
    const x = leaf([[3]]);
    x.backward();
    expectClose(x.grad!, [[1]]);
  });
});

describe('graph construction', () => {
  it('propagates requiresGrad and records the op name', () => {
    const a = leaf([1, 2]), b = tensor([3, 4]);
    const c = a.mul(b);
    expect(c.requiresGrad).toBe(true);
    expect(c.isLeaf).toBe(false);
    expect(c.gradFn?.name).toBe('MulBackward0');
    const d = b.mul(b);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(b.requiresGrad).toBe(false);
  });

  it('only float32 tensors can require grad', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(/only float32 tensors can require gradients, got int32/);
  });

  it('detach shares values but leaves the graph', () => {
    const x = leaf([1, 2]);
    const y = x.mul(3);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(y.storage);
    expectClose(d, [3, 6]);
    // Only the path through y reaches x.
    y.mul(d).sum().backward();
    expectClose(x.grad!, [9, 18]);
  });

  it('noGrad records nothing; enableGrad turns recording back on inside it', () => {
    const x = leaf([1, 2]);
    const inside = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const plain = x.mul(2);
      const recorded = enableGrad(() => x.mul(2));
      return { plain, recorded };
    });
    expect(isGradEnabled()).toBe(true);
    expect(inside.plain.requiresGrad).toBe(false);
    expect(inside.plain.gradFn).toBeNull();
    expect(inside.recorded.requiresGrad).toBe(true);
  });

  it('noGrad restores the mode when its function throws', () => {
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });
});

describe('gradients through shared subgraphs', () => {
  it('retainGrad keeps the gradient of a non-leaf', () => {
    const x = leaf([1, 2, 3]);
    const h = x.mul(2);
    h.retainGrad();
    const other = x.mul(3);
    h.mul(h).sum().add(other.sum()).backward();
    expectClose(h.grad!, [4, 8, 12]);    // d(h^2)/dh = 2h
    expect(other.grad).toBeNull();        // not retained
    expectClose(x.grad!, [11, 19, 27]);   // 2 * 2h + 3
  });

  it('sums the gradients of a tensor used twice (diamond)', () => {
    const x = leaf([0.5, -1, 2]);
    const y = x.mul(x).add(x.exp());     // 2x + e^x
    y.sum().backward();
    expectClose(x.grad!, [0.5, -1, 2].map((v) => 2 * v + Math.exp(v)));
  });

  it('handles a deep diamond where one branch is a leaf path', () => {
    const x = leaf([1, 2]);
    const a = x.mul(2);
    const b = a.add(a);                   // 4x
    const c = b.add(x).mul(b);            // (5x)(4x) = 20x^2
    c.sum().backward();
    expectClose(x.grad!, [40, 80]);
  });

  it('one gradient tensor feeding several pending nodes is not freed early', () => {
    const x = leaf([1, 2, 3, 4, 5, 6]);
    const [p, q, r] = x.chunk(3);
    p.mul(1).sum().add(q.mul(2).sum()).add(r.mul(3).sum()).backward();
    expectClose(x.grad!, [1, 1, 2, 2, 3, 3]);
  });

  it('a leaf that adopts a gradient still pending for another node stays correct', () => {
    const x = leaf([1, 2]);
    const z = x.mul(2);
    x.add(z).add(z.exp()).sum().backward(); // d/dx [x + 2x + e^{2x}] = 3 + 2e^{2x}
    expectClose(x.grad!, [3 + 2 * Math.exp(2), 3 + 2 * Math.exp(4)]);
  });

  it('two leaves that received the same upstream gradient do not share .grad', () => {
    const a = leaf([1, 2]), b = leaf([3, 4]);
    a.add(b).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    a.grad!.fill_(7);
    expectClose(b.grad!, [1, 1]);
    // Same with a user-provided seed passed straight through: the leaves get copies.
    const c = leaf([1, 2]), d = leaf([3, 4]);
    const seed = tensor([0.5, -1]);
    c.add(d).backward(seed);
    seed.fill_(9);
    c.grad!.mulScalar_(2);
    expectClose(c.grad!, [1, -2]);
    expectClose(d.grad!, [0.5, -1]);
  });
});

describe('detectAnomaly', () => {
  afterEach(() => detectAnomaly(false));

  it('names the op whose gradient is not finite (sqrt at 0)', () => {
    const x = leaf([0, 4]);
    detectAnomaly(true);
    expect(() => x.sqrt().sum().backward()).toThrow(/detectAnomaly: function 'SqrtBackward0' returned NaN\/Inf values/);
  });

  it('names the first op that propagates a NaN (log of a negative)', () => {
    const x = leaf([-1, 2]);
    detectAnomaly(true);
    const y = x.log();                     // NaN at -1
    expect(() => y.mul(y).sum().backward()).toThrow(/'MulBackward0'/);
  });

  it('stays quiet when off: the NaN/Inf reaches .grad', () => {
    const x = leaf([0, 4]);
    x.sqrt().sum().backward();
    const g = x.grad!.data();
    expect(g[0]).toBe(Infinity);
    expect(g[1]).toBeCloseTo(0.25, 6);
  });
});
