// Tensor behaviour: creation, read-back, printing (against torch's str), casts, and the errors
// bad input gets (each names the op and the offending shapes or values).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  init, tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, randperm,
  manualSeed, getRngState, setRngState, matmul, mm, dot, concat, Tensor,
} from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

describe('creation', () => {
  it('tensor() infers the shape of nested arrays (booleans become 0/1)', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([true, false]).toArray()).toEqual([1, 0]);
    expect(tensor([[[]]]).shape).toEqual([1, 1, 0]);
  });

  it('tensor() of a number is 0-d', () => {
    const t = tensor(3.5);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.item()).toBe(3.5);
    expect(t.toArray()).toBe(3.5);
  });

  it('tensor() takes typed arrays with a shape; Int32Array gives int32', () => {
    const f = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(f.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const i = tensor(new Int32Array([7, -8]));
    expect(i.dtype).toBe('int32');
    expect(i.shape).toEqual([2]);
    expect(Array.from(i.data())).toEqual([7, -8]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([1.9, -2.9], { dtype: 'int32' }).toArray()).toEqual([1, -2]);
  });

  it('zeros, ones, full', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2], -1.5).toArray()).toEqual([-1.5, -1.5]);
    expect(full([2], 7, { dtype: 'int32' }).dtype).toBe('int32');
    expect(zeros([0, 4]).numel()).toBe(0);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('arange: integer arguments give int32, fractional give float32', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 11, 3).toArray()).toEqual([2, 5, 8]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    const f = arange(1, 2.5, 0.5);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([1, 1.5, 2]);
    expect(arange(3, 3).numel()).toBe(0);
  });

  it('linspace hits both ends exactly', () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 1).toArray()).toEqual([-1]);
    expect(linspace(0, 1, 0).numel()).toBe(0);
    const l = linspace(-3.3, 7.1, 11).data();
    expect(l[10]).toBe(Math.fround(7.1));
    expect(l[0]).toBe(Math.fround(-3.3));
  });

  it('eye, square and rectangular', () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it('rand and randn have the right range and moments', () => {
    manualSeed(1);
    const u = rand([20000]).data();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(u)).toBeCloseTo(0.5, 1);
    const n = randn([20000]).data();
    const m = mean(n);
    const sd = Math.sqrt(mean(Array.from(n, (v) => (v - m) ** 2)));
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    expect(randn([2, 3]).shape).toEqual([2, 3]);
  });

  it('randint draws int32 values in [low, high)', () => {
    const r = randint(-3, 4, [5000]);
    expect(r.dtype).toBe('int32');
    const v = Array.from(r.data());
    expect(Math.min(...v)).toBe(-3);
    expect(Math.max(...v)).toBe(3);
    expect(v.every(Number.isInteger)).toBe(true);
  });

  it('randperm is a permutation', () => {
    const p = Array.from(randperm(50).data());
    expect(p.slice().sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(p).not.toEqual([...Array(50).keys()]);
    expect(randperm(0).numel()).toBe(0);
  });

  it('manualSeed and the RNG state reproduce draws', () => {
    manualSeed(42);
    const a = [rand([5]).data(), randn([5]).data(), randint(0, 100, [5]).data(), randperm(8).data()];
    manualSeed(42);
    const b = [rand([5]).data(), randn([5]).data(), randint(0, 100, [5]).data(), randperm(8).data()];
    expect(b).toEqual(a);
    const state = getRngState();
    const c = randn([4]).data();
    setRngState(state);
    expect(randn([4]).data()).toEqual(c);
    manualSeed(43);
    expect(rand([5]).data()).not.toEqual(a[0]);
  });
});

describe('read-back', () => {
  it('data() and toArray() follow the logical order of views', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1);
    expect(Array.from(t.data())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.tolist()).toEqual(t.toArray());
    expect(tensor([[1, 2, 3], [4, 5, 6]]).slice(1, 0, 3, 2).toArray()).toEqual([[1, 3], [4, 6]]);
  });

  it('data() returns a copy', () => {
    const t = tensor([1, 2]);
    const d = t.data();
    d[0] = 99;
    expect(t.toArray()).toEqual([1, 2]);
  });

  it('item() reads one-element tensors of any rank', () => {
    expect(tensor([[2.5]]).item()).toBe(2.5);
    expect(tensor([7], { dtype: 'int32' }).item()).toBe(7);
    expect(() => tensor([1, 2]).item()).toThrow(/item: expected a tensor with one element, got shape \[2\]/);
  });
});

