// Shared by the RBM / DBN examples and tests: MNIST as tensors, supervised training of a classifier
// with cross-entropy (Adam unless told otherwise), and test accuracy.
import * as wg from '../src/index.js';
import { loadMnist } from './mnist.js';

const { nn, optim, data } = wg;

export interface MnistTensors {
  trainX: wg.Tensor; trainY: wg.Tensor; testX: wg.Tensor; testY: wg.Tensor; nTrain: number; nTest: number;
}

/** The standard split as kept tensors (pixels in [0, 1], int32 labels); `limit` takes the first rows of each part. */
export function mnistTensors(limit: { train?: number; test?: number } = {}): MnistTensors {
  const m = loadMnist();
  const nTrain = Math.min(limit.train ?? m.nTrain, m.nTrain), nTest = Math.min(limit.test ?? m.nTest, m.nTest);
  // The split is ordered by class: a prefix of it would hold only the first digits, so take a strided subset.
  const pick = (images: Float32Array, labels: Int32Array, total: number, n: number) => {
    const x = new Float32Array(n * 784), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = Math.floor((i * total) / n);
      x.set(images.subarray(src * 784, (src + 1) * 784), i * 784);
      y[i] = labels[src];
    }
    return [wg.tensor(x, { shape: [n, 784] }), wg.tensor(y)] as const;
  };
  const [trainX, trainY] = pick(m.trainImages, m.trainLabels, m.nTrain, nTrain);
  const [testX, testY] = pick(m.testImages, m.testLabels, m.nTest, nTest);
  return { trainX, trainY, testX, testY, nTrain, nTest };
}

/** Fraction of rows whose arg-max logit equals the label. */
export function accuracy(model: wg.nn.Module, x: wg.Tensor, y: wg.Tensor): number {
  return wg.noGrad(() => wg.tidy(() => {
    model.eval();
    const pred = (model.forward(x) as wg.Tensor).argmax(1);
    const acc = pred.eq(y).float().mean().item();
    model.train();
    return acc;
  }));
}

export interface TrainOptions {
  epochs: number;
  /** Adam's learning rate when no `optimizer` is given. */
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Builds the optimizer for the model's parameters; Adam with `lr` by default. */
  optimizer?: (params: wg.Tensor[]) => wg.optim.Optimizer<{ lr: number }>;
  /** Builds a learning-rate scheduler stepped once per epoch (e.g. optim.CosineAnnealingLR). */
  scheduler?: (opt: wg.optim.Optimizer<{ lr: number }>) => { step(): void };
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Cross-entropy training over shuffled mini-batches; returns the last epoch's mean loss. */
export function trainClassifier(model: wg.nn.Module, x: wg.Tensor, y: wg.Tensor, opts: TrainOptions): number {
  const params = model.parameters();
  const opt = opts.optimizer ? opts.optimizer(params) : new optim.Adam(params, { lr: opts.lr ?? 1e-3 });
  const scheduler = opts.scheduler?.(opt);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: opts.batchSize ?? 64, shuffle: true, seed: opts.seed ?? 0 });
  let last = NaN;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    let sum = 0, rows = 0;
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xb) as wg.Tensor, yb);
      loss.backward();
      opt.step();
      sum += loss.item() * xb.shape[0];
      rows += xb.shape[0];
    }
    scheduler?.step();
    last = sum / rows;
    opts.onEpoch?.(epoch, last);
  }
  return last;
}
