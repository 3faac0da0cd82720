// Features without labels: an RBM (784 x 256, CD-1) is trained on the MNIST training digits with no
// labels at all; its hidden probabilities then feed a linear classifier (softmax regression), the
// only part that sees labels. Printed beside it: the same linear classifier on the raw pixels.
// Run: npx tsx examples/rbm-features.ts [--epochs 10] [--hidden 256]
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { accuracy, mnistTensors, trainClassifier } from './rbm-common.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// One thread: CD's GEMMs are small (batch 32-64), and this gives the single-core figures quoted in the docs.
await wg.init({ threads: 1 });
wg.manualSeed(0);
const epochs = arg('epochs', 10), hidden = arg('hidden', 256), clfEpochs = 30;
const m = mnistTensors();

// 1. Unsupervised: the RBM sees pixels only.
const rbm = new wg.rbm.RBM(784, hidden);
console.log(`RBM 784x${hidden}, CD-1 on ${m.nTrain} unlabeled digits`);
rbm.fit(m.trainX, {
  epochs, lr: 0.1, momentum: 0.5, batchSize: 32,
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, { 'recon error': s.reconstructionError, 'pseudo-likelihood': s.pseudoLikelihood.toFixed(2) })),
});
const trainFeatures = rbm.transform(m.trainX), testFeatures = rbm.transform(m.testX);

// 2. Supervised, linear only: the same classifier and training on either representation.
const linearOn = (name: string, x: wg.Tensor, xTest: wg.Tensor) => {
  wg.manualSeed(1);
  const clf = new wg.nn.Linear(x.shape[1], 10);
  trainClassifier(clf, x, m.trainY, { epochs: clfEpochs, lr: 3e-3, seed: 1 });
  const acc = accuracy(clf, xTest, m.testY);
  console.log(`  linear classifier on ${name.padEnd(22)} test accuracy ${(100 * acc).toFixed(2)}%`);
  return acc;
};
console.log(`softmax regression (Adam, ${clfEpochs} epochs), ${m.nTest} test digits:`);
const onFeatures = linearOn(`RBM features (${hidden})`, trainFeatures, testFeatures);
const onPixels = linearOn('raw pixels (784)', m.trainX, m.testX);
console.log(`RBM features ${onFeatures >= onPixels ? 'beat' : 'trail'} raw pixels by ${(100 * Math.abs(onFeatures - onPixels)).toFixed(2)} points`);
