// Memory discipline: every layer type's training loop, written PyTorch-style with no dispose()
// or tidy() anywhere, runs in flat memory over thousands of steps; disposed tensors fail loudly
// when used; and backendInfo()'s accounting equals the storage of the live tensors.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  init, backendInfo, manualSeed, randn, rand, randint, tensor, tidy, nn, optim, data, rbm, type Tensor,
} from '../../src/index.js';
import { sizeClass } from '../../src/runtime/allocator.js';
import { scopes } from '../../src/lifetime.js';

beforeAll(async () => { await init(); });

const F = nn.functional;
const mem = () => backendInfo().memory;

interface LoopReport { steps: number; warmup: number; afterWarmup: number; peak: number; final: number; blocks: number }

/**
 * Runs `step` `steps` times and samples memory in use after each one. Flat means: after the
 * warm-up (optimizer state, allocator size classes, the step generations filling up), no sample
 * exceeds the highest one seen in the first window after warm-up, and live blocks stay put too.
 */
function runLoop(name: string, steps: number, step: (i: number) => void, warmup = 50, window = 50): LoopReport {
  const inUse: number[] = [], blocks: number[] = [];
  for (let i = 0; i < steps; i++) {
    step(i);
    inUse.push(mem().inUse);
    blocks.push(mem().liveBlocks);
  }
  const settled = Math.max(...inUse.slice(warmup, warmup + window));
  const settledBlocks = Math.max(...blocks.slice(warmup, warmup + window));
  const peak = Math.max(...inUse.slice(warmup));
  const report = { steps, warmup: inUse[warmup - 1], afterWarmup: settled, peak, final: inUse[steps - 1], blocks: Math.max(...blocks.slice(warmup)) };
  console.log(`[leaks] ${name}: ${steps} steps, bytes in use after warm-up ${settled}, peak over the rest ${peak}, ` +
    `final ${report.final}; live blocks ${settledBlocks} -> max ${report.blocks}`);
  expect(peak, `${name}: memory in use grew after warm-up`).toBe(settled);
  expect(report.blocks, `${name}: live blocks grew after warm-up`).toBe(settledBlocks);
  return report;
}

/** A small classification dataset (features, int32 labels) iterated by a shuffling DataLoader, forever. */
function batches(x: Tensor, y: Tensor, batchSize: number): () => Tensor[] {
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize, shuffle: true });
  let it = loader[Symbol.iterator]();
  return () => {
    let r = it.next();
    if (r.done) { it = loader[Symbol.iterator](); r = it.next(); }
    return r.value as Tensor[];
  };
}

// One PyTorch-style classification step: no dispose(), and the loss read back like a real loop would.
function classifierStep(model: { forward(x: Tensor): Tensor }, opt: { zeroGrad(): void; step(): void }, next: () => Tensor[]) {
  return () => {
    const [xb, yb] = next();
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xb), yb);
    loss.backward();
    opt.step();
    loss.item();
  };
}

describe('training loops with no manual disposal run in flat memory', () => {
  it('MLP: Linear, BatchNorm1d, ReLU, Dropout with Adam', () => {
    manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 3));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const next = batches(randn([64, 8]), randint(0, 3, [64]), 8);
    runLoop('MLP (Linear/BatchNorm1d/ReLU/Dropout, Adam)', 1500, classifierStep(model, opt, next));
  });

  it('CNN: Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d with SGD + momentum', () => {
    manualSeed(2);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 4, 3), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(4, 3),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const next = batches(randn([32, 1, 8, 8]), randint(0, 3, [32]), 4);
    runLoop('CNN (Conv2d/BatchNorm2d/MaxPool2d/AvgPool2d, SGD momentum)', 800, classifierStep(model, opt, next));
  });

  for (const kind of ['LSTM', 'GRU', 'RNN'] as const) {
    it(`${kind} over a sequence, last step into a Linear head, with RMSprop`, () => {
      manualSeed(3);
      const rnn = kind === 'LSTM' ? new nn.LSTM(4, 8, { batchFirst: true }) : kind === 'GRU' ? new nn.GRU(4, 8, { batchFirst: true }) : new nn.RNN(4, 8, { batchFirst: true });
      const head = new nn.Linear(8, 2);
      const opt = new optim.RMSprop([...rnn.parameters(), ...head.parameters()], { lr: 1e-3 });
      const next = batches(randn([32, 5, 4]), randn([32, 2]), 4);
      runLoop(`${kind} (seq 5, batch 4, RMSprop)`, 600, () => {
        const [xb, yb] = next();
        opt.zeroGrad();
        const [out] = rnn.forward(xb) as [Tensor, unknown];
        const loss = F.mseLoss(head.forward(out.select(1, 4)), yb);
        loss.backward();
        opt.step();
        loss.item();
      });
    });
  }

  it('Embedding (paddingIdx) and LayerNorm into a Linear head, with AdamW', () => {
    manualSeed(5);
    const emb = new nn.Embedding(30, 12, { paddingIdx: 0 }), norm = new nn.LayerNorm(12), head = new nn.Linear(12, 3);
    const opt = new optim.AdamW([...emb.parameters(), ...norm.parameters(), ...head.parameters()], { lr: 1e-3 });
    const next = batches(randint(0, 30, [64, 6]), randint(0, 3, [64]), 8);
    runLoop('Embedding + LayerNorm (token ids [8, 6], AdamW)', 1000, () => {
      const [tokens, yb] = next();
      opt.zeroGrad();
      const loss = F.crossEntropy(head.forward(norm.forward(emb.forward(tokens)).mean(1)), yb);
      loss.backward();
      opt.step();
      loss.item();
    });
  });

  it('RBM: contrastive divergence (CD-1) through RBM.fit, 2,000 updates', () => {
    // fit() is the RBM's training loop. (A hand-written loop of ContrastiveDivergence.step over
    // DataLoader batches never calls backward(), so its batches wait for the garbage collector:
    // see the README, Reliability.)
    manualSeed(4);
    const model = new rbm.RBM(16, 8);
    const visible = rand([64, 16]).gt(0.5).float().keep();
    const samples: number[] = [];
    model.fit(visible, { epochs: 250, batchSize: 8, lr: 0.05, pseudoLikelihoodSamples: 0, onEpoch: () => { samples.push(mem().inUse); } });
    const settled = samples[10];
    console.log(`[leaks] RBM CD-1 via fit (16 visible, 8 hidden): 250 epochs x 8 batches = 2000 updates, bytes in use after epoch 10 ${settled}, peak over the rest ${Math.max(...samples.slice(10))}, final ${samples[samples.length - 1]}`);
    expect(Math.max(...samples.slice(10))).toBe(settled);
  });
});

