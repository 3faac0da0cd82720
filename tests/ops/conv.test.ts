// conv2d / conv1d (ops and modules) against PyTorch 1.13 fixtures (scripts/fixtures/conv.py),
// finite-difference gradient checks, bad-input errors, initialisation and printing.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { init, manualSeed, randn, tensor, zeros, gradcheck, backendInfo, type Tensor } from '../../src/index.js';
import { conv1d, conv2d, _setConvAlgo } from '../../src/ops/conv.js';
import { Conv1d, Conv2d } from '../../src/nn/conv.js';
import { Sequential } from '../../src/nn/container.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../../src/nn/activation.js';
import { BatchNorm2d } from '../../src/nn/batchnorm2d.js';
import { Dropout2d, dropout2d } from '../../src/nn/dropout2d.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface ConvCase {
  name: string; args: Record<string, unknown>;
  x: TensorSpec; w: TensorSpec; b?: TensorSpec; y: TensorSpec; gy: TensorSpec; gx: TensorSpec; gw: TensorSpec; gb?: TensorSpec;
}
const fx = loadFixture<{ conv2d: ConvCase[]; conv1d: ConvCase[]; batchNorm2d: any[]; repr: Record<string, string> }>('conv');

// Runs one fixture case: forward, then backward of sum(y * gy), comparing y and every gradient.
function checkCase(fn: typeof conv2d | typeof conv1d, c: ConvCase): void {
  const x = fromSpec(c.x, { requiresGrad: true }), w = fromSpec(c.w, { requiresGrad: true });
  const b = c.b ? fromSpec(c.b, { requiresGrad: true }) : null;
  const y = (fn as any)(x, w, b, c.args) as Tensor;
  expectClose(y, c.y, 1e-4, 1e-5, `${c.name}: output`);
  y.backward(fromSpec(c.gy));
  expectClose(x.grad!, c.gx, 1e-4, 1e-5, `${c.name}: input grad`);
  expectClose(w.grad!, c.gw, 1e-4, 1e-5, `${c.name}: weight grad`);
  if (b) expectClose(b.grad!, c.gb!, 1e-4, 1e-5, `${c.name}: bias grad`);
}

describe('conv2d matches PyTorch', () => {
  afterEach(() => { _setConvAlgo('auto'); });
  for (const c of fx.conv2d) {
    it(`${c.name} (x [${c.x.shape}], w [${c.w.shape}], ${JSON.stringify(c.args)})`, () => checkCase(conv2d, c));
  }
  // Depthwise and 1x1 convs normally take direct paths; the im2col + GEMM path must agree too.
  for (const c of fx.conv2d.filter((c) => /^(depthwise|same depthwise|1x1)/.test(c.name))) {
    it(`${c.name} via im2col + GEMM`, () => { _setConvAlgo('im2col'); checkCase(conv2d, c); });
  }
});

describe('conv1d matches PyTorch', () => {
  for (const c of fx.conv1d) it(`${c.name} (x [${c.x.shape}], w [${c.w.shape}], ${JSON.stringify(c.args)})`, () => checkCase(conv1d, c));
});

describe('conv gradcheck', () => {
  const cases: [string, number[], number[], Record<string, unknown>][] = [
    ['dense stride 2 pad 1', [2, 2, 5, 4], [3, 2, 3, 3], { stride: 2, padding: 1 }],
    ['groups 2 dilation 2', [1, 4, 6, 5], [4, 2, 2, 2], { groups: 2, dilation: 2, padding: [1, 0] }],
    ['depthwise same', [2, 3, 4, 5], [3, 1, 3, 2], { groups: 3, padding: 'same' }],
    ['1x1', [2, 3, 3, 2], [2, 3, 1, 1], {}],
  ];
  for (const [name, xs, ws, args] of cases) {
    it(name, () => {
      manualSeed(7);
      const x = randn(xs, { requiresGrad: true }), w = randn(ws, { requiresGrad: true }), b = randn([ws[0]], { requiresGrad: true });
      expect(gradcheck((x, w, b) => conv2d(x, w, b, args), [x, w, b]).ok).toBe(true);
    });
  }
  it('conv1d', () => {
    manualSeed(8);
    const x = randn([2, 2, 7], { requiresGrad: true }), w = randn([4, 1, 3], { requiresGrad: true });
    expect(gradcheck((x, w) => conv1d(x, w, null, { groups: 2, stride: 2, padding: 1 }), [x, w]).ok).toBe(true);
  });
});

