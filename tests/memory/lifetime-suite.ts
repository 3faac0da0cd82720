// Tensor lifetimes (issue 14): programs written the way a PyTorch user writes them, with no keep(),
// dispose() or tidy() anywhere, must (a) never find a tensor they still hold released ("was
// disposed" may only follow the user's own dispose(), the end of a tidy() scope or of a `using`
// declaration) and (b) still run training and inference loops in flat wasm memory.
//
// Run once per wasm build (tests/builds.ts) by tests/memory/lifetimes.builds.test.ts. Only the public API is used.
//
// The patterns are the issue's "What must work" list, numbered the same way. Item 10 ("the
// existing leak tests, per layer type, stay exactly as strict") has no test here: it is
// tests/memory/leaks.test.ts itself, which must keep requiring bytes in use to stay exactly flat.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { mulberry32 } from '../../src/data/seeded-random.js';

type Tensor = wg.Tensor;
const { nn, optim, data } = wg;
const F = nn.functional;

// ---------------------------------------------------------------------------------------------
// Memory flatness

export interface FlatOptions {
  /** Samples (iterations) ignored at the start: optimizer state, allocator size classes, caches. */
  warmup: number;
  /** Samples per window. Long enough to span several "generations" or release batches. */
  window: number;
}

/**
 * Samples `backendInfo().memory` once per iteration (`sample()`) and checks that memory stays flat
 * after the warm-up:
 *  - the maximum of `inUse` over every later window is within 1% of the maximum over the first
 *    window after the warm-up (window maxima, not single points: the library may hold the results
 *    of the last steps, or release dropped results in batches every few MB);
 *  - `wasmBytes` never grows past its size at the end of that first window.
 * The first sample past either limit throws at once (so a leaking loop stops early instead of
 * running into the memory limit), with every number in the message; `done()` checks again and logs
 * the numbers with a `[lifetimes]` prefix.
 */