describe('use after dispose', () => {
  it('a disposed tensor throws a clear error naming the op and its shape', () => {
    const t = randn([2, 3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.add(1)).toThrow(/tensor of shape \[2,3\] was disposed/);
    expect(() => t.data()).toThrow(/disposed/);
    expect(() => t.matmul(randn([3, 2]))).toThrow(/disposed/);
    expect(() => t.dispose()).not.toThrow(); // disposing twice is harmless
  });

  it('a view of a disposed tensor keeps the storage alive, the disposed tensor itself is dead', () => {
    const t = tensor([1, 2, 3, 4]);
    const v = t.reshape([2, 2]).transpose(0, 1);
    t.dispose();
    expect(v.toArray()).toEqual([[1, 3], [2, 4]]);
    expect(() => t.sum()).toThrow(/disposed/);
  });

  it('an op result held across many backward() calls stays valid: moved out of wasm memory and back', () => {
    const w = randn([4], { requiresGrad: true });
    const mid = w.mul(2);
    const expected = Array.from(mid.data());
    for (let i = 0; i < 5; i++) w.mul(3).sum().backward();
    expect(mid.storage.spilled).toBe(true); // untouched for two generations: its bytes live in JS now
    expect(Array.from(mid.add(1).data())).toEqual(expected.map((v) => Math.fround(v + 1)));
    expect(mid.storage.spilled).toBe(false);
  });

  it('the error for a released tensor names what released it', () => {
    const a = randn([2]);
    a.dispose();
    expect(() => a.add(1)).toThrow(/was disposed by dispose\(\)/);
    let inner!: Tensor;
    tidy(() => { inner = randn([2]).mul(2); });
    expect(() => inner.sum()).toThrow(/was disposed by the end of a tidy\(\) scope/);
    let named!: Tensor;
    tidy('evaluate', () => { named = randn([2]).mul(2); });
    expect(() => named.sum()).toThrow(/was disposed by the end of the tidy\(\) scope 'evaluate'/);
  });

  it('a layer whose parameters were disposed fails on forward', () => {
    const lin = new nn.Linear(3, 2);
    lin.weight.dispose();
    expect(() => lin.forward(randn([1, 3]))).toThrow(/disposed/);
  });
});

describe('backendInfo() accounting', () => {
  // Builds a mix of factories, op results (some sharing storage through views), gradients.
  function makeTensors(): Tensor[] {
    const a = randn([3, 5]);
    const b = a.transpose(0, 1);            // a view: same storage as a
    const c = a.matmul(randn([5, 7]));      // result + a factory input
    const d = c.relu().sum(0);
    const e = tensor([1, 2, 3], { requiresGrad: true });
    e.mul(e).sum().backward();              // e.grad
    const f = randint(0, 9, [100]);
    const g = d.unsqueeze(0).expand([4, 7]); // a view of d
    return [a, b, c, d, e, e.grad!, f, g];
  }

  it('memory in use equals the class-rounded storage of the live tensors, and drops back when they go', () => {
    // Size the GEMM's scratch blocks first, and let two more backward() calls release whatever
    // earlier tests left to the step generations (otherwise the backward() inside makeTensors
    // frees old tensors mid-measurement).
    for (let i = 0; i < 3; i++) tidy(() => { makeTensors(); });
    const before = mem();
    let created: Tensor[] = [];
    tidy(() => {
      // Every tensor created in this scope, intermediates included, is registered with the scope.
      const start = mem();
      created = makeTensors();
      const after = mem();
      const storages = new Set(created.map((t) => t.storage));
      const scope = collectScope();
      for (const t of scope) storages.add(t.storage);
      const live = [...storages].filter((s) => s.refs > 0);
      const bytes = live.reduce((n, s) => n + sizeClass(s.bytes), 0);
      console.log(`[leaks] accounting: ${live.length} live storages, ${bytes} bytes; backendInfo delta ${after.inUse - start.inUse} bytes, ${after.liveBlocks - start.liveBlocks} blocks`);
      expect(after.inUse - start.inUse).toBe(bytes);
      expect(after.liveBlocks - start.liveBlocks).toBe(live.length);
    });
    expect(created.every((t) => t.isDisposed)).toBe(true);
    expect(mem().inUse).toBe(before.inUse);
    expect(mem().liveBlocks).toBe(before.liveBlocks);
  });
});

// The tensors registered in the innermost tidy scope (src/lifetime.ts keeps them in a Set).
function collectScope(): Tensor[] {
  return [...scopes[scopes.length - 1]];
}