describe('conv shapes and edge cases', () => {
  it("'same' keeps the spatial size for odd and even kernels, and 'valid' is no padding", () => {
    const x = randn([1, 2, 7, 6]);
    for (const k of [[1, 1], [2, 2], [3, 4], [5, 3]]) {
      expect(conv2d(x, randn([3, 2, k[0], k[1]]), null, { padding: 'same', dilation: 2 }).shape).toEqual([1, 3, 7, 6]);
    }
    expect(conv2d(x, randn([3, 2, 3, 3]), null, { padding: 'valid' }).shape).toEqual([1, 3, 5, 4]);
  });
  it('accepts unbatched input and non-contiguous operands', () => {
    manualSeed(3);
    const x = randn([2, 5, 6, 3]), w = randn([4, 3, 3, 3]);
    const xt = x.permute(0, 3, 1, 2); // [2, 3, 5, 6], not contiguous
    const ref = conv2d(xt.contiguous(), w, null, { padding: 1 });
    expectClose(conv2d(xt, w, null, { padding: 1 }), ref);
    expectClose(conv2d(xt.at(1), w, null, { padding: 1 }), ref.at(1));
  });
  it('an empty batch gives an empty output and zero weight grad', () => {
    const x = zeros([0, 2, 5, 5], { requiresGrad: true }), w = randn([3, 2, 3, 3], { requiresGrad: true });
    const y = conv2d(x, w);
    expect(y.shape).toEqual([0, 3, 3, 3]);
    y.sum().backward();
    expectClose(w.grad!, zeros([3, 2, 3, 3]));
  });
  it('scratch buffers do not grow memory across calls', () => {
    const x = randn([4, 8, 12, 12], { requiresGrad: true }), w = randn([8, 8, 3, 3], { requiresGrad: true });
    const step = () => { conv2d(x, w, null, { padding: 1 }).sum().backward(); };
    step(); step(); step();
    const before = backendInfo().memory.inUse;
    for (let i = 0; i < 20; i++) step();
    expect(backendInfo().memory.inUse).toBeLessThanOrEqual(before);
  });
});

