// Determinism in one process: the same seed gives bit-identical training losses (MLP, CNN, LSTM),
// DataLoader shuffles reproduce, and GEMMs split across worker threads give exactly the losses of
// one thread. (Across runtimes: tests/runtimes/runtimes.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import {
  init, backendInfo, getNumThreads, setNumThreads, manualSeed, arange, randn, randint, nn, optim, data, type Tensor,
} from '../../src/index.js';

beforeAll(async () => { await init(); });

const F = nn.functional;

/** Losses of `steps` Adam steps on a model and data built right after manualSeed(seed). */
function train(seed: number, steps: number, make: () => { model: nn.Module; x: Tensor; y: Tensor; loss: (out: Tensor, y: Tensor) => Tensor; forward: (x: Tensor) => Tensor }): number[] {
  manualSeed(seed);
  const { model, x, y, loss, forward } = make();
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const l = loss(forward(x), y);
    l.backward();
    opt.step();
    losses.push(l.item());
  }
  return losses;
}

const mlp = () => {
  const model = new nn.Sequential(new nn.Linear(20, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 4));
  return { model, x: randn([16, 20]), y: randint(0, 4, [16]), loss: F.crossEntropy, forward: (x: Tensor) => model.forward(x) };
};
const cnn = () => {
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(64, 3));
  return { model, x: randn([8, 1, 8, 8]), y: randint(0, 3, [8]), loss: F.crossEntropy, forward: (x: Tensor) => model.forward(x) };
};
const lstm = () => {
  const rnn = new nn.LSTM(6, 12, { batchFirst: true }), head = new nn.Linear(12, 1);
  const model = new nn.ModuleList([rnn, head]);
  return { model, x: randn([4, 7, 6]), y: randn([4, 1]), loss: F.mseLoss, forward: (x: Tensor) => head.forward((rnn.forward(x)[0] as Tensor).select(1, 6)) };
};

describe('same seed, same losses', () => {
  for (const [name, make] of [['MLP with dropout', mlp], ['CNN with batch norm', cnn], ['LSTM', lstm]] as const) {
    it(`${name}: two runs give bit-identical losses; another seed differs`, () => {
      const a = train(7, 6, make), b = train(7, 6, make), c = train(8, 6, make);
      console.log(`[determinism] ${name}: losses ${a.map((v) => v.toPrecision(8)).join(', ')}`);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(b).toEqual(a); // toEqual on numbers is Object.is: bit-identical
      expect(c).not.toEqual(a);
    });
  }
});

describe('DataLoader shuffling reproduces', () => {
  const orders = (loader: data.DataLoader<Tensor[]>, epochs: number): number[][] => {
    const out: number[][] = [];
    for (let e = 0; e < epochs; e++) {
      const ids: number[] = [];
      for (const [, idx] of loader) ids.push(...Array.from(idx.data()));
      out.push(ids);
    }
    return out;
  };
  // The second tensor is each sample's id, so a loader's batches spell out its order.
  const ids = () => new data.TensorDataset(randn([50, 3]), arange(50).int());

  it('with a seed option: identical per-epoch orders, whatever else draws from the generator', () => {
    const ds = ids();
    const a = orders(new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 123 }), 3);
    randn([100]); // unrelated draws in between
    const b = orders(new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 123 }), 3);
    expect(b).toEqual(a);
    expect(a[0]).not.toEqual(a[1]); // epochs reshuffle
    expect([...a[0]].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('without a seed: manualSeed before iterating reproduces the orders', () => {
    const ds = ids();
    manualSeed(99);
    const a = orders(new data.DataLoader(ds, { batchSize: 8, shuffle: true }), 2);
    manualSeed(99);
    const b = orders(new data.DataLoader(ds, { batchSize: 8, shuffle: true }), 2);
    expect(b).toEqual(a);
  });
});

describe('threads', () => {
  it('training with GEMMs split over 2 threads gives exactly the single-thread losses', () => {
    const info = backendInfo();
    console.log(`[determinism] backend: ${info.simd} SIMD, ${info.threads} threads`);
    if (info.threads < 2) {
      // init() starts a pool of all cores in Node; with one core there is nothing to compare.
      console.log('[determinism] only one thread available: threaded comparison not applicable');
      return;
    }
    // 64 x 512 x 1024 = 2^25 multiply-adds per forward GEMM, far above the 2^21 split threshold.
    const wide = () => {
      const model = new nn.Sequential(new nn.Linear(512, 1024), new nn.ReLU(), new nn.Linear(1024, 10));
      return { model, x: randn([64, 512]), y: randint(0, 10, [64]), loss: F.crossEntropy, forward: (x: Tensor) => model.forward(x) };
    };
    const max = getNumThreads();
    setNumThreads(1);
    const one = train(11, 4, wide);
    setNumThreads(2);
    const two = train(11, 4, wide);
    setNumThreads(max);
    console.log(`[determinism] 1 thread: ${one.map((v) => v.toPrecision(9)).join(', ')}; 2 threads: ${two.map((v) => v.toPrecision(9)).join(', ')}`);
    expect(two).toEqual(one);
  });
});

