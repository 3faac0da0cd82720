import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { init, nn, tensor, randn, rand, manualSeed, gradcheck, type Tensor } from '../../src/index.js';
import { fx, expectClose, type Fix } from './nn-helpers.js';

const F = nn.functional;
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/nn.json', import.meta.url), 'utf8'));

interface LossCase {
  name: string; opts: Record<string, unknown>; input: Fix; target: Fix; g: Fix; out: Fix; gradInput: Fix;
  weight?: Fix; posWeight?: Fix; gradTarget?: Fix;
}

type LossFn = (input: Tensor, target: Tensor, opts: any) => Tensor;
const FUNCTIONS: Record<string, LossFn> = {
  mseLoss: F.mseLoss, l1Loss: F.l1Loss, huberLoss: F.huberLoss, smoothL1Loss: F.smoothL1Loss,
  crossEntropy: F.crossEntropy, nllLoss: F.nllLoss, binaryCrossEntropy: F.binaryCrossEntropy,
  binaryCrossEntropyWithLogits: F.binaryCrossEntropyWithLogits, klDiv: F.klDiv,
};

beforeAll(async () => { await init(); });

const label = (c: LossCase) => `${c.name} ${JSON.stringify(c.opts)}${c.weight ? ' +weight' : ''}${c.posWeight ? ' +posWeight' : ''} input [${c.input.shape}] target ${c.target.dtype ?? 'float32'} [${c.target.shape}]`;

describe('losses match PyTorch (values and gradients)', () => {
  const cases: LossCase[] = fixtures.losses;
  it('covers every loss, reduction, weights, ignoreIndex, labelSmoothing and probability targets', () => {
    const seen = new Set(cases.map((c) => c.name));
    expect([...seen].sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(cases.some((c) => c.name === 'crossEntropy' && c.opts.labelSmoothing && c.weight)).toBe(true);
    expect(cases.some((c) => c.name === 'crossEntropy' && c.target.dtype === undefined)).toBe(true);
    expect(cases.some((c) => c.name === 'nllLoss' && c.input.shape.length === 4)).toBe(true);
  });

  for (const c of cases) {
    it(label(c), () => {
      const input = fx(c.input, { requiresGrad: true });
      const target = fx(c.target, { requiresGrad: !!c.gradTarget });
      const opts: Record<string, unknown> = { ...c.opts };
      if (c.weight) opts.weight = fx(c.weight);
      if (c.posWeight) opts.posWeight = fx(c.posWeight);
      const out = FUNCTIONS[c.name](input, target, opts);
      expectClose(out, c.out, 'value');
      out.backward(fx(c.g));
      expectClose(input.grad, c.gradInput, 'gradient of input');
      if (c.gradTarget) {
        // PyTorch's KL target gradient is log(0) + 1 = -inf/NaN where target = 0; ours treats 0·log 0 as a constant 0.
        const zeroTarget = (i: number) => c.name === 'klDiv' && !c.opts.logTarget && Number(c.target.data[i]) === 0;
        expectClose(target.grad, c.gradTarget, 'gradient of target', 1e-4, 1e-5, zeroTarget);
      }
    });
  }
});

describe('loss modules', () => {
  it('call the functional forms with their options and register class weights as buffers', () => {
    manualSeed(1);
    const logits = randn([5, 3]);
    const labels = tensor(new Int32Array([0, 2, 1, 2, -100]));
    const w = tensor([0.5, 1, 2]);
    const m = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, reduction: 'sum' });
    expect(m.forward(logits, labels).item()).toBeCloseTo(F.crossEntropy(logits, labels, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }).item(), 6);
    expect([...m.stateDict().keys()]).toEqual(['weight']);
    expect(String(m)).toBe('CrossEntropyLoss()');
    const x = randn([4, 2]), y = randn([4, 2]);
    const pairs: [nn.Module, Tensor][] = [
      [new nn.MSELoss(), F.mseLoss(x, y)], [new nn.L1Loss({ reduction: 'sum' }), F.l1Loss(x, y, { reduction: 'sum' })],
      [new nn.HuberLoss({ delta: 0.3 }), F.huberLoss(x, y, { delta: 0.3 })],
      [new nn.SmoothL1Loss({ beta: 0.3 }), F.smoothL1Loss(x, y, { beta: 0.3 })],
      [new nn.BCEWithLogitsLoss({ posWeight: tensor([2, 3]) }), F.binaryCrossEntropyWithLogits(x, y.sigmoid(), { posWeight: tensor([2, 3]) })],
      [new nn.BCELoss(), F.binaryCrossEntropy(x.sigmoid(), y.sigmoid())],
      [new nn.KLDivLoss({ reduction: 'batchmean' }), F.klDiv(x.logSoftmax(1), y.softmax(1), { reduction: 'batchmean' })],
    ];
    const inputs = [[x, y], [x, y], [x, y], [x, y], [x, y.sigmoid()], [x.sigmoid(), y.sigmoid()], [x.logSoftmax(1), y.softmax(1)]];
    pairs.forEach(([mod, want], i) => expect(mod.forward(inputs[i][0], inputs[i][1]).item()).toBeCloseTo(want.item(), 6));
    const nll = new nn.NLLLoss({ ignoreIndex: 2 });
    expect(nll.forward(logits.logSoftmax(1), labels.clamp(0, 2).int()).item())
      .toBeCloseTo(F.nllLoss(logits.logSoftmax(1), labels.clamp(0, 2).int(), { ignoreIndex: 2 }).item(), 6);
  });
});

