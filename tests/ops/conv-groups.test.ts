// Dense convs of a batch run by fixed groups of images, each group whole on one thread (ops/conv.ts,
// conv_gemm_fwd_groups / conv_gemm_bwd_groups). Checked against the one-GEMM-per-sub-batch path
// ('im2col'), by finite differences, and for the same bits on 1 and 2 threads (the weight and bias
// gradients are per-group partial sums added in group order).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, getNumThreads, gradcheck, init, manualSeed, randn, setNumThreads, type Tensor } from '../../src/index.js';
import { conv2d, _setConvAlgo, type Conv2dOptions } from '../../src/ops/conv.js';
import { expectClose } from '../helpers.js';

beforeAll(async () => { await init(); });
afterEach(() => { _setConvAlgo('auto'); });

interface Case { name: string; x: number[]; w: number[]; bias: boolean; opts: Conv2dOptions; xGrad: boolean; wGrad: boolean }
const cases: Case[] = [
  // the small CNN's second conv: groups of 8 images
  { name: '64 images, groups of 8, relu', x: [64, 8, 14, 14], w: [16, 8, 3, 3], bias: true, opts: { padding: 1, activation: 'relu' }, xGrad: true, wGrad: true },
  // groups of 4, the last group one image
  { name: '37 images, a short last group', x: [37, 8, 14, 14], w: [16, 8, 3, 3], bias: true, opts: { padding: 1, activation: 'relu' }, xGrad: true, wGrad: true },
  { name: 'stride 2, dilation, uneven padding, no bias, tanh', x: [6, 3, 9, 11], w: [5, 3, 3, 2], bias: false,
    opts: { stride: 2, dilation: [1, 2], padding: [1, 0], activation: 'tanh' }, xGrad: true, wGrad: true },
  { name: "'same', leaky ReLU, frozen weight (input gradient only)", x: [9, 4, 8, 8], w: [7, 4, 3, 3], bias: true,
    opts: { padding: 'same', activation: 'leakyRelu', negativeSlope: 0.2 }, xGrad: true, wGrad: false },
  { name: 'input without gradient (weight gradient from the kept columns only)', x: [20, 5, 10, 10], w: [6, 5, 3, 3], bias: true,
    opts: { padding: 1 }, xGrad: false, wGrad: true },
];

// y and the gradients of sum(y * gy) (x's, w's, b's where they are asked for).
function run(c: Case): Tensor[] {
  manualSeed(11);
  const x = randn(c.x).requiresGrad_(c.xGrad), w = randn(c.w).requiresGrad_(c.wGrad), b = c.bias ? randn([c.w[0]]).requiresGrad_() : null;
  const y = conv2d(x, w, b, c.opts);
  y.backward(randn(y.shape));
  return [y, ...[x, w, b].filter((t): t is Tensor => t !== null && t.requiresGrad).map((t) => t.grad!)];
}

describe('conv2d by groups of images', () => {
  for (const c of cases) {
    it(`agrees with one GEMM per sub-batch: ${c.name}`, () => {
      const grouped = run(c);
      _setConvAlgo('im2col');
      const batched = run(c);
      expect(grouped.length).toBe(batched.length);
      // The forward and the input gradient are the same sums in the same order: the same bits.
      expect(Array.from(grouped[0].data() as Float32Array)).toEqual(Array.from(batched[0].data() as Float32Array));
      if (c.xGrad) expect(Array.from(grouped[1].data() as Float32Array)).toEqual(Array.from(batched[1].data() as Float32Array));
      // Weight and bias gradients add the images in another order.
      for (let i = c.xGrad ? 2 : 1; i < grouped.length; i++) expectClose(grouped[i], batched[i], 1e-5, 1e-4, `${c.name}: gradient ${i}`);
    });
  }

  it('passes gradcheck (groups of 2 images, tanh fused; and one image per group, strided)', () => {
    manualSeed(7);
    const x = randn([16, 2, 3, 3], { requiresGrad: true }), w = randn([3, 2, 2, 2], { requiresGrad: true }), b = randn([3], { requiresGrad: true });
    expect(gradcheck((x, w, b) => conv2d(x, w, b, { padding: 1, activation: 'tanh' }), [x, w, b]).ok).toBe(true);
    const x2 = randn([5, 2, 5, 4], { requiresGrad: true }), w2 = randn([3, 2, 3, 3], { requiresGrad: true }), b2 = randn([3], { requiresGrad: true });
    expect(gradcheck((x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), [x2, w2, b2]).ok).toBe(true);
  });

  it("'groups' forced on a batch that 'auto' leaves to one GEMM (2 images) agrees too", () => {
    const c: Case = { name: '2 images', x: [2, 3, 6, 6], w: [4, 3, 3, 3], bias: true, opts: { padding: 1 }, xGrad: true, wGrad: true };
    _setConvAlgo('groups');
    const grouped = run(c);
    _setConvAlgo('im2col');
    const batched = run(c);
    grouped.forEach((t, i) => expectClose(t, batched[i], 1e-5, 1e-5, `gradient ${i}`));
  });

  it('gives the same bits on 1 and 2 threads', () => {
    if (backendInfo().threads < 2) { console.log('[conv-groups] one thread: nothing to compare'); return; }
    const max = getNumThreads();
    for (const c of cases) {
      const values = (t: number) => { setNumThreads(t); return run(c).map((r) => Array.from(r.data() as Float32Array)); };
      const one = values(1), two = values(2);
      setNumThreads(max);
      one.forEach((a, i) => expect(a, `${c.name}: result ${i}`).toEqual(two[i]));
    }
  });
});
