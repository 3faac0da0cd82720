// Datasets, DataLoader batching and shuffling, randomSplit, and the three gradient-descent modes.
import { beforeAll, describe, expect, it } from 'vitest';
import { gens } from '../../src/lifetime.js';
import { init, tensor, arange, randn, rand, zeros, manualSeed, getRngState, backendInfo, data, optim, type Tensor } from '../../src/index.js';

beforeAll(async () => { await init(); });

const { Dataset, TensorDataset, DataLoader, Subset, randomSplit } = data;

/** x[i] = [i, 10 i, 100 i] (float32), y[i] = i (int32): every row says which sample it is. */
function indexed(n: number) {
  const x = tensor(Float32Array.from({ length: n * 3 }, (_, k) => Math.floor(k / 3) * 10 ** (k % 3)), { shape: [n, 3] });
  const y = arange(0, n, 1, { dtype: 'int32' });
  return { x, y, ds: new TensorDataset(x, y) };
}
const ids = (t: Tensor) => Array.from(t.data());
const epochOrder = (loader: Iterable<Tensor[]>) => { const out: number[] = []; for (const [, yb] of loader) out.push(...ids(yb)); return out; };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('TensorDataset', () => {
  it('indexes aligned tensors along dim 0', () => {
    const { ds } = indexed(5);
    expect(ds.length).toBe(5);
    const [x3, y3] = ds.get(3);
    expect(x3.shape).toEqual([3]);
    expect(ids(x3)).toEqual([3, 30, 300]);
    expect(y3.item()).toBe(3);
    expect(() => ds.get(5)).toThrow('TensorDataset.get: index 5 is out of range for a dataset of length 5');
  });

  it('rejects tensors with different first dimensions, naming the sizes', () => {
    expect(() => new TensorDataset(zeros([4, 2]), zeros([5]))).toThrow(
      'TensorDataset: size mismatch between tensors: tensor 0 has 4 samples (shape [4,2]) but tensor 1 has 5 (shape [5]); all first dimensions must match');
    expect(() => new TensorDataset()).toThrow('TensorDataset: expected at least one tensor');
    expect(() => new TensorDataset(tensor(1))).toThrow(/TensorDataset: tensor 0 is 0-d/);
  });
});

