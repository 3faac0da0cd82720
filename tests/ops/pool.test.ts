// Pooling ops and modules against PyTorch 1.13 fixtures (scripts/fixtures/conv.py), gradient
// checks, bad-input errors and printing.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, manualSeed, randn, tensor, gradcheck, type Tensor } from '../../src/index.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d, type AvgPool1dOptions, type AvgPool2dOptions } from '../../src/ops/pool.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../src/nn/pooling.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface PoolCase {
  name: string; kernel?: number | number[]; outputSize?: number | (number | null)[]; args?: Record<string, unknown>;
  x: TensorSpec; y: TensorSpec; gy: TensorSpec; gx: TensorSpec; indices?: TensorSpec;
}
const fx = loadFixture<Record<string, PoolCase[]> & { repr: Record<string, string> }>('conv');

const OPS: Record<string, (x: Tensor, c: PoolCase) => Tensor | [Tensor, Tensor]> = {
  maxPool2d: (x, c) => maxPool2d(x, c.kernel as number, c.args as any),
  avgPool2d: (x, c) => avgPool2d(x, c.kernel as number, c.args as AvgPool2dOptions),
  maxPool1d: (x, c) => maxPool1d(x, c.kernel as number, c.args as any),
  avgPool1d: (x, c) => avgPool1d(x, c.kernel as number, c.args as AvgPool1dOptions),
  adaptiveAvgPool2d: (x, c) => adaptiveAvgPool2d(x, c.outputSize as number),
  adaptiveAvgPool1d: (x, c) => adaptiveAvgPool1d(x, c.outputSize as number),
};

for (const [opName, op] of Object.entries(OPS)) {
  describe(`${opName} matches PyTorch`, () => {
    for (const c of fx[opName]) {
      it(`${c.name} (x [${c.x.shape}], ${JSON.stringify(c.kernel ?? c.outputSize)}, ${JSON.stringify(c.args ?? {})})`, () => {
        const x = fromSpec(c.x, { requiresGrad: true });
        const out = op(x, c);
        const y = Array.isArray(out) ? out[0] : out;
        expectClose(y, c.y, 1e-4, 1e-5, `${c.name}: output`);
        if (c.indices) {
          expect(Array.isArray(out)).toBe(true);
          const idx = (out as [Tensor, Tensor])[1];
          expect(idx.dtype).toBe('int32');
          expect(idx.shape).toEqual(c.indices.shape);
          expect(Array.from(idx.data())).toEqual(c.indices.data);
        }
        y.backward(fromSpec(c.gy));
        expectClose(x.grad!, c.gx, 1e-4, 1e-5, `${c.name}: input grad`);
      });
    }
  });
}

describe('pool gradcheck', () => {
  // Max pool: distinct values (a permutation) so no window has a tie within eps.
  const distinct = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, (_, i) => ((i * 37) % n) / 4);
    return tensor(Float32Array.from(v), { shape, requiresGrad: true });
  };
  it('maxPool2d overlapping, padded, ceil mode', () => {
    const x = distinct([1, 2, 6, 7]);
    expect(gradcheck((x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [x]).ok).toBe(true);
  });
  it('avgPool2d with and without padding in the divisor', () => {
    manualSeed(1);
    const x = randn([2, 2, 5, 6], { requiresGrad: true });
    expect(gradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), [x]).ok).toBe(true);
    expect(gradcheck((x) => avgPool2d(x, [2, 3], { stride: 1, padding: 1, divisorOverride: 4 }), [x]).ok).toBe(true);
  });
  it('adaptiveAvgPool2d and the 1-D pools', () => {
    manualSeed(2);
    const x = randn([2, 2, 5, 7], { requiresGrad: true });
    expect(gradcheck((x) => adaptiveAvgPool2d(x, [3, 4]), [x]).ok).toBe(true);
    const x1 = distinct([2, 3, 9]);
    expect(gradcheck((x) => maxPool1d(x, 3, { stride: 2, padding: 1 }), [x1]).ok).toBe(true);
    expect(gradcheck((x) => avgPool1d(x, 4, { stride: 3, padding: 2 }), [x1]).ok).toBe(true);
  });
});

