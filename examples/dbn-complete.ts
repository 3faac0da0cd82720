// Completing partial images: a DBN (784-500-500, pretrained on the MNIST training digits without
// labels) fills in test digits whose bottom half, or a random 50% of pixels, is hidden. Writes
//   docs/images/dbn-complete-bottom.png  and  docs/images/dbn-complete-random.png
// (quadruplets: original | masked, hidden pixels in blue | one Gibbs sample | posterior mean) and prints
// the mean squared error on the hidden pixels of every completion method next to two baselines: the
// mean training image, and the training digit nearest to the test digit on its visible pixels.
// Squared error is minimised by the conditional mean, so the estimator that wins is the average of
// P(v | h) over many clamped Gibbs chains; a single sample is sharper but pays for committing to one digit.
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

type Method = { label: string; run: (mask: wg.Tensor) => wg.Tensor };
const methods: Method[] = [
  { label: 'mean-field, 30 passes from 0', run: (mask) => dbn.complete(m.testX, mask, { steps: 30 }) },
  { label: 'mean-field, 30 passes from the mean image', run: (mask) => dbn.complete(m.testX, mask, { steps: 30, init: meanImage }) },
  { label: 'Gibbs, 1 chain, last pass (one sample)', run: (mask) => dbn.complete(m.testX, mask, { steps: 30, sample: true, estimate: 'sample', init: meanImage }) },
  { label: 'Gibbs, 1 chain x 60 passes, mean after 30', run: (mask) => dbn.complete(m.testX, mask, { steps: 60, sample: true, init: meanImage }) },
  { label: 'Gibbs, 16 chains x 16 passes, mean after 4', run: (mask) => dbn.complete(m.testX, mask, { steps: 16, sample: true, chains: 16, burnIn: 4, init: meanImage }) },
];
const SINGLE = 2, POSTERIOR_MEAN = 4; // the two completions drawn in the pictures

for (const [name, mask] of [['bottom', bottomHalf], ['random', random50]] as const) {
  console.log(`\n${name === 'bottom' ? 'bottom half hidden' : 'random 50% hidden'} (${nTest} test digits, mean squared error per hidden pixel):`);
  const row = (label: string, filled: wg.Tensor, seconds?: number) =>
    console.log(`  ${label.padEnd(52)} ${hiddenError(filled, mask).toFixed(4)}${seconds === undefined ? '' : `  (${seconds.toFixed(1)} s)`}`);
  const results: wg.Tensor[] = [];
  for (const method of methods) {
    wg.manualSeed(1);
    const t0 = performance.now();
    const filled = method.run(mask);
    row(`DBN ${method.label}`, filled, (performance.now() - t0) / 1000);
    results.push(filled);
  }
  row('baseline: mean training image', wg.where(mask, m.testX, meanImage.expand([nTest, 784])));
  row('baseline: nearest training digit on visible pixels', nearestNeighbourFill(mask));

  const show = 12;
  const x = m.testX.data() as Float32Array, mk = mask.data() as Float32Array;
  const single = results[SINGLE].data() as Float32Array, posterior = results[POSTERIOR_MEAN].data() as Float32Array;
  const tiles: Float32Array[] = [], masks: (Float32Array | null)[] = [];
  for (let i = 0; i < show; i++) {
    const r = Math.floor((i * nTest) / show); // spread over the classes
    const at = (a: Float32Array) => a.slice(r * 784, (r + 1) * 784);
    tiles.push(at(x), at(x), at(single), at(posterior));
    masks.push(null, at(mk), null, null);
  }
  const path = `docs/images/dbn-complete-${name}.png`;
  const bytes = writePng(path, imageGrid(tiles, { cols: 12, scale: 1, masks, pad: 3 }));
  console.log(`  wrote ${path} (${bytes} bytes)`);
  for (const t of results) t.dispose();
}