describe('DataLoader', () => {
  it('batches in order, with a smaller last batch unless dropLast', () => {
    const { ds } = indexed(10);
    const loader = new DataLoader(ds, { batchSize: 3 });
    expect(loader.length).toBe(4);
    const batches = [...loader];
    expect(batches.length).toBe(4);
    expect(batches.map(([xb, yb]) => [xb.shape, yb.shape])).toEqual([[[3, 3], [3]], [[3, 3], [3]], [[3, 3], [3]], [[1, 3], [1]]]);
    expect(batches.map(([, yb]) => ids(yb))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(ids(batches[3][0])).toEqual([9, 90, 900]);
    expect(batches[0][1].dtype).toBe('int32');

    const dropped = new DataLoader(ds, { batchSize: 3, dropLast: true });
    expect(dropped.length).toBe(3);
    expect([...dropped].map(([xb]) => xb.shape[0])).toEqual([3, 3, 3]);
    expect(new DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
    expect(new DataLoader(ds, { batchSize: 11, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(ds, { batchSize: 11, dropLast: true })]).toEqual([]);
    expect(new DataLoader(ds).length).toBe(10); // batchSize defaults to 1
  });

  it('gathers TensorDataset batches without per-sample get() calls', () => {
    class NoSampleAccess extends TensorDataset {
      override get(): Tensor[] { throw new Error('per-sample path used'); }
    }
    const { x, y } = indexed(7);
    const loader = new DataLoader(new NoSampleAccess(x, y), { batchSize: 4, shuffle: true, seed: 1 });
    expect(epochOrder(loader).sort((a, b) => a - b)).toEqual(range(7));
  });

  it('shuffles each epoch into a permutation of the dataset', () => {
    const { ds } = indexed(50);
    const loader = new DataLoader(ds, { batchSize: 8, shuffle: true });
    const e1 = epochOrder(loader), e2 = epochOrder(loader);
    for (const e of [e1, e2]) expect(e.slice().sort((a, b) => a - b)).toEqual(range(50));
    expect(e1).not.toEqual(range(50));
    expect(e1).not.toEqual(e2);
    // Rows stay aligned across tensors: x row i is [i, 10 i, 100 i].
    for (const [xb, yb] of loader) {
      const xs = ids(xb), ys = ids(yb);
      ys.forEach((i, r) => expect(xs.slice(3 * r, 3 * r + 3)).toEqual([i, 10 * i, 100 * i]));
    }
  });

  it('with a seed, reproduces the same sequence of epoch orders regardless of other random draws', () => {
    const { ds } = indexed(40);
    const a = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 123 });
    const b = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 123 });
    const seqA = [epochOrder(a), epochOrder(a), epochOrder(a)];
    randn([1000]); // draws from the global generator must not matter
    manualSeed(99);
    const seqB = [epochOrder(b), epochOrder(b), epochOrder(b)];
    expect(seqB).toEqual(seqA);
    expect(seqA[0]).not.toEqual(seqA[1]);
    expect(epochOrder(new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 124 }))).not.toEqual(seqA[0]);
    // ...and seeded shuffling leaves the global generator where it was.
    manualSeed(5);
    const before = getRngState();
    epochOrder(new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 123 }));
    expect(getRngState()).toEqual(before);
  });

  it('without a seed, shuffles from the global generator (manualSeed makes it repeatable)', () => {
    const { ds } = indexed(30);
    manualSeed(7);
    const first = epochOrder(new DataLoader(ds, { batchSize: 4, shuffle: true }));
    manualSeed(7);
    const again = epochOrder(new DataLoader(ds, { batchSize: 4, shuffle: true }));
    expect(again).toEqual(first);
  });

  it('collates samples of a generic Dataset (tensors, numbers, arrays, objects) or with a custom collate', () => {
    class Squares extends Dataset<{ x: Tensor; label: number; w: number }> {
      get length() { return 5; }
      get(i: number) { this.checkIndex(i, 'Squares.get'); return { x: tensor([i, i * i]), label: i % 2, w: i + 0.5 }; }
    }
    const batches = [...new DataLoader<any>(new Squares(), { batchSize: 2 })];
    expect(batches.length).toBe(3);
    expect(batches[1].x.shape).toEqual([2, 2]);
    expect(ids(batches[1].x)).toEqual([2, 4, 3, 9]);
    expect(batches[1].label.dtype).toBe('int32');
    expect(ids(batches[1].label)).toEqual([0, 1]);
    expect(batches[1].w.dtype).toBe('float32');
    expect(ids(batches[2].w)).toEqual([4.5]);

    const sums = [...new DataLoader(new Squares(), { batchSize: 3, collate: (s) => s.reduce((a, v) => a + v.label, 0) })];
    expect(sums).toEqual([1, 1]);
    const tuples = [...new DataLoader<any>(new Squares(), { batchSize: 5, collate: undefined })];
    expect(tuples[0].x.shape).toEqual([5, 2]);
  });

  it('rejects bad options', () => {
    const { ds } = indexed(4);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow('DataLoader: batchSize must be a positive integer, got 2.5');
    expect(() => new DataLoader(ds, { seed: 1.5 })).toThrow('DataLoader: seed must be an integer, got 1.5');
    expect(() => new DataLoader(ds, { collate: 3 as any })).toThrow('DataLoader: collate must be a function');
    expect(() => new DataLoader({} as any)).toThrow(/DataLoader: expected a Dataset/);
    class Strings extends Dataset<string> { get length() { return 2; } get(i: number) { return `s${i}`; } }
    expect(() => [...new DataLoader(new Strings(), { batchSize: 2 })]).toThrow(/default collate cannot batch samples of type string; pass \{ collate \}/);
  });
});