export function flatMemory(name: string, { warmup, window }: FlatOptions) {
  const inUse: number[] = [], wasm: number[] = [], blocks: number[] = [];
  let movedOut: number | undefined;
  let limit = Infinity, wasmRef = Infinity;   // set once the first window after warm-up is complete
  // Memory outside wasm (typed arrays in the JS heap, e.g. values a library moved out of wasm memory):
  // logged for information, not part of the check.
  const jsArrayBytes = () => (typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().arrayBuffers : NaN);
  let jsAtWarmup = NaN;
  const maxOf = (a: number[], from: number, to: number) => {
    let m = -Infinity;
    for (let i = from; i < Math.min(to, a.length); i++) if (a[i] > m) m = a[i];
    return m;
  };
  const mib = (b: number) => (b / 2 ** 20).toFixed(3);

  function check(final: boolean): void {
    const n = inUse.length;
    if (n < warmup + window + 1) {
      throw new Error(`${name}: only ${n} samples; the flatness check needs more than warm-up ${warmup} + one window ${window}`);
    }
    const windows: number[] = [];   // a trailing partial window counts: its max can only grow
    for (let s = warmup; s < n; s += window) windows.push(maxOf(inUse, s, s + window));
    const base = windows[0];
    const worst = Math.max(...windows.slice(1));
    const worstAt = windows.indexOf(worst, 1);
    const wasmLater = maxOf(wasm, warmup + window, n);
    const blocksRef = maxOf(blocks, warmup, warmup + window), blocksLater = maxOf(blocks, warmup + window, n);
    const numbers =
      `${n} iterations${final ? '' : ' (stopped early)'}, warm-up ${warmup}, windows of ${window}; max bytes in use per window ` +
      `after warm-up (MiB): [${windows.map(mib).join(', ')}]; first window ${base} B, worst later window ${worst} B ` +
      `(${((worst / base - 1) * 100).toFixed(2)}%, limit +1% = ${Math.floor(limit)} B); wasmBytes ${wasm[warmup - 1]} at end of ` +
      `warm-up, ${wasmRef} after the first window, max later ${wasmLater}; live blocks max ${blocksRef} in the first window, ` +
      `${blocksLater} later; net change from the end of warm-up to the last sample ${inUse[n - 1] - inUse[warmup - 1]} B ` +
      `(${((inUse[n - 1] - inUse[warmup - 1]) / (n - warmup)).toFixed(1)} B/iteration); peakInUse ${wg.backendInfo().memory.peakInUse}` +
      (movedOut !== undefined ? `; movedOut now ${movedOut} B` : '') +
      `; outside wasm (not checked): JS arrayBuffers ${mib(jsAtWarmup)} MiB at end of warm-up, ${mib(jsArrayBytes())} MiB now`;
    const ok = worst <= limit && wasmLater <= wasmRef;
    if (final || !ok) console.log(`[lifetimes] ${name}: ${numbers}${ok ? '' : '  <-- NOT FLAT'}`);
    expect(worst, `${name}: bytes in use grew after warm-up: window ${worstAt} after warm-up peaked at ${worst} B, ` +
      `more than 1% over the first window's peak ${base} B. ${numbers}`).toBeLessThanOrEqual(limit);
    expect(wasmLater, `${name}: wasm memory grew after warm-up. ${numbers}`).toBeLessThanOrEqual(wasmRef);
  }

  return {
    /** Call once per iteration. */
    sample(): void {
      const m = wg.backendInfo().memory as ReturnType<typeof wg.backendInfo>['memory'] & { movedOut?: number };
      inUse.push(m.inUse);
      wasm.push(m.wasmBytes);
      blocks.push(m.liveBlocks);
      movedOut = m.movedOut;
      const n = inUse.length;
      if (n === warmup) jsAtWarmup = jsArrayBytes();
      if (n === warmup + window) {
        limit = maxOf(inUse, warmup, n) * 1.01;
        wasmRef = m.wasmBytes;
      } else if (m.inUse > limit || m.wasmBytes > wasmRef) {
        check(false);
      }
    },
    /** Call after the loop: checks every window and logs the numbers. */
    done(): void { check(true); },
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic data: "images" of FEAT bytes (0..255), labels from a fixed linear rule, so a small MLP
// learns them to high accuracy within a few epochs.

const FEAT = 8, CLASSES = 3;

const RULE: number[][] = (() => {
  const r = mulberry32(12345);
  return Array.from({ length: CLASSES }, () => Array.from({ length: FEAT }, () => r() * 2 - 1));
})();

interface RawData { raw: Uint8Array; labels: Int32Array; n: number }

function makeRaw(n: number, seed: number): RawData {
  const r = mulberry32(seed);
  const raw = new Uint8Array(n * FEAT);
  for (let k = 0; k < raw.length; k++) raw[k] = Math.floor(r() * 256);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestScore = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let j = 0; j < FEAT; j++) s += RULE[c][j] * (raw[i * FEAT + j] / 255 - 0.5);
      if (s > bestScore) { bestScore = s; best = c; }
    }
    labels[i] = best;
  }
  return { raw, labels, n };
}

const meanOf = (raw: Uint8Array) => raw.reduce((a, b) => a + b, 0) / raw.length / 255;

/** The values `wg.tensor(raw).div(255).sub(mean)` computes, in float32, computed in JS. */
function normalizedJs(raw: Uint8Array, mean: number): Float32Array {
  const m = Math.fround(mean);
  return Float32Array.from(raw, (v) => Math.fround(Math.fround(v / 255) - m));
}

/** A user's own tensors for a dataset (factories, no ops): features [n, FEAT] and int32 labels. */
function plainTensors(d: RawData): [Tensor, Tensor] {
  return [wg.tensor(normalizedJs(d.raw, 0.5), { shape: [d.n, FEAT] }), wg.tensor(d.labels)];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flat(Infinity as 1) as number[] : [a as number]);