describe('printing matches torch', () => {
  const cases = loadFixture<{ cases: { name: string; tensor: TensorSpec & { mulByOne?: boolean }; text: string }[] }>('ops-print').cases;
  for (const c of cases) {
    it(c.name, () => {
      let t = fromSpec(c.tensor);
      if (c.tensor.mulByOne) t = t.mul(1);
      expect(String(t)).toBe(c.text);
    });
  }
  it('a disposed tensor says so', () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(String(t)).toBe('tensor(<disposed>, shape=[2])');
  });
});

describe('dtype casts', () => {
  it('float -> int truncates toward zero, like torch', () => {
    const i = tensor([1.7, -1.7, 2.5, -0.2]).int();
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([1, -1, 2, 0]);
  });
  it('int -> float and to()', () => {
    const f = tensor(new Int32Array([3, -4])).float();
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([3, -4]);
    expect(f.to('int32').dtype).toBe('int32');
    const same = tensor([1]);
    expect(same.to('float32')).toBe(same);
  });
  it('arithmetic on int32 tensors computes in float32', () => {
    const a = arange(4);
    expect(a.add(0.5).toArray()).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(a.add(0.5).dtype).toBe('float32');
  });
  it('rejects unknown dtypes', () => {
    expect(() => tensor([1]).to('float64' as any)).toThrow(/to: unsupported dtype 'float64' \(expected float32 or int32\)/);
  });
});

