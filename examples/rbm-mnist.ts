// Trains an RBM (784 visible x 256 hidden, persistent CD) on binarised MNIST digits and writes three pictures:
//   docs/images/rbm-filters.png          the first 100 learned filters (rows of W, each scaled to its range)
//   docs/images/rbm-reconstructions.png  test digits (odd rows) above their reconstructions (even rows)
//   docs/images/rbm-samples.png          10 Gibbs chains started at test digits, one row per 250 steps,
//                                        and a last row of chains run 1000 steps from random pixels
// Persistent CD (Tieleman 2008) keeps its negative chains running between updates, so it learns a
// model whose own Gibbs samples look like digits; with CD-1 (--cd1) they fall apart into strokes.
// Run: npx tsx examples/rbm-mnist.ts [--epochs 20] [--hidden 256] [--cd1]
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { mnistTensors } from './rbm-common.js';
import { imageGrid, rowsOf, writePng } from './png.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// One thread: CD's GEMMs are small (batch 32-64), and this gives the single-core figures quoted in the docs.
await wg.init({ threads: 1 });
wg.manualSeed(0);
const epochs = arg('epochs', 20), hidden = arg('hidden', 256), persistent = !process.argv.includes('--cd1');
const m = mnistTensors();
const binarise = (x: wg.Tensor) => x.gt(0.5).float();
const train = binarise(m.trainX), test = binarise(m.testX);

const rbm = new wg.rbm.RBM(784, hidden);
console.log(`RBM 784x${hidden}, ${persistent ? 'persistent CD' : 'CD-1'}, ${m.nTrain} binarised training digits`);
rbm.fit(train, {
  epochs, lr: persistent ? 0.02 : 0.1, momentum: 0.5, weightDecay: 1e-4, batchSize: 32, persistent,
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, {
    'recon error': s.reconstructionError, 'pseudo-likelihood': s.pseudoLikelihood.toFixed(2), 'samples/s': Math.round(s.samplesPerSecond),
  })),
});

const out = 'docs/images';
const filters = rbm.weight.data() as Float32Array;
let bytes = writePng(`${out}/rbm-filters.png`, imageGrid(rowsOf(filters, 784, 0, 100), { cols: 10, normalize: 'each', scale: 1 }));
console.log(`wrote ${out}/rbm-filters.png (${bytes} bytes)`);

const n = 20;
const originals = test.narrow(0, 0, n).contiguous();
const recon = rbm.reconstruct(originals);
const o = originals.data() as Float32Array, r = recon.data() as Float32Array;
const tiles: Float32Array[] = [];
for (const half of [0, 10]) { tiles.push(...rowsOf(o, 784, half, 10), ...rowsOf(r, 784, half, 10)); }
bytes = writePng(`${out}/rbm-reconstructions.png`, imageGrid(tiles, { cols: 10, scale: 1 }));
const err = recon.sub(originals).square().mean().item();
console.log(`wrote ${out}/rbm-reconstructions.png (${bytes} bytes); test reconstruction error ${err.toFixed(4)} per pixel`);

// Chains from 10 test digits of different classes; each row is 250 Gibbs steps after the one above;
// the last row starts from uniformly random pixels.
const starts = wg.tensor(Array.from({ length: 10 }, (_, d) => Math.floor(((d + 0.5) * m.nTest) / 10)), { dtype: 'int32' });
let chain = test.indexSelect(0, starts);
const snaps: Float32Array[] = [...rowsOf(chain.data() as Float32Array, 784, 0, 10)];
for (let row = 0; row < 7; row++) {
  const probs = rbm.sample(10, 250, { init: chain });
  snaps.push(...rowsOf(probs.data() as Float32Array, 784, 0, 10));
  chain = wg.bernoulli(probs);
}
snaps.push(...rowsOf(rbm.sample(10, 1000).data() as Float32Array, 784, 0, 10));
bytes = writePng(`${out}/rbm-samples.png`, imageGrid(snaps, { cols: 10, scale: 1 }));
console.log(`wrote ${out}/rbm-samples.png (${bytes} bytes)`);
