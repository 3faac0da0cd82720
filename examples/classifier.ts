// The supervised training loop shared by the MNIST examples, written exactly like the PyTorch one
// (no dispose() or tidy() in the loop), with a progress line per epoch.
import * as wg from '../src/index.js';
import { loadMnist } from './mnist.js';
import { epochLine } from './progress.js';

const { nn, data } = wg;

export interface Split { trainX: wg.Tensor; trainY: wg.Tensor; testX: wg.Tensor; testY: wg.Tensor }

/** The standard MNIST split as tensors, images shaped [n, ...imageShape]. */
export function mnistTensors(imageShape: number[] = [784]): Split {
  const m = loadMnist();
  return {
    trainX: wg.tensor(m.trainImages, { shape: [m.nTrain, ...imageShape] }),
    trainY: wg.tensor(m.trainLabels, { shape: [m.nTrain] }),
    testX: wg.tensor(m.testImages, { shape: [m.nTest, ...imageShape] }),
    testY: wg.tensor(m.testLabels, { shape: [m.nTest] }),
  };
}

/** Accuracy in batches without gradients; tidy() frees each batch's activations at once. */
export function accuracy(model: { forward(x: wg.Tensor): wg.Tensor }, images: wg.Tensor, labels: wg.Tensor, batch = 500): number {
  let correct = 0;
  const n = images.shape[0];
  wg.noGrad(() => {
    for (let i = 0; i < n; i += batch) {
      correct += wg.tidy(() => model.forward(images.slice(0, i, i + batch)).argmax(1).eq(labels.slice(0, i, i + batch)).sum().item());
    }
  });
  return correct / n;
}

export interface FitOptions { epochs: number; batchSize: number; seed: number; log: (line: string) => void }

/** Trains with cross-entropy, evaluating on the test part after every epoch. */
export function fitClassifier(model: wg.nn.Module, opt: { zeroGrad(): void; step(): void }, split: Split, opts: FitOptions) {
  const { epochs, batchSize, seed, log } = opts;
  const loader = new data.DataLoader(new data.TensorDataset(split.trainX, split.trainY), { batchSize, shuffle: true, seed });
  const nTrain = split.trainX.shape[0];
  let testAccuracy = 0;
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    let lossSum = 0, batches = 0;
    const t0 = performance.now();
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xb), yb);
      loss.backward();
      opt.step();
      lossSum += loss.item();
      batches++;
    }
    const seconds = (performance.now() - t0) / 1000;
    model.eval();
    testAccuracy = accuracy(model, split.testX, split.testY);
    log(epochLine(epoch, epochs, {
      loss: lossSum / batches, 'test acc': `${(testAccuracy * 100).toFixed(2)}%`,
      'samples/s': Math.round(nTrain / seconds), mem: `${(wg.backendInfo().memory.inUse / 2 ** 20).toFixed(1)} MiB`,
    }));
  }
  return { testAccuracy, seconds: (performance.now() - start) / 1000 };
}
