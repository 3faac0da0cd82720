// The training worker: wasmgrad runs here, off the page's main thread. A worker may block, so on a
// cross-origin-isolated page it can also use wasmgrad's worker threads (the main thread cannot).
// Messages in:  {type:'train', epochs, threads} | {type:'predict', pixels: Float32Array(784)}
// Messages out: info | progress {loss} | epoch {epoch, testAccuracy, samplesPerSecond} | done | prediction {probabilities} | error
import * as wg from '../../dist/index.js';
import { fetchMnistSplit } from './mnist-data.js';

const { nn, optim, data } = wg;
let model = null;
const post = (msg) => self.postMessage(msg);

function accuracy(images, labels) {
  let correct = 0;
  wg.noGrad(() => {
    for (let i = 0; i < images.shape[0]; i += 1000) {
      const pred = model.forward(images.slice(0, i, i + 1000)).argmax(1);
      correct += pred.eq(labels.slice(0, i, i + 1000)).sum().item();
    }
  });
  return correct / images.shape[0];
}

async function train({ epochs = 3, threads = 1, batchSize = 64, lr = 0.05, seed = 0 }) {
  await wg.init({ threads });
  const info = wg.backendInfo();
  post({ type: 'info', simd: info.simd, threads: info.threads, crossOriginIsolated: self.crossOriginIsolated === true });

  const m = await fetchMnistSplit(new URL('/data/mnist-split.bin', self.location.origin));
  const trainX = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
  const trainY = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const testX = wg.tensor(m.testImages, { shape: [m.nTest, 784] });
  const testY = wg.tensor(m.testLabels, { shape: [m.nTest] });

  wg.manualSeed(seed);
  model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
  const opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const loader = new data.DataLoader(new data.TensorDataset(trainX, trainY), { batchSize, shuffle: true, seed });

  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const t0 = performance.now();
    let lossSum = 0, batches = 0;
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xb), yb);
      loss.backward();
      opt.step();
      lossSum += loss.item();
      if (++batches % 10 === 0) { post({ type: 'progress', loss: lossSum / 10, epoch: epoch - 1 + batches / Math.ceil(m.nTrain / batchSize) }); lossSum = 0; }
    }
    const samplesPerSecond = m.nTrain / ((performance.now() - t0) / 1000);
    model.eval();
    post({ type: 'epoch', epoch, epochs, testAccuracy: accuracy(testX, testY), samplesPerSecond });
  }
  post({ type: 'done', memoryMiB: wg.backendInfo().memory.inUse / 2 ** 20 });
}

function predict(pixels) {
  if (!model) return;
  const probabilities = wg.noGrad(() => Array.from(model.forward(wg.tensor(pixels, { shape: [1, 784] })).softmax(1).data()));
  post({ type: 'prediction', probabilities });
}

self.onmessage = async ({ data: msg }) => {
  try {
    if (msg.type === 'train') await train(msg);
    else if (msg.type === 'predict') predict(msg.pixels);
  } catch (e) {
    post({ type: 'error', message: String((e && e.stack) || e) });
  }
};