describe('every threaded kernel reproduces one thread bit for bit', () => {
  const F2 = nn.functional;
  /** Runs `make` (from the same seed) on 1 and on 2 threads and returns both results' values. */
  const both = (make: () => Tensor[]): [number[][], number[][]] => {
    const max = getNumThreads();
    const run = (t: number) => { setNumThreads(t); manualSeed(5); return make().map((r) => Array.from(r.data() as Float32Array | Int32Array)); };
    const one = run(1), two = run(2);
    setNumThreads(max);
    return [one, two];
  };
  const check = (name: string, make: () => Tensor[]) => it(name, () => {
    if (backendInfo().threads < 2) { console.log('[determinism] only one thread: not applicable'); return; }
    const [one, two] = both(make);
    expect(one.length).toBeGreaterThan(0);
    // A summary per result, not the arrays themselves (a diff of 100k numbers takes minutes to print).
    const diffs = one.map((a, i) => {
      const b = two[i];
      const bad = a.findIndex((v, j) => !Object.is(v, b[j]));
      return a.length === 0 ? `result ${i} is empty` : a.length !== b.length ? `result ${i}: ${a.length} vs ${b.length} values`
        : bad < 0 ? 'same' : `result ${i}: first difference at ${bad}: ${a[bad]} vs ${b[bad]}`;
    });
    expect(diffs).toEqual(one.map(() => 'same'));
  });
  /** Gradients of x and of each extra leaf from sum(f(x) * r) (a random weighting, so dx is not constant). */
  const grads = (f: (x: Tensor) => Tensor, shape: number[], ...leaves: Tensor[]) => {
    const x = randn(shape).requiresGrad_();
    const y = f(x).keep(); // held across the next backward() of the same check
    y.mul(randn(y.shape)).sum().backward();
    return [y, x.grad!, ...leaves.map((l) => l.grad!)];
  };

  check('matmul split by rows and by columns, sizes off the tile grid', () => [
    randn([301, 257]).matmul(randn([257, 283])), // rows
    randn([13, 700]).matmul(randn([700, 611])), // short and wide: columns
  ]);
  check('linear with bias and fused activation, forward and backward (column and row splits)', () => {
    const w = randn([130, 300]).requiresGrad_(), b = randn([130]).requiresGrad_();
    return grads((x) => F2.linear(x, w, b).relu(), [70, 300], w, b);
  });
  check('elementwise maps and their derivatives (200,003 elements)', () => grads((x) => F2.gelu(x).tanh().mul(3), [200003]));
  check('softmax / log-softmax over rows, forward and backward', () => [
    ...grads((x) => F2.softmax(x, 1), [3001, 40]), ...grads((x) => F2.logSoftmax(x, 1), [3001, 40]),
  ]);
  check('gathering rows (a DataLoader batch) and its gradient', () => {
    const idx = randint(0, 3000, [257]);
    return grads((x) => x.indexSelect(0, idx), [3000, 129]);
  });
  check('sums over an inner dim', () => [randn([5003, 30]).sum(1), randn([700, 33, 9]).sum(1)]);
  check('conv2d + max/avg pooling, forward and backward', () => {
    const w = randn([8, 3, 3, 3]).requiresGrad_(), b = randn([8]).requiresGrad_();
    return [
      ...grads((x) => F2.maxPool2d(F2.conv2d(x, w, b, { padding: 1 }), 2), [12, 3, 30, 30], w, b),
      // the fused activation's backward gathers dY with act' (split by channels, like the NCHW scatter)
      ...grads((x) => F2.conv2d(x, w, b, { padding: 1, activation: 'relu' }), [12, 3, 30, 30], w, b),
      ...grads((x) => F2.avgPool2d(x, 3, { stride: 2, padding: 1 }), [9, 16, 31, 29]),
    ];
  });
  check('depthwise conv2d (groups = channels), forward and backward, split by channels', () => {
    const w = randn([24, 1, 3, 3]).requiresGrad_(), b = randn([24]).requiresGrad_();
    return grads((x) => F2.conv2d(x, w, b, { padding: 1, groups: 24 }), [16, 24, 20, 20], w, b);
  });
  check('LSTM with the packed recurrent weight split by batch rows (32 x 512 x 128 per step), forward and backward', () => {
    const lstm = new nn.LSTM(16, 128);
    const out = grads((x) => lstm.forward(x)[0] as Tensor, [5, 32, 16]);
    return [...out, ...lstm.parameters().map((p) => p.grad!)];
  });
  check('optimizer updates (SGD momentum, Adam, RMSprop, Adagrad) on a 300x400 weight', () => {
    const out: Tensor[] = [];
    for (const make of [
      (p: Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
      (p: Tensor[]) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
      (p: Tensor[]) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 }),
      (p: Tensor[]) => new optim.Adagrad(p, { lr: 0.1 }),
    ]) {
      const p = randn([300, 400]).requiresGrad_();
      const opt = make([p]);
      for (let i = 0; i < 3; i++) { opt.zeroGrad(); p.mul(randn([300, 400])).square().sum().backward(); opt.step(); }
      out.push(p);
    }
    return out;
  });
});
