// The demo: an MLP (784-128-64-10, ReLU) trained with SGD + momentum on the standard MNIST split,
// written exactly like the PyTorch loop — no dispose() or tidy() anywhere.
//   npm run demo            (or: npx tsx examples/mnist-mlp.ts --epochs 15)
import * as wg from '../src/index.js';
import { fitClassifier, mnistTensors } from './classifier.js';

const { nn, optim } = wg;

export interface MlpRunOptions { epochs?: number; lr?: number; batchSize?: number; seed?: number; log?: (line: string) => void }

export function buildMlp(): InstanceType<typeof nn.Sequential> {
  return new nn.Sequential(
    new nn.Linear(784, 128), new nn.ReLU(),
    new nn.Linear(128, 64), new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

export async function trainMnistMlp(opts: MlpRunOptions = {}) {
  const { epochs = 15, lr = 0.05, batchSize = 64, seed = 0, log = console.log } = opts;
  await wg.init();
  wg.manualSeed(seed);
  const split = mnistTensors([784]);
  const model = buildMlp();
  const info = wg.backendInfo();
  log(`wasmgrad ${info.simd} SIMD build, ${info.threads} thread(s), ${split.trainX.shape[0]} train / ${split.testX.shape[0]} test digits\n${model}`);
  const result = fitClassifier(model, new optim.SGD(model.parameters(), { lr, momentum: 0.9 }), split, { epochs, batchSize, seed, log });
  return { ...result, model };
}

// Run as a program (not when imported by tests).
if (process.argv[1]?.endsWith('mnist-mlp.ts')) {
  const epochs = Number(process.argv[process.argv.indexOf('--epochs') + 1]) || 15;
  const { testAccuracy } = await trainMnistMlp({ epochs });
  console.log(`final test accuracy ${(testAccuracy * 100).toFixed(2)}% (target >= 94%)`);
}