describe('Subset and randomSplit', () => {
  it('Subset maps positions through its indices, also in DataLoader batches', () => {
    const { ds } = indexed(10);
    const sub = new Subset(ds, [7, 2, 9]);
    expect(sub.length).toBe(3);
    expect(ids(sub.get(1)[1])).toEqual([2]);
    expect(epochOrder(new DataLoader(sub, { batchSize: 2 }))).toEqual([7, 2, 9]);
    expect(() => new Subset(ds, [3, 10])).toThrow('Subset: index 10 at position 1 is out of range for a dataset of length 10');
  });

  it('splits by lengths into disjoint subsets covering the dataset', () => {
    const { ds } = indexed(20);
    const parts = randomSplit(ds, [12, 5, 3], { seed: 0 });
    expect(parts.map((p) => p.length)).toEqual([12, 5, 3]);
    const all = parts.flatMap((p) => Array.from(p.indices));
    expect(new Set(all).size).toBe(20);
    expect(all.slice().sort((a, b) => a - b)).toEqual(range(20));
    expect(all).not.toEqual(range(20));
    const again = randomSplit(ds, [12, 5, 3], { seed: 0 });
    expect(again.map((p) => Array.from(p.indices))).toEqual(parts.map((p) => Array.from(p.indices)));
    expect(Array.from(randomSplit(ds, [12, 5, 3], { seed: 1 })[0].indices)).not.toEqual(Array.from(parts[0].indices));
    // A split's batches are the dataset's rows at its indices.
    expect(epochOrder(new DataLoader(parts[1], { batchSize: 5 }))).toEqual(Array.from(parts[1].indices));
  });

  it('splits by fractions, giving leftovers one at a time to the first splits (like PyTorch)', () => {
    const { ds } = indexed(11);
    expect(randomSplit(ds, [0.7, 0.2, 0.1], { seed: 3 }).map((p) => p.length)).toEqual([8, 2, 1]);
    expect(randomSplit(ds, [0.5, 0.5]).map((p) => p.length)).toEqual([6, 5]);
  });

  it('rejects lengths that do not add up', () => {
    const { ds } = indexed(10);
    expect(() => randomSplit(ds, [5, 4])).toThrow('randomSplit: the lengths [5,4] sum to 9, but the dataset has 10 samples');
    expect(() => randomSplit(ds, [0.5, -0.5, 1])).toThrow('randomSplit: fraction -0.5 at index 1 is not between 0 and 1');
    expect(() => randomSplit(ds, [2.5, 7.5])).toThrow(/randomSplit: length 2.5 at index 0 must be a non-negative integer/);
    expect(() => randomSplit(ds, [])).toThrow('randomSplit: lengths must be a non-empty array');
  });
});

describe('batch, stochastic and mini-batch gradient descent', () => {
  // Linear regression y = X w* with 24 samples; each mode is a DataLoader batch size.
  const n = 24;
  function problem() {
    manualSeed(11);
    const X = randn([n, 3]);
    const wTrue = tensor([[1.5], [-2], [0.5]]);
    const Y = X.matmul(wTrue).add(rand([n, 1]).mul(0.01));
    return { X, Y, ds: new TensorDataset(X, Y) };
  }
  function train(batchSize: number, epochs: number, lr: number) {
    const { X, Y, ds } = problem();
    const w = zeros([3, 1], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr });
    const loader = new DataLoader(ds, { batchSize, shuffle: true, seed: 0 });
    let steps = 0;
    for (let e = 0; e < epochs; e++) {
      for (const [xb, yb] of loader) {
        opt.zeroGrad();
        xb.matmul(w).sub(yb).square().mean().backward();
        opt.step();
        steps++;
      }
    }
    const loss = X.matmul(w).sub(Y).square().mean().item();
    return { w, steps, loss };
  }

  it('batch gradient descent (batchSize = dataset.length) takes one exact full-gradient step per epoch', () => {
    const one = train(n, 1, 0.1);
    expect(one.steps).toBe(1);
    // The same step by hand: w = -lr * d/dw mean((Xw - Y)^2) at w = 0, i.e. lr * 2/n * X^T Y.
    const { X, Y } = problem();
    const expected = X.t().matmul(Y).mul(0.1 * 2 / n);
    const got = ids(one.w), want = ids(expected);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(train(n, 60, 0.1).loss).toBeLessThan(1e-3);
  });

  it('stochastic gradient descent (batchSize = 1) takes one step per sample', () => {
    const r = train(1, 10, 0.05);
    expect(r.steps).toBe(10 * n);
    expect(r.loss).toBeLessThan(1e-3);
  });

  it('mini-batch gradient descent (batchSize = 5) takes ceil(n / 5) steps per epoch', () => {
    const r = train(5, 20, 0.1);
    expect(r.steps).toBe(20 * Math.ceil(n / 5));
    expect(r.loss).toBeLessThan(1e-3);
  });

  it('a shuffled DataLoader training loop runs in flat memory without any dispose calls', () => {
    const { ds } = problem();
    const w = zeros([3, 1], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.01 });
    const loader = new DataLoader(ds, { batchSize: 5, shuffle: true });
    const inUse: number[] = [];
    for (let e = 0; e < 12; e++) {
      for (const [xb, yb] of loader) {
        opt.zeroGrad();
        xb.matmul(w).sub(yb).square().mean().backward();
        opt.step();
      }
      inUse.push(backendInfo().memory.inUse);
    }
    expect(new Set(inUse.slice(2)).size).toBe(1);
  });
});