describe('conv with a fused activation and batched GEMMs', () => {
  afterEach(() => { _setConvAlgo('auto'); });
  type Act = 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';
  const unfused = (y: Tensor, act: Act, slope: number) =>
    act === 'relu' ? y.relu() : act === 'leakyRelu' ? y.leakyRelu(slope) : act === 'sigmoid' ? y.sigmoid() : y.tanh();

  // Fused forward and all gradients equal conv2d followed by the separate activation op.
  function compareFused(xs: number[], ws: number[], args: Record<string, unknown>, act: Act, slope = 0.2): void {
    manualSeed(11);
    const x = randn(xs, { requiresGrad: true }), w = randn(ws, { requiresGrad: true }), b = randn([ws[0]], { requiresGrad: true });
    const ref = unfused(conv2d(x, w, b, args), act, slope);
    const gy = randn(ref.shape);
    ref.backward(gy);
    const [gx, gw, gb] = [x.grad!, w.grad!, b.grad!];
    x.grad = null; w.grad = null; b.grad = null;
    const y = conv2d(x, w, b, { ...args, activation: act, negativeSlope: slope });
    expect(y.gradFn!.name).toMatch(/^Convolution.+Backward$/);
    expectClose(y, ref, 1e-5, 1e-6, `${act} output`);
    y.backward(gy);
    expectClose(x.grad!, gx, 1e-4, 1e-5, `${act} input grad`);
    expectClose(w.grad!, gw, 1e-4, 1e-5, `${act} weight grad`);
    expectClose(b.grad!, gb, 1e-4, 1e-5, `${act} bias grad`);
  }
  for (const act of ['relu', 'leakyRelu', 'sigmoid', 'tanh'] as const) {
    it(`${act}: dense conv (im2col + GEMM epilogue) matches conv2d then ${act}`, () => compareFused([3, 4, 7, 6], [6, 4, 3, 3], { padding: 1, stride: [1, 2] }, act));
  }
  it('relu on the pointwise, depthwise and grouped paths, and with no input channels', () => {
    compareFused([2, 5, 4, 6], [3, 5, 1, 1], {}, 'relu');
    compareFused([2, 4, 6, 5], [4, 1, 3, 3], { groups: 4, padding: 1 }, 'relu');
    compareFused([2, 6, 5, 5], [4, 3, 3, 2], { groups: 2, dilation: [1, 2] }, 'leakyRelu');
    compareFused([2, 0, 4, 4], [3, 0, 3, 3], {}, 'tanh');
    _setConvAlgo('im2col');
    compareFused([2, 5, 4, 6], [3, 5, 1, 1], {}, 'sigmoid');
  });
  it('passes gradcheck with tanh and sigmoid fused (conv1d too)', () => {
    // Smooth activations only: finite differences straddle ReLU's kink (relu is checked against the unfused op above).
    manualSeed(9);
    const x = randn([2, 3, 5, 4], { requiresGrad: true }), w = randn([4, 3, 3, 3], { requiresGrad: true }), b = randn([4], { requiresGrad: true });
    expect(gradcheck((x, w, b) => conv2d(x, w, b, { padding: 1, activation: 'tanh' }), [x, w, b]).ok).toBe(true);
    const x1 = randn([2, 2, 7], { requiresGrad: true }), w1 = randn([3, 2, 3], { requiresGrad: true }), b1 = randn([3], { requiresGrad: true });
    expect(gradcheck((x, w, b) => conv1d(x, w, b, { padding: 1, activation: 'sigmoid' }), [x1, w1, b1]).ok).toBe(true);
  });
  it('a batch split into several sub-batches equals the images convolved one at a time', () => {
    // 16 channels of 20x20 with a 3x3 kernel: ~230 KB of columns per image, so 24 images need several GEMM chunks.
    manualSeed(5);
    const x = randn([24, 16, 20, 20], { requiresGrad: true }), w = randn([8, 16, 3, 3], { requiresGrad: true }), b = randn([8], { requiresGrad: true });
    const y = conv2d(x, w, b, { padding: 1, activation: 'relu' });
    const gy = randn(y.shape);
    y.backward(gy);
    let gw = zeros([8, 16, 3, 3]), gb = zeros([8]);
    for (const n of [0, 7, 8, 15, 23]) {
      const xn = x.detach().at(n).unsqueeze(0).requiresGrad_(), wn = w.detach().requiresGrad_(), bn = b.detach().requiresGrad_();
      const yn = conv2d(xn, wn, bn, { padding: 1, activation: 'relu' });
      expectClose(y.at(n), yn.at(0), 1e-5, 1e-6, `image ${n} output`);
      yn.backward(gy.at(n).unsqueeze(0));
      expectClose(x.grad!.at(n), xn.grad!.at(0), 1e-5, 1e-6, `image ${n} input grad`);
    }
    for (let n = 0; n < 24; n++) {
      const wn = w.detach().requiresGrad_(), bn = b.detach().requiresGrad_();
      conv2d(x.detach().at(n).unsqueeze(0), wn, bn, { padding: 1, activation: 'relu' }).backward(gy.at(n).unsqueeze(0));
      gw = gw.add(wn.grad!); gb = gb.add(bn.grad!);
    }
    expectClose(w.grad!, gw, 1e-4, 1e-4, 'weight grad summed over images');
    expectClose(b.grad!, gb, 1e-4, 1e-4, 'bias grad summed over images');
  });
  it('nn.Sequential runs Conv2d / Conv1d + activation as one fused op with the same result', () => {
    manualSeed(2);
    for (const [act, name] of [[new ReLU(), 'Relu'], [new LeakyReLU(0.1), 'LeakyRelu'], [new Sigmoid(), 'Sigmoid'], [new Tanh(), 'Tanh']] as const) {
      const conv = new Conv2d(3, 5, 3, { padding: 1 });
      const x = randn([2, 3, 6, 6]);
      const y = new Sequential(conv, act).forward(x);
      expect(y.gradFn!.name).toBe(`Convolution${name}Backward`);
      expectClose(y, act.forward(conv.forward(x)), 1e-5, 1e-6);
    }
    const c1 = new Conv1d(2, 4, 3);
    const x1 = randn([3, 2, 9]);
    const y1 = new Sequential(c1, new ReLU()).forward(x1);
    expect(y1.gradFn!.inputs[0]!.gradFn!.name).toBe('ConvolutionReluBackward'); // under conv1d's squeeze of the H dim
    expectClose(y1, conv1d(x1, c1.weight, c1.bias).relu(), 1e-5, 1e-6);
  });
  it('rejects an unknown activation', () => {
    expect(() => conv2d(randn([1, 1, 3, 3]), randn([1, 1, 3, 3]), null, { activation: 'gelu' as any })).toThrow(/conv2d: activation must be one of .*got "gelu"/);
  });
});

