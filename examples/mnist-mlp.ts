// The demo: an MLP (784-128-64-10, ReLU) trained with SGD + momentum on the standard MNIST split,
// written exactly like the PyTorch loop — no dispose() or tidy() anywhere.
//   npm run demo            (or: npx tsx examples/mnist-mlp.ts --epochs 15)
import * as wg from '../src/index.js';
import { loadMnist } from './mnist.js';
import { epochLine } from './progress.js';

const { nn, optim, data } = wg;

export interface MlpRunOptions { epochs?: number; lr?: number; batchSize?: number; seed?: number; log?: (line: string) => void }

export function buildMlp(): InstanceType<typeof nn.Sequential> {
  return new nn.Sequential(
    new nn.Linear(784, 128), new nn.ReLU(),
    new nn.Linear(128, 64), new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

/** Accuracy of `model` on images/labels, evaluated in batches without recording gradients. */
export function accuracy(model: { forward(x: wg.Tensor): wg.Tensor }, images: wg.Tensor, labels: wg.Tensor, batch = 1000): number {
  let correct = 0;
  const n = images.shape[0];
  wg.noGrad(() => {
    for (let i = 0; i < n; i += batch) {
      const xb = images.slice(0, i, i + batch);
      const pred = model.forward(xb).argmax(1);
      correct += pred.eq(labels.slice(0, i, i + batch)).sum().item();
    }
  });
  return correct / n;
}

export async function trainMnistMlp(opts: MlpRunOptions = {}) {
  const { epochs = 15, lr = 0.05, batchSize = 64, seed = 0, log = console.log } = opts;
  await wg.init();
  wg.manualSeed(seed);
  const m = loadMnist();
  const trainX = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
  const trainY = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const testX = wg.tensor(m.testImages, { shape: [m.nTest, 784] });
  const testY = wg.tensor(m.testLabels, { shape: [m.nTest] });

  const model = buildMlp();
  const opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const loader = new data.DataLoader(new data.TensorDataset(trainX, trainY), { batchSize, shuffle: true, seed });
  log(`wasmgrad ${wg.backendInfo().simd} SIMD build, ${m.nTrain} train / ${m.nTest} test digits\n${model}`);

  let testAcc = 0;
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
    testAcc = accuracy(model, testX, testY);
    log(epochLine(epoch, epochs, {
      loss: lossSum / batches, 'test acc': `${(testAcc * 100).toFixed(2)}%`,
      'samples/s': Math.round(m.nTrain / seconds), mem: `${(wg.backendInfo().memory.inUse / 2 ** 20).toFixed(1)} MiB`,
    }));
  }
  return { testAccuracy: testAcc, model };
}

// Run as a program (not when imported by tests).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('mnist-mlp.ts')) {
  const epochs = Number(process.argv[process.argv.indexOf('--epochs') + 1]) || 15;
  const { testAccuracy } = await trainMnistMlp({ epochs });
  console.log(`final test accuracy ${(testAccuracy * 100).toFixed(2)}% (target >= 94%)`);
}