describe('DataLoader batch lifetimes', () => {
  it('loops that never call backward() (inference, RBM training) run in flat memory', () => {
    const x = rand([512, 64]), y = arange(0, 512, 1, { dtype: 'int32' });
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 1 });
    const inUse: number[] = [];
    let checksum = 0;
    // No tidy, no dispose: the batches and results the loop drops move out of wasm memory once
    // untouched for two generations (generations end every MiB or so of new tensors here).
    for (let epoch = 0; epoch < 120; epoch++) {
      for (const [xb] of loader) checksum += xb.mul(2).sum().item();
      inUse.push(backendInfo().memory.inUse);
    }
    const window = (from: number) => Math.max(...inUse.slice(from, from + 30));
    console.log(`no-backward loop over ${120 * 16} batches: max bytes in use per 30 epochs ${[0, 30, 60, 90].map(window).join(' ')}`);
    expect(Number.isFinite(checksum)).toBe(true);
    expect(window(90)).toBeLessThanOrEqual(window(30));
  });

  // Generations end at each backward() or every MiB of new tensors; here they are ended directly.
  const settle = () => { for (let i = 0; i < 3; i++) gens.boundary(0); };

  it('a dropped batch leaves wasm memory without a copy and is rebuilt from the dataset when used again', () => {
    const x = rand([40, 6]), y = arange(0, 40, 1, { dtype: 'int32' });
    const [xb, yb] = [...new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8, shuffle: true, seed: 3 })][1];
    const xv = Array.from(xb.data()), yv = Array.from(yb.data());
    x.add(0); y.add(0); // the dataset stays in use; the batch does not
    settle();
    expect(xb.storage.spilled && yb.storage.spilled).toBe(true);
    expect([(xb.storage as any).moved, (yb.storage as any).moved]).toEqual([null, null]); // no copy was made
    expect(Array.from(xb.data())).toEqual(xv);
    expect(Array.from(yb.data())).toEqual(yv);
  });

  it('a moved-out batch keeps its values when the dataset is then changed in place or disposed', () => {
    const x = rand([40, 6]);
    const batches = [...new data.DataLoader(new data.TensorDataset(x), { batchSize: 8, shuffle: true, seed: 4 })].map(([b]) => b);
    const before = batches.map((b) => Array.from(b.data()));
    x.add(0);
    settle();
    expect(batches.every((b) => b.storage.spilled)).toBe(true);
    x.mulScalar_(-1);                         // the dataset changes after the batches moved out
    expect(Array.from(batches[0].data())).toEqual(before[0]);
    x.fill_(7);
    x.dispose();                              // and goes
    batches.forEach((b, i) => expect(Array.from(b.data())).toEqual(before[i]));
  });

  it('a batch changed in place is copied out, not rebuilt from the dataset', () => {
    const x = rand([16, 4]);
    const [[xb]] = [...new data.DataLoader(new data.TensorDataset(x), { batchSize: 4 })];
    xb.mulScalar_(2);
    const v = Array.from(xb.data());
    x.add(0);
    settle();
    expect(xb.storage.spilled).toBe(true);
    expect(Array.from(xb.data())).toEqual(v);
  });

  it('batches that were only collected stay valid', () => {
    const x = rand([10, 3]), y = arange(0, 10, 1, { dtype: 'int32' });
    const batches = [...new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 2 })];
    expect(batches.map(([, yb]) => Array.from(yb.data()))).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
  });
});