describe('errors name the op and the shapes or values', () => {
  const x23 = () => tensor([[1, 2, 3], [4, 5, 6]]);

  it('shape mismatches', () => {
    expect(() => x23().add(tensor([1, 2]))).toThrow(/add: shapes \[2,3\] and \[2\] cannot be broadcast/);
    expect(() => x23().mul(zeros([3, 3]))).toThrow(/mul: shapes \[2,3\] and \[3,3\] cannot be broadcast/);
    expect(() => matmul(x23(), x23())).toThrow(/matmul: shapes \[2,3\] and \[2,3\] cannot be multiplied \(3 != 2/);
    expect(() => x23().reshape(4)).toThrow(/reshape: shape \[4\] is invalid for input of size 6/);
    expect(() => x23().view(-1, -1)).toThrow(/view: only one dimension can be -1/);
    expect(() => x23().expand(4, 3)).toThrow(/expand: the expanded size 4 must match the existing size 2 at dim 0/);
    expect(() => concat([x23(), zeros([2, 2])], 0)).toThrow(/concat: tensor 1 has shape \[2,2\], expected \[\*,3\]/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/tensor: shape \[2,2\] needs 4 values, got 3/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 2] })).toThrow(/tensor: shape \[2,2\] needs 4 values, got a typed array of length 5/);
  });

  it('mm takes matrices only and dot vectors only, with PyTorch\'s errors (they used to be matmul)', () => {
    // Each of these ran as matmul before: a vector or batch handed to mm, or a matrix to dot,
    // gave a result of another shape instead of PyTorch's error.
    const v3 = tensor([1, 2, 3]);
    expect(() => x23().mm(v3)).toThrow('mm: mat2 must be a matrix, got shape [3]');
    expect(() => v3.mm(x23().t())).toThrow('mm: self must be a matrix, got shape [3]');
    expect(() => zeros([4, 2, 3]).mm(zeros([3, 2]))).toThrow('mm: self must be a matrix, got shape [4,2,3]');
    expect(() => mm(x23(), zeros([2, 3, 2]))).toThrow('mm: mat2 must be a matrix, got shape [2,3,2]');
    expect(() => x23().mm(x23())).toThrow('mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
    expect(() => mm(arange(6).reshape(2, 3), ones([3, 1]))).toThrow(/^mm: expected input of dtype float32, got int32 \(shape \[2,3\]\)/);
    expect(() => x23().dot(v3)).toThrow('dot: 1D tensors expected, but got 2D and 1D tensors (shapes [2,3] and [3]');
    expect(() => v3.dot(x23())).toThrow('dot: 1D tensors expected, but got 1D and 2D tensors');
    expect(() => dot(tensor(2), v3)).toThrow('dot: 1D tensors expected, but got 0D and 1D tensors');
    expect(() => v3.dot(tensor([1, 2]))).toThrow('dot: inconsistent tensor size, expected tensor [3] and src [2] to have the same number of elements, but got 3 and 2 elements respectively');
    expect(() => dot(v3, arange(3))).toThrow(/^dot: expected other of dtype float32, got int32/);
    // The right shapes give PyTorch's results: a 0-d dot, an [M, N] mm.
    const d = v3.dot(tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
    expect(dot(v3, v3).item()).toBe(14);
    expect(x23().mm(x23().t()).toArray()).toEqual([[14, 32], [32, 77]]);
    expect(mm(x23().t(), x23()).shape).toEqual([3, 3]);
  });

  it('ragged or non-numeric nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array: expected length 2 at \[1\], got 1 \(inferred shape \[2,2\]\)/);
    expect(() => tensor([[1, 2], 3] as any)).toThrow(/tensor: ragged nested array: expected length 2 at \[1\], got number/);
    expect(() => tensor([[1, [2]]] as any)).toThrow(/ragged nested array: element at \[0,1\] is an array/);
    expect(() => tensor([['a']] as any)).toThrow(/tensor: element at \[0,0\] is string, expected a number/);
  });

  it('wrong dtypes', () => {
    const x = x23();
    expect(() => x.indexSelect(0, tensor([0, 1]))).toThrow(/indexSelect: index must be an int32 tensor, got float32/);
    expect(() => x.gather(1, tensor([[0], [1]]))).toThrow(/gather: index must be an int32 tensor, got float32/);
    expect(() => arange(3).softmax()).toThrow(/softmax: expected input of dtype float32, got int32 \(shape \[3\]\); call \.float\(\) first/);
    expect(() => matmul(arange(3), arange(3))).toThrow(/matmul: expected input of dtype float32, got int32 \(shape \[3\]\)/);
    expect(() => (x as any).add('1')).toThrow(/add: expected a Tensor or a number, got string/);
  });

  it('out-of-range dims and indices', () => {
    const x = x23();
    expect(() => x.sum(2)).toThrow(/sum: dim 2 out of range for a tensor with 2 dims \(expected -2\.\.1\)/);
    expect(() => x.softmax(-3)).toThrow(/softmax: dim -3 out of range/);
    expect(() => x.transpose(0, 5)).toThrow(/transpose: dim 5 out of range/);
    expect(() => x.unsqueeze(4)).toThrow(/unsqueeze: dim 4 out of range for a tensor with 3 dims/);
    expect(() => x.permute(0, 0)).toThrow(/permute: dims \[0,0\] repeat a dim/);
    expect(() => x.select(1, 3)).toThrow(/select: index 3 is out of bounds for dim 1 with size 3/);
    expect(() => x.narrow(1, 2, 2)).toThrow(/narrow: start 2 \+ length 2 out of range for dim 1 of size 3/);
    expect(() => x.indexSelect(1, [0, 5])).toThrow(/indexSelect: index 5 at position 1 is out of range for dim 1 of size 3/);
    expect(() => x.gather(1, tensor([[0, 3, 1], [1, 1, 1]], { dtype: 'int32' }))).toThrow(/gather: index 3 is out of range for dim 1 of size 3/);
    expect(() => x.max(2)).toThrow(/max: dim 2 out of range/);
    expect(() => x.sum([0, 0])).toThrow(/sum: dim list \[0,0\] repeats a dim/);
  });

  it('non-finite or negative sizes', () => {
    for (const bad of [NaN, Infinity, -1, 2.5]) {
      expect(() => zeros([2, bad])).toThrow(new RegExp(`zeros: sizes must be non-negative finite integers, got shape \\[2,${bad}\\]`));
    }
    expect(() => rand([Infinity])).toThrow(/rand: sizes must be non-negative finite integers/);
    expect(() => full([-2], 1)).toThrow(/full: sizes/);
    expect(() => arange(0, Infinity)).toThrow(/arange: start 0, end Infinity, step 1 must be finite with step != 0/);
    expect(() => arange(0, 5, 0)).toThrow(/arange: .* step != 0/);
    expect(() => linspace(0, 1, -1)).toThrow(/linspace: steps must be a non-negative integer, got -1/);
    expect(() => zeros([2 ** 16, 2 ** 16])).toThrow(/zeros: shape \[65536,65536\] has 4294967296 elements, more than 2\^31-1/);
  });

  it('using a disposed tensor', () => {
    const x = tensor([1, 2, 3]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.add(1)).toThrow(/tensor of shape \[3\] was disposed/);
    expect(() => x.data()).toThrow(/was disposed/);
    expect(() => x.sum()).toThrow(/was disposed/);
    expect(() => x.transpose(0, 0)).not.toThrow(); // a no-op view returns the tensor itself
    // A view keeps the storage alive after its base is disposed.
    const base = tensor([[1, 2], [3, 4]]);
    const v = base.transpose(0, 1);
    base.dispose();
    expect(v.toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it('clamp without bounds', () => {
    expect(() => tensor([1]).clamp()).toThrow(/clamp: at least one of min or max must be given/);
  });
});

// Runtime check that the exported class is the one the factories build.
it('factories build Tensor instances', () => {
  expect(tensor([1])).toBeInstanceOf(Tensor);
  expectClose(tensor([1, 2]), [1, 2]);
});
