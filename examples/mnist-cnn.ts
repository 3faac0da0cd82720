// A small CNN on the standard MNIST split, written like the PyTorch loop (no dispose() or tidy()):
// conv(1->16, 3x3, pad 1) + ReLU + maxpool 2 -> conv(16->32, 3x3, pad 1) + ReLU + maxpool 2
// -> Flatten -> Linear(1568->128) + ReLU + Dropout(0.25) -> Linear(128->10), Adam lr 1e-3, batch 64.
//   npx tsx examples/mnist-cnn.ts            (or: --epochs 3, --seed 1)
import * as wg from '../src/index.js';
import { loadMnist } from './mnist.js';
import { epochLine } from './progress.js';

const { nn, optim, data } = wg;

export interface CnnRunOptions { epochs?: number; lr?: number; batchSize?: number; seed?: number; log?: (line: string) => void }

export function buildCnn(): InstanceType<typeof nn.Sequential> {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 128), new nn.ReLU(), new nn.Dropout(0.25),
    new nn.Linear(128, 10),
  );
}

/** Test accuracy in batches, without gradients; tidy() frees each batch's activations at once. */
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

export async function trainMnistCnn(opts: CnnRunOptions = {}) {
  const { epochs = 8, lr = 1e-3, batchSize = 64, seed = 1, log = console.log } = opts;
  await wg.init();
  wg.manualSeed(seed);
  const m = loadMnist();
  const trainX = wg.tensor(m.trainImages, { shape: [m.nTrain, 1, 28, 28] });
  const trainY = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const testX = wg.tensor(m.testImages, { shape: [m.nTest, 1, 28, 28] });
  const testY = wg.tensor(m.testLabels, { shape: [m.nTest] });

  const model = buildCnn();
  const opt = new optim.Adam(model.parameters(), { lr });
  const loader = new data.DataLoader(new data.TensorDataset(trainX, trainY), { batchSize, shuffle: true, seed });
  const info = wg.backendInfo();
  log(`wasmgrad ${info.simd} SIMD build, ${info.threads} thread(s), ${m.nTrain} train / ${m.nTest} test digits\n${model}`);

  let testAcc = 0;
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
    testAcc = accuracy(model, testX, testY);
    log(epochLine(epoch, epochs, {
      loss: lossSum / batches, 'test acc': `${(testAcc * 100).toFixed(2)}%`,
      'samples/s': Math.round(m.nTrain / seconds), mem: `${(wg.backendInfo().memory.inUse / 2 ** 20).toFixed(1)} MiB`,
    }));
  }
  return { testAccuracy: testAcc, model, seconds: (performance.now() - start) / 1000 };
}

// Run as a program (not when imported by tests or benchmarks).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('mnist-cnn.ts')) {
  const flag = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  const { testAccuracy, seconds } = await trainMnistCnn({ epochs: flag('--epochs') || 8, seed: flag('--seed') });
  console.log(`final test accuracy ${(testAccuracy * 100).toFixed(2)}% (target >= 97%) in ${seconds.toFixed(1)} s`);
}