function mlp(hidden = 32): wg.nn.Sequential {
  return new nn.Sequential(new nn.Linear(FEAT, hidden), new nn.ReLU(), new nn.Linear(hidden, CLASSES));
}

/** One epoch of a PyTorch-style training loop over any iterable of [x, y] batches; mean loss. */
function trainEpoch(model: wg.nn.Module, opt: { zeroGrad(): void; step(): void }, batches: Iterable<Tensor[]>, onStep?: () => void): number {
  let total = 0, count = 0;
  for (const [xb, yb] of batches) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xb), yb);
    loss.backward();
    opt.step();
    total += loss.item();
    count++;
    onStep?.();
  }
  return total / count;
}

/** Fraction of rows whose argmax equals the label, counted in JS from read-back values. */
function accuracyJs(logits: Tensor, labels: ArrayLike<number>): number {
  const pred = logits.argmax(1).toArray() as number[];
  let ok = 0;
  pred.forEach((p, i) => { if (p === labels[i]) ok++; });
  return ok / pred.length;
}

// ---------------------------------------------------------------------------------------------

export function lifetimeSuite(label: string): void {
  describe(`tensor lifetimes, PyTorch-style programs with no keep/dispose/tidy (${label})`, () => {
    // 1. A dataset prepared once with ops, split once into a list of batches, reused for 20+ epochs.
    for (const method of ['narrow', 'split', 'chunk', 'reshape'] as const) {
      it(`1. dataset from tensor(raw).reshape().div(255).sub(mean), batched once with ${method}, reused for 25 epochs`, () => {
        wg.manualSeed(101);
        const N = 512, B = 64, nb = N / B;
        const d = makeRaw(N, 1);
        const mean = meanOf(d.raw);
        const x = wg.tensor(d.raw).reshape([N, FEAT]).div(255).sub(mean);
        const y = wg.tensor(d.labels);
        let xs: Tensor[], ys: Tensor[];
        if (method === 'narrow') {
          xs = range(nb).map((i) => x.narrow(0, i * B, B));
          ys = range(nb).map((i) => y.narrow(0, i * B, B));
        } else if (method === 'split') {
          xs = x.split(B);
          ys = y.split(B);
        } else if (method === 'chunk') {
          xs = x.chunk(nb);
          ys = y.chunk(nb);
        } else {
          const x3 = x.reshape([nb, B, FEAT]), y2 = y.reshape([nb, B]);
          xs = range(nb).map((i) => x3.at(i));
          ys = range(nb).map((i) => y2.at(i));
        }
        expect(xs).toHaveLength(nb);
        // Snapshots read right after creation, and checked against the same maths done in JS.
        const xSnap = xs.map((b) => b.toArray()), ySnap = ys.map((b) => b.toArray());
        const want = normalizedJs(d.raw, mean);
        const got = xSnap.flatMap((b) => flat(b));
        expect(got).toHaveLength(N * FEAT);
        let maxErr = 0;
        got.forEach((v, k) => { maxErr = Math.max(maxErr, Math.abs(v - want[k])); });
        expect(maxErr).toBeLessThan(1e-6);
        expect(ySnap.flatMap((b) => flat(b))).toEqual([...d.labels]);

        const model = mlp();
        const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
        const losses: number[] = [];
        for (let epoch = 0; epoch < 25; epoch++) {
          losses.push(trainEpoch(model, opt, range(nb).map((i) => [xs[i], ys[i]])));
        }
        console.log(`[lifetimes] 1 (${method}): mean loss epoch 0 ${losses[0].toFixed(4)} -> epoch 24 ${losses[24].toFixed(4)}`);
        expect(losses[24]).toBeLessThan(0.5 * losses[0]);
        // The batches, their labels and the dataset tensor itself still read what they read at creation.
        expect(xs.map((b) => b.toArray())).toEqual(xSnap);
        expect(ys.map((b) => b.toArray())).toEqual(ySnap);
        expect(flat(x.toArray())).toEqual(got);
        // And they still work as inputs.
        const acc = wg.noGrad(() => accuracyJs(model.forward(x), d.labels));
        expect(acc).toBeGreaterThan(0.85);
      });
    }

    // 2. A test set prepared with ops before training, evaluated after every epoch with grad mode
    //    on (users forget noGrad) and under noGrad.
    it('2. a test set prepared with ops before training, evaluated after every epoch with and without noGrad', () => {
      wg.manualSeed(102);
      const train = makeRaw(1024, 2), test = makeRaw(512, 3);
      const mean = meanOf(train.raw);
      const [xTrain, yTrain] = plainTensors(train);
      const loader = new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true });
      const xTest = wg.tensor(test.raw).reshape([test.n, FEAT]).div(255).sub(mean);
      const yTest = wg.tensor(test.labels);
      const xTestSnap = xTest.toArray(), yTestSnap = yTest.toArray();

      const model = mlp();
      const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
      const accs: number[] = [];
      for (let epoch = 0; epoch < 20; epoch++) {
        model.train();
        trainEpoch(model, opt, loader);
        model.eval();
        // Grad mode on, as users write it when they forget noGrad.
        const accGrad = model.forward(xTest).argmax(1).eq(yTest).float().mean().item();
        const accNoGrad = wg.noGrad(() => model.forward(xTest).argmax(1).eq(yTest).float().mean().item());
        const accJs = wg.noGrad(() => accuracyJs(model.forward(xTest), test.labels));
        expect(accGrad, `epoch ${epoch}`).toBe(accNoGrad);
        expect(accGrad, `epoch ${epoch}`).toBeCloseTo(accJs, 5);
        accs.push(accGrad);
      }
      console.log(`[lifetimes] 2: test accuracy per epoch ${accs.map((a) => a.toFixed(3)).join(' ')}`);
      expect(accs[19]).toBeGreaterThan(0.85);
      expect(accs[19]).toBeGreaterThan(accs[0] - 0.02);
      expect(xTest.toArray()).toEqual(xTestSnap);
      expect(yTest.toArray()).toEqual(yTestSnap);
    });

    // 3. Per-step argmax and loss tensors pushed into arrays, read at the end of the epoch.
    it('3. per-step logits.argmax(1) and loss tensors kept in arrays, read with concat() and item() at the end of each epoch', () => {
      wg.manualSeed(103);
      const d = makeRaw(1024, 4);
      const [x, y] = plainTensors(d);
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const epochLoss: number[] = [];
      for (let epoch = 0; epoch < 5; epoch++) {
        const preds: Tensor[] = [], losses: Tensor[] = [];
        const predsRead: number[] = [], lossesRead: number[] = [];
        for (const [xb, yb] of loader) {
          opt.zeroGrad();
          const logits = model.forward(xb);
          const loss = F.crossEntropy(logits, yb);
          loss.backward();
          opt.step();
          preds.push(logits.argmax(1));
          losses.push(loss);
          // What the step saw, read at the time.
          predsRead.push(...(preds[preds.length - 1].toArray() as number[]));
          lossesRead.push(loss.item());
        }
        expect(preds).toHaveLength(16);
        // End of epoch: read them all back.
        const all = wg.concat(preds);
        expect(all.shape).toEqual([1024]);
        expect(all.toArray()).toEqual(predsRead);
        expect(losses.map((l) => l.item())).toEqual(lossesRead);
        epochLoss.push(losses.map((l) => l.item()).reduce((a, b) => a + b) / losses.length);
      }
      console.log(`[lifetimes] 3: mean loss per epoch ${epochLoss.map((l) => l.toFixed(4)).join(' ')}`);
      expect(epochLoss[4]).toBeLessThan(0.7 * epochLoss[0]);
    });

    // 4. A model output held since epoch 0 reads the same after 50 epochs.
    it('4. model outputs held since epoch 0 (grad mode on and under noGrad) read the same after 50 epochs', () => {
      wg.manualSeed(104);
      const d = makeRaw(1024, 5);
      const [x, y] = plainTensors(d);
      const [probe] = plainTensors(makeRaw(32, 6));
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const losses: number[] = [trainEpoch(model, opt, loader)];
      const held = model.forward(probe);                         // epoch 0's output, grad mode on
      const heldNoGrad = wg.noGrad(() => model.forward(probe));  // and under noGrad
      const heldSnap = held.toArray(), heldNoGradSnap = heldNoGrad.toArray();
      expect(heldNoGradSnap).toEqual(heldSnap);
      for (let epoch = 1; epoch < 50; epoch++) losses.push(trainEpoch(model, opt, loader));
      console.log(`[lifetimes] 4: mean loss epoch 0 ${losses[0].toFixed(4)} -> epoch 49 ${losses[49].toFixed(4)}`);
      expect(losses[49]).toBeLessThan(0.5 * losses[0]);
      expect(held.toArray()).toEqual(heldSnap);
      expect(heldNoGrad.toArray()).toEqual(heldNoGradSnap);
      // Still usable in ops: the model moved on since epoch 0.
      const drift = held.sub(model.forward(probe)).abs().max().item();
      expect(drift).toBeGreaterThan(1e-3);
      expect(heldNoGrad.sub(held).abs().max().item()).toBe(0);
    });

    // 5. DataLoader batches collected during an epoch and used after it.
    it('5. DataLoader batches collected into an array while training on them, used after the epoch', () => {
      wg.manualSeed(105);
      const d = makeRaw(1024, 7);
      const [x, y] = plainTensors(d);
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const sortedLabels = [...d.labels].sort((a, b) => a - b);
      for (let epoch = 0; epoch < 3; epoch++) {
        const seen: Tensor[][] = [];
        const snaps: unknown[] = [];
        for (const [xb, yb] of loader) {
          seen.push([xb, yb]);
          snaps.push([xb.toArray(), yb.toArray()]);
          opt.zeroGrad();
          F.crossEntropy(model.forward(xb), yb).backward();
          opt.step();
        }
        expect(seen).toHaveLength(16);
        // After the epoch: the batches read what they read when the loader yielded them ...
        expect(seen.map(([xb, yb]) => [xb.toArray(), yb.toArray()])).toEqual(snaps);
        // ... together they are the dataset, shuffled ...
        const labels = wg.concat(seen.map((s) => s[1])).toArray() as number[];
        expect(labels.slice().sort((a, b) => a - b)).toEqual(sortedLabels);
        // ... and they still work as inputs (accuracy over the epoch's batches, after it).
        const correct = wg.noGrad(() => seen.reduce((n, [xb, yb]) => n + model.forward(xb).argmax(1).eq(yb).sum().item(), 0));
        if (epoch === 2) expect(correct / 1024).toBeGreaterThan(0.8);
      }
    });

    // 6. A best-model snapshot of cloned state-dict tensors, loaded back many epochs later.
    it('6. best-model snapshot (stateDict clones) loaded back with loadStateDict 30 epochs later', () => {
      wg.manualSeed(106);
      const d = makeRaw(1024, 8);
      const [x, y] = plainTensors(d);
      const [xVal, yVal] = plainTensors(makeRaw(256, 9));
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const valLoss = () => wg.noGrad(() => F.crossEntropy(model.forward(xVal), yVal).item());

      let best: Map<string, Tensor> | null = null;
      let bestLoss = Infinity, bestEpoch = -1;
      let outAtBest: unknown = null, bestValues: unknown[] = [];
      for (let epoch = 0; epoch < 40; epoch++) {
        trainEpoch(model, opt, loader);
        const vl = valLoss();
        // Early stopping bookkeeping over the first 10 epochs; the rest keep training regardless.
        if (epoch < 10 && vl < bestLoss) {
          bestLoss = vl;
          bestEpoch = epoch;
          best = new Map([...model.stateDict()].map(([k, v]) => [k, v.clone()]));
          outAtBest = wg.noGrad(() => model.forward(xVal)).toArray();
          bestValues = [...best.values()].map((t) => t.toArray());
        }
      }
      expect(best).not.toBeNull();
      expect([...best!.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      const before = wg.noGrad(() => model.forward(xVal)).toArray();
      expect(before).not.toEqual(outAtBest);                       // the model moved on
      expect([...best!.values()].map((t) => t.toArray())).toEqual(bestValues);
      model.loadStateDict(best!);
      expect(wg.noGrad(() => model.forward(xVal)).toArray()).toEqual(outAtBest);
      expect(valLoss()).toBe(bestLoss);
      console.log(`[lifetimes] 6: best epoch ${bestEpoch} (val loss ${bestLoss.toFixed(4)}), restored after epoch 39`);
    });

    // 7. A custom nn.Module subclass chaining ops on locals, 10,000 steps, flat memory.
    it('7. custom nn.Module subclass, forward chaining ops on local variables, 10,000 training steps in flat memory', () => {
      wg.manualSeed(107);
      class Net extends nn.Module {
        fc1 = new nn.Linear(FEAT, 32);
        fc2 = new nn.Linear(32, 32);
        fc3 = new nn.Linear(32, CLASSES);
        forward(x: Tensor): Tensor {
          const h = this.fc1.forward(x).relu();
          const h2 = this.fc2.forward(h).tanh().add(h);
          const out = this.fc3.forward(h2.mul(0.5));
          return out;
        }
      }
      const d = makeRaw(1024, 10);
      const [x, y] = plainTensors(d);
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
      const model = new Net();
      expect(model.parameters()).toHaveLength(6);
      const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
      const meter = flatMemory('7: custom Module, 10,000 steps', { warmup: 1000, window: 3000 });
      const STEPS = 10_000;
      const losses: number[] = [];
      let step = 0;
      while (step < STEPS) {
        for (const [xb, yb] of loader) {
          opt.zeroGrad();
          const loss = F.crossEntropy(model.forward(xb), yb);
          loss.backward();
          opt.step();
          losses.push(loss.item());
          meter.sample();
          if (++step === STEPS) break;
        }
      }
      meter.done();
      const avg = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const first = avg(losses.slice(0, 100)), last = avg(losses.slice(-100));
      console.log(`[lifetimes] 7: mean loss of the first 100 steps ${first.toFixed(4)}, last 100 ${last.toFixed(4)}`);
      expect(last).toBeLessThan(0.5 * first);
    });

    // 9. A custom Dataset whose get(i) makes a tensor per sample, 60,000 samples x 15 epochs; and a
    //    test-set DataLoader over a TensorDataset of tensors prepared with ops.
    class MyData extends data.Dataset<[Tensor, number]> {
      constructor(private readonly features: Float32Array, private readonly labels: Int32Array) { super(); }
      get length(): number { return this.labels.length; }
      get(i: number): [Tensor, number] {
        return [wg.tensor(this.features.subarray(i * FEAT, (i + 1) * FEAT)), this.labels[i]];
      }
    }

    it('9. custom Dataset with get(i) -> [wg.tensor(...), label], 60,000 samples x 15 epochs through a DataLoader, in flat memory', () => {
      wg.manualSeed(110);
      const train = makeRaw(60_000, 11), test = makeRaw(2_000, 12);
      const mean = meanOf(train.raw);
      const trainSet = new MyData(normalizedJs(train.raw, mean), train.labels);
      const testSet = new MyData(normalizedJs(test.raw, mean), test.labels);
      expect(trainSet.length).toBe(60_000);
      const sample = trainSet.get(7);
      expect(sample[0].shape).toEqual([FEAT]);
      expect(sample[1]).toBe(train.labels[7]);
      const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
      const testLoader = new data.DataLoader(testSet, { batchSize: 250 });
      expect(loader.length).toBe(938);
      const model = mlp();
      const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
      const meter = flatMemory('9: custom Dataset, 60,000 samples x 15 epochs', { warmup: 938, window: 2 * 938 });
      const epochLoss: number[] = [], accs: number[] = [];
      for (let epoch = 0; epoch < 15; epoch++) {
        model.train();
        let count = 0;
        epochLoss.push(trainEpoch(model, opt, loader, () => { count++; meter.sample(); }));
        expect(count).toBe(938);
        model.eval();
        let correct = 0;
        wg.noGrad(() => {
          for (const [xb, yb] of testLoader) correct += model.forward(xb).argmax(1).eq(yb).sum().item();
        });
        accs.push(correct / test.n);
      }
      meter.done();
      console.log(`[lifetimes] 9: mean loss per epoch ${epochLoss.map((l) => l.toFixed(4)).join(' ')}; test accuracy ${accs.map((a) => a.toFixed(3)).join(' ')}`);
      expect(epochLoss[14]).toBeLessThan(0.5 * epochLoss[0]);
      expect(accs[14]).toBeGreaterThan(0.9);
    });

    it('9. test-set DataLoader over a TensorDataset of tensors prepared with ops, evaluated after every epoch', () => {
      wg.manualSeed(111);
      const train = makeRaw(4096, 13), test = makeRaw(1000, 14);
      const mean = meanOf(train.raw);
      const loader = new data.DataLoader(new MyData(normalizedJs(train.raw, mean), train.labels), { batchSize: 64, shuffle: true });
      const xTest = wg.tensor(test.raw).reshape([test.n, FEAT]).div(255).sub(mean);
      const yTest = wg.tensor(test.labels);
      const xTestSnap = xTest.toArray();
      const testLoader = new data.DataLoader(new data.TensorDataset(xTest, yTest), { batchSize: 200 });
      const model = mlp();
      const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
      const accs: number[] = [];
      for (let epoch = 0; epoch < 15; epoch++) {
        model.train();
        trainEpoch(model, opt, loader);
        model.eval();
        let correct = 0, seen = 0;
        wg.noGrad(() => {
          for (const [xb, yb] of testLoader) {
            correct += model.forward(xb).argmax(1).eq(yb).sum().item();
            seen += xb.shape[0];
          }
        });
        expect(seen).toBe(test.n);
        accs.push(correct / seen);
      }
      console.log(`[lifetimes] 9 (test loader): test accuracy per epoch ${accs.map((a) => a.toFixed(3)).join(' ')}`);
      expect(accs[14]).toBeGreaterThan(0.9);
      expect(xTest.toArray()).toEqual(xTestSnap);
      expect(wg.noGrad(() => accuracyJs(model.forward(xTest), test.labels))).toBeCloseTo(accs[14], 5);
    });

    // 8. Inference loops, synchronous, no tidy: flat. (After 9: before the fix these leaked hundreds
    //    of MB, which inflated the baseline of the flatness checks run after them.)
    for (const mode of ['noGrad', 'grad mode on'] as const) {
      it(`8. inference loop over 50,000 batches (${mode === 'noGrad' ? 'noGrad(() => model.forward(x)).argmax(1)' : 'model.forward(x).argmax(1), grad mode on'}) in flat memory`, () => {
        wg.manualSeed(108);
        // A classifier over 64 classes with a small hidden layer: each iteration drops a [64, 64]
        // output (16 KiB) and its argmax, so a library that releases dropped results in batches every
        // few MB goes through several batches per 5,000-iteration window (80 MB of outputs).
        const model = new nn.Sequential(new nn.Linear(FEAT, 16), new nn.ReLU(), new nn.Linear(16, 64));
        model.eval();
        const inputs = range(4).map((i) => plainTensors(makeRaw(64, 20 + i))[0]);
        const expected = inputs.map((x) => wg.noGrad(() => model.forward(x)).argmax(1).toArray());
        const meter = flatMemory(`8: inference, ${mode}, 50,000 batches`, { warmup: 4000, window: 5000 });
        let checked = 0;
        for (let i = 0; i < 50_000; i++) {
          const x = inputs[i % 4];
          const pred = mode === 'noGrad' ? wg.noGrad(() => model.forward(x)).argmax(1) : model.forward(x).argmax(1);
          if (i % 997 === 0) { expect(pred.toArray()).toEqual(expected[i % 4]); checked++; }
          meter.sample();
        }
        meter.done();
        expect(checked).toBe(51);
      });
    }

    it('8. 2,000 dropped noGrad(() => w.mul(2)) results of a 256x256 tensor do not grow memory', () => {
      wg.manualSeed(109);
      const w = wg.randn([256, 256]);
      const wSnap = w.toArray();
      const twice = (wSnap as number[][]).map((row) => row.map((v) => v * 2));
      expect(wg.noGrad(() => w.mul(2)).toArray()).toEqual(twice);
      const meter = flatMemory('8: 2,000 dropped noGrad(() => w.mul(2)), 256x256', { warmup: 400, window: 400 });
      for (let i = 0; i < 2000; i++) {
        wg.noGrad(() => w.mul(2));
        meter.sample();
      }
      meter.done();
      expect(w.toArray()).toEqual(wSnap);
    });

    // `using` declarations, and errors that say what released a tensor. Node 20 has no `using`;
    // vitest 4.1 transpiles through Vite 8's oxc transform (not esbuild), which lowers it to a
    // try/finally calling [Symbol.dispose]() at the closing brace (checked with a plain object).
    describe('explicit release', () => {
      it('`using` disposes the tensor at the end of its block, and only that tensor', () => {
        let escaped!: Tensor;
        let derived!: Tensor;
        {
          using t = wg.randn([4]);
          escaped = t;
          derived = t.mul(2);
          expect(t.isDisposed).toBe(false);
          expect(t.toArray()).toHaveLength(4);
        }
        expect(escaped.isDisposed).toBe(true);
        expect(derived.isDisposed).toBe(false);
        expect(derived.toArray()).toHaveLength(4);

        const fromFn = (() => {
          using ones = wg.ones([3]);
          return ones.mul(2);
        })();
        expect(fromFn.toArray()).toEqual([2, 2, 2]);
      });

      it('the "was disposed" error after dispose() names dispose()', () => {
        const t = wg.randn([2, 3]);
        t.dispose();
        expect(() => t.add(1)).toThrow(/was disposed/);
        expect(() => t.add(1)).toThrow(/dispose\(\)/);
        const r = wg.randn([2, 3]).mul(2);
        r.dispose();
        expect(() => r.sum()).toThrow(/dispose\(\)/);
      });

      it('the "was disposed" error after a tidy scope names tidy', () => {
        let made!: Tensor, computed!: Tensor;
        const kept = wg.tidy(() => {
          made = wg.ones([3]);
          computed = made.mul(2);
          return computed.add(1);
        });
        expect(kept.toArray()).toEqual([3, 3, 3]);
        expect(() => made.add(1)).toThrow(/was disposed/);
        expect(() => made.add(1)).toThrow(/tidy/);
        expect(() => computed.toArray()).toThrow(/tidy/);
      });

      it('the "was disposed" error after a `using` block names using', () => {
        let escaped!: Tensor;
        {
          using t = wg.randn([2, 2]);
          escaped = t;
        }
        expect(() => escaped.add(1)).toThrow(/was disposed/);
        expect(() => escaped.add(1)).toThrow(/using/);
      });
    });
  });
}
