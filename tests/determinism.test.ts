// Determinism in one process: the same seed gives bit-identical training losses (MLP, CNN, LSTM),
// DataLoader shuffles reproduce, and GEMMs split across worker threads give exactly the losses of
// one thread. (Across runtimes: tests/runtimes.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import {
  init, backendInfo, getNumThreads, setNumThreads, manualSeed, arange, randn, randint, nn, optim, data, type Tensor,
} from '../src/index.js';

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