describe('conv errors name the problem and the shapes', () => {
  const X = () => randn([2, 4, 5, 5]);
  const cases: [string, () => unknown, RegExp][] = [
    ['wrong input rank', () => conv2d(randn([4, 5]), randn([2, 4, 3, 3])), /conv2d: expected a 3-D \(unbatched\) or 4-D.*got shape \[4,5\]/],
    ['wrong weight rank', () => conv2d(X(), randn([2, 4, 3])), /conv2d: expected a 4-D weight.*\[2,4,3\]/],
    ['wrong in-channels', () => conv2d(X(), randn([2, 3, 3, 3])), /groups=1, weight of size \[2,3,3,3\] expects input \[2,4,5,5\] to have 3 channels, but it has 4/],
    ['channels not divisible by groups', () => conv2d(randn([1, 3, 5, 5]), randn([4, 1, 3, 3]), null, { groups: 2 }), /input channels 3.*divisible by groups=2/],
    ['out channels not divisible by groups', () => conv2d(X(), randn([3, 2, 3, 3]), null, { groups: 2 }), /out channels 3.*divisible by groups=2/],
    ['kernel larger than padded input', () => conv2d(X(), randn([2, 4, 8, 8]), null, { padding: 1 }), /kernel size 8x8 can't be greater than the padded input size 7x7 \(input \[2,4,5,5\], padding \[1, 1\]\)/],
    ['dilated kernel too large', () => conv2d(X(), randn([2, 4, 3, 3]), null, { dilation: 3 }), /kernel size 3x3 \(dilated 7x7\)/],
    ['zero stride', () => conv2d(X(), randn([2, 4, 3, 3]), null, { stride: 0 }), /stride must be a positive integer.*0/],
    ['negative dilation', () => conv2d(X(), randn([2, 4, 3, 3]), null, { dilation: [1, -1] }), /dilation must be a positive integer.*\[1,-1\]/],
    ['negative padding', () => conv2d(X(), randn([2, 4, 3, 3]), null, { padding: -1 }), /padding must be a non-negative integer/],
    ["'same' with stride", () => conv2d(X(), randn([2, 4, 3, 3]), null, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided convolutions/],
    ['bias shape', () => conv2d(X(), randn([2, 4, 3, 3]), randn([3])), /bias shape \[3\] should be \[2\]/],
    ['conv1d rank', () => conv1d(randn([1, 2, 3, 4]), randn([2, 2, 3])), /conv1d: expected a 2-D \(unbatched\) or 3-D.*\[1,2,3,4\]/],
    ['conv1d in-channels (1-D shapes)', () => conv1d(randn([2, 3, 9]), randn([4, 2, 3])), /conv1d: given groups=1, weight of size \[4,2,3\] expects input \[2,3,9\] to have 2 channels/],
    ['conv1d kernel too large', () => conv1d(randn([2, 3, 4]), randn([4, 3, 6])), /conv1d: kernel size 6 can't be greater than the padded input size 4/],
    ['Conv2d module in-channels', () => new Conv2d(3, 8, 3).forward(X()), /expects input \[2,4,5,5\] to have 3 channels/],
    ['Conv2d groups', () => new Conv2d(4, 6, 3, { groups: 4 }), /Conv2d: outChannels \(6\) must be divisible by groups \(4\)/],
    ['Conv2d same + stride', () => new Conv2d(4, 6, 3, { padding: 'same', stride: 2 }), /Conv2d: padding='same' is not supported for strided/],
    ['Conv2d padding mode', () => new Conv2d(4, 6, 3, { paddingMode: 'reflect' as 'zeros' }), /paddingMode 'reflect' is not supported/],
  ];
  for (const [name, fn, re] of cases) it(name, () => expect(fn).toThrow(re));
});

describe('Conv2d / Conv1d modules', () => {
  it('have PyTorch parameter names, shapes and default init bounds', () => {
    manualSeed(0);
    const m = new Conv2d(6, 12, [3, 5], { groups: 2 });
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [12, 3, 3, 5]], ['bias', [12]]]);
    const bound = 1 / Math.sqrt(3 * 3 * 5);
    for (const p of [m.weight, m.bias!]) {
      const v = Array.from(p.data());
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
      if (p.numel() > 100) expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(bound * 1.8); // spread over the range
    }
    expect([...new Conv2d(2, 3, 3, { bias: false }).stateDict().keys()]).toEqual(['weight']);
    expect(new Conv1d(4, 5, 3).weight.shape).toEqual([5, 4, 3]);
  });
  it('forward equals the functional op and trains the weight and bias', () => {
    const m = new Conv2d(3, 4, 3, { stride: 2, padding: 1 });
    const x = randn([2, 3, 7, 7]);
    expectClose(m.forward(x), conv2d(x, m.weight, m.bias, { stride: 2, padding: 1 }));
    m.forward(x).sum().backward();
    expect(m.weight.grad!.shape).toEqual([4, 3, 3, 3]);
    expect(m.bias!.grad!.shape).toEqual([4]);
    const c1 = new Conv1d(2, 3, 4, { padding: 'same' });
    expect(c1.forward(randn([5, 2, 11])).shape).toEqual([5, 3, 11]);
  });
  it('print like PyTorch', () => {
    const built: Record<string, { toString(): string }> = {
      'Conv2d(1, 16, 3, padding=1)': new Conv2d(1, 16, 3, { padding: 1 }),
      'Conv2d(4, 8, [3, 5], stride=2, padding=[1, 2], dilation=2, groups=2, bias=False)':
        new Conv2d(4, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, groups: 2, bias: false }),
      "Conv2d(3, 6, 3, padding='same')": new Conv2d(3, 6, 3, { padding: 'same' }),
      'Conv1d(3, 5, 4, stride=2)': new Conv1d(3, 5, 4, { stride: 2 }),
    };
    for (const [key, m] of Object.entries(built)) expect(m.toString()).toBe(fx.repr[key]);
  });
});

