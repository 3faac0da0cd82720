// Completing partial images: a DBN (784-500-500, pretrained on the MNIST training digits without
// labels) fills in test digits whose bottom half, or a random 50% of pixels, is hidden. Writes
//   docs/images/dbn-complete-bottom.png  and  docs/images/dbn-complete-random.png
// (triplets: original | masked, hidden pixels in blue | completed) and prints the mean squared error
// on the hidden pixels next to two baselines: the mean training image, and the training digit
// nearest to the test digit on its visible pixels.
// Run: npx tsx examples/dbn-complete.ts [--epochs 10] [--test 500]
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { mnistTensors } from './rbm-common.js';
import { imageGrid, writePng } from './png.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// One thread: CD's GEMMs are small (batch 32-64), and this gives the single-core figures quoted in the docs.
await wg.init({ threads: 1 });
wg.manualSeed(0);
const epochs = arg('epochs', 10), nTest = arg('test', 500);
const m = mnistTensors({ test: nTest });
const dbn = new wg.rbm.DBN([784, 500, 500]);
dbn.pretrain(m.trainX, {
  epochs, lr: 0.1, momentum: 0.5, batchSize: 32,
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, { 'recon error': s.reconstructionError })),
  onLayer: (i) => console.log(`layer ${i} (${dbn.sizes[i]} -> ${dbn.sizes[i + 1]}) pretrained`),
});

const bottomHalf = wg.tensor(Array.from({ length: 784 }, (_, i) => (i < 14 * 28 ? 1 : 0))).reshape([1, 784]).expand([nTest, 784]).contiguous();
const random50 = wg.rand([nTest, 784]).lt(0.5).float();
const meanImage = m.trainX.mean(0, true);

/** Mean squared error per hidden pixel. */
function hiddenError(filled: wg.Tensor, mask: wg.Tensor): number {
  const unknown = mask.rsub(1);
  return filled.sub(m.testX).square().mul(unknown).sum().item() / unknown.sum().item();
}

/** Each test digit's hidden pixels copied from the training digit closest on its visible pixels. */
function nearestNeighbourFill(mask: wg.Tensor): wg.Tensor {
  return wg.noGrad(() => wg.tidy(() => {
    // ‖m⊙(x - t)‖² = Σ m x² - 2 (m⊙x)·t + m·t²  (the first term is constant per test row)
    const mx = m.testX.mul(mask);
    const d = mask.matmul(m.trainX.square().t()).sub(mx.matmul(m.trainX.t()).mul(2));
    const nearest = d.argmin(1);
    return wg.where(mask, m.testX, m.trainX.indexSelect(0, nearest));
  }));
}

for (const [name, mask] of [['bottom', bottomHalf], ['random', random50]] as const) {
  const t0 = performance.now();
  // Gibbs sampling with the known pixels clamped; the result averages P(v | h) over the last 30 passes.
  const completed = dbn.complete(m.testX, mask, { steps: 60, sample: true });
  const seconds = (performance.now() - t0) / 1000;
  const meanField = dbn.complete(m.testX, mask, { steps: 30 });
  const meanFill = wg.where(mask, m.testX, meanImage.expand([nTest, 784]));
  const row = (label: string, filled: wg.Tensor) => console.log(`  ${label.padEnd(50)} ${hiddenError(filled, mask).toFixed(4)}`);
  console.log(`\n${name === 'bottom' ? 'bottom half hidden' : 'random 50% hidden'} (${nTest} test digits, mean squared error per hidden pixel):`);
  row(`DBN complete, Gibbs, 60 passes (${seconds.toFixed(1)} s)`, completed);
  row('DBN complete, mean-field, 30 passes', meanField);
  row('baseline: mean training image', meanFill);
  row('baseline: nearest training digit on visible pixels', nearestNeighbourFill(mask));

  const show = 12;
  const x = m.testX.data() as Float32Array, c = completed.data() as Float32Array, mk = mask.data() as Float32Array;
  const tiles: Float32Array[] = [], masks: (Float32Array | null)[] = [];
  for (let i = 0; i < show; i++) {
    const row = Math.floor((i * nTest) / show); // spread over the classes
    const at = (a: Float32Array) => a.slice(row * 784, (row + 1) * 784);
    tiles.push(at(x), at(x), at(c));
    masks.push(null, at(mk), null);
  }
  const path = `docs/images/dbn-complete-${name}.png`;
  const bytes = writePng(path, imageGrid(tiles, { cols: 9, scale: 1, masks, pad: 3 }));
  console.log(`  wrote ${path} (${bytes} bytes)`);
}