describe('pool errors name the problem and the shapes', () => {
  const X = () => randn([1, 2, 4, 4]);
  const cases: [string, () => unknown, RegExp][] = [
    ['wrong rank', () => maxPool2d(randn([4, 4]), 2), /maxPool2d: expected a 3-D or 4-D input \[N, C, H, W\] or \[C, H, W\], got shape \[4,4\]/],
    ['padding more than half the kernel', () => maxPool2d(X(), 3, { padding: 2 }), /padding should be at most half of the kernel size, got padding \[2, 2\] for kernel size \[3, 3\]/],
    ['output too small', () => avgPool2d(X(), 5), /avgPool2d: output size is too small: input \[1,2,4,4\] with kernel \[5, 5\].*gives 0x0/],
    ['zero stride', () => maxPool2d(X(), 2, { stride: 0 }), /stride must be a positive integer/],
    ['zero dilation', () => maxPool2d(X(), 2, { dilation: [1, 0] }), /dilation must be a positive integer/],
    ['zero divisor', () => avgPool2d(X(), 2, { divisorOverride: 0 }), /divisorOverride must be a non-zero integer/],
    ['empty spatial dims', () => maxPool2d(randn([1, 2, 0, 4]), 2), /non-zero channel and spatial sizes.*\[1,2,0,4\]/],
    ['1-D shapes shown as given', () => maxPool1d(randn([2, 3, 4]), 6), /maxPool1d: output size is too small: input \[2,3,4\] with kernel 6/],
    ['1-D rank', () => avgPool1d(randn([2, 3, 4, 5]), 2), /avgPool1d: expected a 2-D or 3-D input/],
    ['int32 input', () => maxPool2d(tensor([[[[1, 2], [3, 4]]]], { dtype: 'int32' }), 2), /maxPool2d: expected input of dtype float32, got int32 \(shape \[1,1,2,2\]\); call \.float\(\) first/],
  ];
  for (const [name, fn, re] of cases) it(name, () => expect(fn).toThrow(re));
});

describe('pooling modules', () => {
  it('forward equals the functional ops (stride defaults to the kernel size)', () => {
    const x = randn([2, 3, 9, 8]);
    expectClose(new MaxPool2d(2).forward(x), maxPool2d(x, 2, { stride: 2 }));
    expectClose(new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(x),
      avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }));
    expectClose(new AdaptiveAvgPool2d([null, 2]).forward(x), adaptiveAvgPool2d(x, [9, 2]));
    const [y, idx] = new MaxPool2d(3, { stride: 2, returnIndices: true }).forward(x);
    expect(y.shape).toEqual([2, 3, 4, 3]);
    expect(idx.dtype).toBe('int32');
    expect(new AvgPool2d(2).forward(x).shape).toEqual([2, 3, 4, 4]);
  });
  it('print like PyTorch', () => {
    const built: Record<string, { toString(): string }> = {
      'MaxPool2d(2)': new MaxPool2d(2),
      'MaxPool2d(3, stride=2, padding=1, ceilMode=true)': new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      'AvgPool2d(2)': new AvgPool2d(2),
      'AvgPool2d(3, stride=1, padding=1, countIncludePad=false)': new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }),
      'AdaptiveAvgPool2d([5, 7])': new AdaptiveAvgPool2d([5, 7]),
      'AdaptiveAvgPool2d(1)': new AdaptiveAvgPool2d(1),
      'MaxPool1d(3, stride=2)': new MaxPool1d(3, { stride: 2 }),
      'AvgPool1d(3)': new AvgPool1d(3),
    };
    for (const [key, m] of Object.entries(built)) expect(m.toString()).toBe(fx.repr[key]);
  });
});

describe('maxPool2d 2x2 stride 2 (the vector path for rows of 4+ outputs)', () => {
  it('propagates NaN, keeps the first of tied taps and indexes like PyTorch, on rows not a multiple of 4', () => {
    // 2 x 2 planes of 4 x 14 (7 outputs per row: the last vector overlaps); taps with ties and NaNs.
    const H = 4, W = 14;
    const values = Array.from({ length: 2 * 2 * H * W }, (_, i) => ((i * 7) % 5) - 2);
    values[3] = NaN; values[W + 8] = NaN; values[2 * W + 10] = NaN; values[2 * W + 11] = NaN; values[H * W + 5] = Infinity;
    const [y, idx] = maxPool2d(tensor(values, { shape: [2, 2, H, W] }), 2, { returnIndices: true });
    const want: number[] = [], wantIdx: number[] = [];
    for (let p = 0; p < 4; p++) {
      for (let oh = 0; oh < H / 2; oh++) {
        for (let ow = 0; ow < W / 2; ow++) {
          let m = -Infinity, mi = -1;
          for (const [ki, kj] of [[0, 0], [0, 1], [1, 0], [1, 1]]) { // PyTorch: v > max or isnan(v) replaces
            const i = (2 * oh + ki) * W + 2 * ow + kj, v = values[p * H * W + i];
            if (mi < 0 || v > m || Number.isNaN(v)) { m = v; mi = i; }
          }
          want.push(m); wantIdx.push(mi);
        }
      }
    }
    expect(Array.from(y.data())).toEqual(want);
    expect(Array.from(idx.data())).toEqual(wantIdx);
  });
});