describe('conv output is exact for a hand-computed case', () => {
  it('3x3 all-ones kernel sums the neighbourhood', () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const w = tensor([[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]);
    expect(conv2d(x, w, tensor([0.5]), { padding: 1 }).toArray()).toEqual([[[[12.5, 21.5, 16.5], [27.5, 45.5, 33.5], [24.5, 39.5, 28.5]]]]);
  });
});

describe('BatchNorm2d matches PyTorch', () => {
  for (const c of fx.batchNorm2d) {
    it(c.name, () => {
      const bn = new BatchNorm2d(c.numFeatures, { affine: c.affine, momentum: c.momentum });
      bn.loadStateDict(Object.fromEntries(Object.entries(c.init).map(([k, v]) => [k, fromSpec(v as TensorSpec)])), { strict: false });
      const x = fromSpec(c.x, { requiresGrad: true });
      const y = bn.forward(x);
      expectClose(y, c.y, 1e-4, 1e-5, 'train output');
      y.backward(fromSpec(c.gy));
      expectClose(x.grad!, c.gx, 1e-4, 1e-5, 'input grad');
      if (c.affine) {
        expectClose(bn.weight!.grad!, c.gweight, 1e-4, 1e-5, 'weight grad');
        expectClose(bn.bias!.grad!, c.gbias, 1e-4, 1e-5, 'bias grad');
      }
      const state = bn.stateDict();
      for (const [k, v] of Object.entries(c.stateAfter)) expectClose(state.get(k)!, v as TensorSpec, 1e-4, 1e-5, k);
      bn.eval();
      expectClose(bn.forward(fromSpec(c.xEval)), c.yEval, 1e-4, 1e-5, 'eval output');
    });
  }
  it('rejects other ranks and wrong channel counts, and prints like PyTorch', () => {
    expect(() => new BatchNorm2d(3).forward(randn([4, 3, 5]))).toThrow(/BatchNorm2d: expected 4D input \[N, C, H, W\], got 3D input of shape \[4,3,5\]/);
    expect(() => new BatchNorm2d(3).forward(randn([4, 2, 5, 5]))).toThrow(/expected 3 channels.*\[4,2,5,5\]/);
    expect(new BatchNorm2d(16).toString()).toBe(fx.repr['BatchNorm2d(16)']);
    expect(new BatchNorm2d(8, { eps: 0.001, momentum: 0.2, affine: false }).toString())
      .toBe(fx.repr['BatchNorm2d(8, eps=0.001, momentum=0.2, affine=false)']);
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels with probability p and scales the rest by 1/(1-p)', () => {
    manualSeed(11);
    const x = randn([64, 32, 3, 4]).abs().add(0.1); // strictly positive: a zero can only come from the mask
    const m = new Dropout2d(0.25);
    const y = m.forward(x);
    const yv = y.data(), xv = x.data();
    let dropped = 0;
    for (let ch = 0; ch < 64 * 32; ch++) {
      const zeros = Array.from({ length: 12 }, (_, i) => yv[ch * 12 + i] === 0).filter(Boolean).length;
      expect(zeros === 0 || zeros === 12).toBe(true); // all or nothing per channel
      if (zeros) dropped++;
      else for (let i = 0; i < 12; i++) expect(yv[ch * 12 + i]).toBeCloseTo(xv[ch * 12 + i] / 0.75, 5);
    }
    expect(dropped / (64 * 32)).toBeGreaterThan(0.2);
    expect(dropped / (64 * 32)).toBeLessThan(0.3);
    m.eval();
    expect(m.forward(x)).toBe(x);
    expect(m.toString()).toBe(fx.repr['Dropout2d(0.3)'].replace('0.3', '0.25'));
  });
  it('backward multiplies by the same channel mask', () => {
    manualSeed(12);
    const x = randn([4, 6, 2, 2], { requiresGrad: true });
    const y = dropout2d(x, 0.5);
    y.sum().backward();
    const mask = Array.from(y.data()).map((v, i) => v / x.data()[i]);
    expectClose(x.grad!.data(), Float32Array.from(mask), 1e-5, 1e-6);
    expect(() => dropout2d(randn([2, 3]), 0.5)).toThrow(/dropout2d: expected a 3-D \[C, H, W\] or 4-D/);
    expect(() => new Dropout2d(1.5)).toThrow(/between 0 and 1/);
  });
});