describe('gradcheck', () => {
  const idx = () => tensor(new Int32Array([1, 0, 2, -100, 2]));
  const cases: [string, () => Tensor[], (...t: Tensor[]) => Tensor][] = [
    ['mseLoss', () => [randn([3, 4], { requiresGrad: true }), randn([3, 4], { requiresGrad: true })], (a, b) => F.mseLoss(a, b)],
    ['l1Loss', () => [randn([3, 4], { requiresGrad: true }), randn([3, 4])], (a, b) => F.l1Loss(a, b, { reduction: 'sum' })],
    ['huberLoss', () => [randn([3, 4], { requiresGrad: true }), randn([3, 4], { requiresGrad: true })], (a, b) => F.huberLoss(a, b, { delta: 0.7, reduction: 'none' })],
    ['smoothL1Loss', () => [randn([3, 4], { requiresGrad: true }), randn([3, 4])], (a, b) => F.smoothL1Loss(a, b, { beta: 0.6 })],
    ['crossEntropy (indices, weight, ignoreIndex, labelSmoothing)', () => [randn([5, 3], { requiresGrad: true })],
      (a) => F.crossEntropy(a, idx(), { weight: tensor([0.3, 1, 2]), labelSmoothing: 0.2 })],
    ['crossEntropy (spatial, none)', () => [randn([2, 3, 2, 2], { requiresGrad: true })],
      (a) => F.crossEntropy(a, tensor(new Int32Array([0, 1, 2, 1, 2, 2, 0, -100]), { shape: [2, 2, 2], dtype: 'int32' }), { reduction: 'none' })],
    ['crossEntropy (probabilities)', () => [randn([4, 3], { requiresGrad: true }), rand([4, 3], { requiresGrad: true })],
      (a, t) => F.crossEntropy(a, t, { labelSmoothing: 0.1, weight: tensor([1, 2, 0.5]) })],
    ['nllLoss', () => [randn([5, 3], { requiresGrad: true })], (a) => F.nllLoss(a, idx(), { weight: tensor([0.3, 1, 2]), reduction: 'mean' })],
    ['binaryCrossEntropy', () => [rand([3, 4]).mul(0.8).add(0.1).detach().requiresGrad_(), rand([3, 4], { requiresGrad: true })],
      (a, b) => F.binaryCrossEntropy(a, b, { weight: tensor([1, 2, 0.5, 1.5]) })],
    ['binaryCrossEntropyWithLogits', () => [randn([3, 4], { requiresGrad: true }), rand([3, 4], { requiresGrad: true })],
      (a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: tensor([1, 2, 0.5, 3]), weight: tensor([2, 1, 1, 0.5]), reduction: 'sum' })],
    ['klDiv', () => [randn([3, 4], { requiresGrad: true }), rand([3, 4], { requiresGrad: true })],
      (a, b) => F.klDiv(a.logSoftmax(1), b.add(0.1), { reduction: 'batchmean' })],
  ];
  for (const [name, make, fn] of cases) {
    it(name, () => {
      manualSeed(7);
      const r = gradcheck(fn, make(), { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
      expect(r.ok).toBe(true);
      expect(r.checked).toBeGreaterThan(0);
    });
  }
});

describe('PyTorch edge semantics', () => {
  it('binaryCrossEntropy is finite at p = 0 and p = 1 (logs clamped at -100)', () => {
    const p = tensor([0, 1, 0, 1], { requiresGrad: true });
    const y = tensor([1, 0, 0, 1]);
    const loss = F.binaryCrossEntropy(p, y, { reduction: 'none' });
    expect(Array.from(loss.data(), (v) => v + 0)).toEqual([100, 100, 0, 0]);
    loss.sum().backward();
    for (const g of p.grad!.data()) expect(Number.isFinite(g)).toBe(true);
  });

  it('binaryCrossEntropyWithLogits is stable for huge logits', () => {
    const z = tensor([1000, -1000, 80, -80]);
    const y = tensor([0, 1, 1, 0]);
    const l = F.binaryCrossEntropyWithLogits(z, y, { reduction: 'none' }).data();
    // log1p(exp(-80)) = 1.8e-35 is the exact value for the last two (PyTorch's formula rounds it to 0).
    expect(Array.from(l).slice(0, 2)).toEqual([1000, 1000]);
    for (const v of Array.from(l).slice(2)) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThan(1e-30);
  });

  it('nllLoss mean divides by the summed weights of non-ignored targets', () => {
    const logp = tensor([[-1, -2, -3], [-0.5, -1.5, -2.5], [-2, -1, -0.1]]);
    const t = tensor(new Int32Array([2, -100, 0]));
    const w = tensor([2, 1, 4]);
    // (4·3 + 2·2) / (4 + 2)
    expect(F.nllLoss(logp, t, { weight: w }).item()).toBeCloseTo(16 / 6, 6);
    expect(F.nllLoss(logp, t, { weight: w, reduction: 'sum' }).item()).toBeCloseTo(16, 5);
  });

  it('all-ignored targets give NaN for mean (0/0), like PyTorch', () => {
    const loss = F.crossEntropy(randn([2, 3]), tensor(new Int32Array([-100, -100])));
    expect(Number.isNaN(loss.item())).toBe(true);
  });
});

describe('bad input gives clear errors', () => {
  it('names an out-of-range label and the class count', () => {
    const logits = randn([4, 3]);
    expect(() => F.crossEntropy(logits, tensor(new Int32Array([0, 1, 3, 2])))).toThrow(/target 3 at position \[2\] is out of bounds: expected a class index in \[0, 2\] for 3 classes/);
    expect(() => F.nllLoss(logits, tensor(new Int32Array([0, -1, 1, 2])))).toThrow(/target -1 at position \[1\]/);
    expect(() => F.crossEntropy(randn([2, 3, 2]), tensor(new Int32Array([0, 1, 2, 7]), { shape: [2, 2], dtype: 'int32' })))
      .toThrow(/target 7 at position \[1, 1\]/);
  });
  it('rejects float labels for class-index targets', () => {
    expect(() => F.crossEntropy(randn([4, 3]), tensor([0, 1, 2, 1]))).toThrow(/class-index targets must be an int32 tensor, got float32 of shape \[4\] \(convert with target.int\(\)\)/);
    expect(() => F.nllLoss(randn([4, 3]), tensor([0, 1, 2, 1]))).toThrow(/int32/);
  });
  it('rejects mismatched shapes', () => {
    expect(() => F.crossEntropy(randn([4, 3]), tensor(new Int32Array([0, 1, 2])))).toThrow(/target must have shape \[4\].*got \[3\]/);
    expect(() => F.crossEntropy(randn([4, 3]), rand([4, 2]))).toThrow(/probability targets must have the input's shape \[4,3\]/);
    expect(() => F.mseLoss(randn([4, 3]), randn([3, 4]))).toThrow(/mseLoss: input shape \[4,3\] and target shape \[3,4\] must match/);
    expect(() => F.binaryCrossEntropy(rand([2, 2]), rand([4]))).toThrow(/must match/);
    expect(() => F.crossEntropy(randn([4, 3]), tensor(new Int32Array([0, 1, 2, 1])), { weight: tensor([1, 2]) })).toThrow(/weight should have shape \[3\]/);
  });
  it('rejects out-of-range probabilities, bad reductions and options', () => {
    expect(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(/between 0 and 1/);
    expect(() => F.mseLoss(randn([2]), randn([2]), { reduction: 'avg' as any })).toThrow(/reduction must be one of 'mean', 'sum', 'none', got 'avg'/);
    expect(() => F.crossEntropy(randn([2, 3]), tensor(new Int32Array([0, 1])), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
  });
});
