// A tiny CNN (conv + BatchNorm2d + ReLU + max pool + Dropout2d, conv + ReLU + avg pool, Linear)
// trains on real MNIST digits: the loss falls, and memory stays flat over 300 steps written like a
// PyTorch loop with no dispose() or tidy() calls.
import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { loadMnist } from '../../examples/mnist.js';

beforeAll(async () => { await wg.init(); });

const { nn, optim } = wg;

describe('tiny CNN on MNIST', () => {
  it('loss falls and training memory stays flat across 300 steps', () => {
    wg.manualSeed(0);
    const m = loadMnist();
    const n = 2048, batch = 32;
    const images = wg.tensor(m.trainImages, { shape: [m.nTrain, 1, 28, 28] });
    const labels = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
    // The split is ordered by class: a seeded random subset mixes every digit into every batch.
    const pick = wg.randperm(m.nTrain).slice(0, 0, n);
    const xs = images.indexSelect(0, pick).keep(), ys = labels.indexSelect(0, pick).keep();

    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 3), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Dropout2d(0.1), // 26 -> 13
      new nn.Conv2d(6, 12, 3, { stride: 2 }), new nn.ReLU(), new nn.AvgPool2d(2, { ceilMode: true }),        // 6 -> 3
      new nn.Flatten(), new nn.Linear(12 * 3 * 3, 10),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const losses: number[] = [];
    const memory: number[] = [];
    for (let step = 0; step < 300; step++) {
      const at = (step * batch) % n;
      const xb = xs.slice(0, at, at + batch), yb = ys.slice(0, at, at + batch);
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xb), yb);
      loss.backward();
      opt.step();
      losses.push(loss.item());
      memory.push(wg.backendInfo().memory.inUse);
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const first = losses[0], last = mean(losses.slice(-20));
    expect(first).toBeGreaterThan(1.8); // ~ln(10) at the start
    expect(last).toBeLessThan(0.3 * first);
    // Flat: after warm-up (generations, optimizer state, scratch) the heap in use stops changing.
    console.log(`loss ${first.toFixed(3)} -> ${last.toFixed(3)}, memory ${memory[50]} -> ${memory[299]}`);
    const settled = memory.slice(50);
    expect(Math.max(...settled) - Math.min(...settled)).toBeLessThanOrEqual(64 * 1024);

    // Held-out digits (all 2,000 test images) are mostly right after this short run.
    model.eval();
    const tx = wg.tensor(m.testImages, { shape: [m.nTest, 1, 28, 28] });
    const ty = wg.tensor(m.testLabels, { shape: [m.nTest] });
    const acc = wg.noGrad(() => model.forward(tx).argmax(1).eq(ty).float().mean().item());
    console.log(`held-out accuracy ${acc}`);
    expect(acc).toBeGreaterThan(0.8);
  });
});
