// DBN: stacking rules, greedy pretraining, toSequential fine-tuning, generation and completion, plus
// the MNIST quality bar for an RBM (784 x 256, CD-1, 10 epochs: reconstruction error falls every
// epoch; a linear classifier on its features reaches >= 92% on the test part of the standard split).
import { beforeAll, describe, expect, it } from 'vitest';
import { init, manualSeed, noGrad, tensor, zeros, rand, rbm, nn, type Tensor } from '../../src/index.js';
import { accuracy, mnistTensors, trainClassifier, type MnistTensors } from '../../examples/rbm-common.js';
import { expectClose } from '../helpers.js';

let m: MnistTensors;
beforeAll(async () => { await init(); m = mnistTensors(); });

describe('stacking and conversion', () => {
  it('builds layers from sizes with the requested unit types', () => {
    const dbn = new rbm.DBN([20, 12, 8, 2], { topHidden: 'gaussian' });
    expect(dbn.sizes).toEqual([20, 12, 8, 2]);
    expect(dbn.rbms.map((r) => [r.nVisible, r.nHidden, r.visibleType, r.hiddenType])).toEqual([
      [20, 12, 'bernoulli', 'bernoulli'], [12, 8, 'bernoulli', 'bernoulli'], [8, 2, 'bernoulli', 'gaussian']]);
    expect([...dbn.stateDict().keys()]).toEqual([
      '0.weight', '0.visibleBias', '0.hiddenBias', '1.weight', '1.visibleBias', '1.hiddenBias', '2.weight', '2.visibleBias', '2.hiddenBias']);
  });

  it('toSequential copies the RBM weights into Linear + Sigmoid layers', () => {
    manualSeed(1);
    const dbn = new rbm.DBN([rbm_(10, 6), rbm_(6, 4)]);
    const seq = dbn.toSequential();
    expect(seq.toString()).toContain('Linear(in_features=10, out_features=6, bias=True)');
    expect(seq.children().map((c) => c.constructor.name)).toEqual(['Linear', 'Sigmoid', 'Linear', 'Sigmoid']);
    const x = rand([5, 10]);
    expectClose(seq.forward(x), dbn.transform(x));
    // Copies, not shared storage: fine-tuning leaves the DBN untouched.
    noGrad(() => (seq.children()[0] as nn.Linear).weight.fill_(0));
    expect(dbn.rbms[0].weight.abs().sum().item()).toBeGreaterThan(0);
    // Heads: a number of outputs or a Module, and Gaussian top units get no sigmoid.
    expect(dbn.toSequential(3).forward(x).shape).toEqual([5, 3]);
    expect(dbn.toSequential(new nn.Sequential(new nn.Linear(4, 7), new nn.ReLU())).forward(x).shape).toEqual([5, 7]);
    const codes = new rbm.DBN([10, 6, 2], { topHidden: 'gaussian' });
    expect(codes.toSequential().children().map((c) => c.constructor.name)).toEqual(['Linear', 'Sigmoid', 'Linear']);
  });

  it('rejects bad stacks, heads and inputs with clear errors', () => {
    expect(() => new rbm.DBN([rbm_(10, 6), rbm_(5, 4)])).toThrow(/RBM 0 has 6 hidden units but RBM 1 has 5 visible units/);
    expect(() => new rbm.DBN([new rbm.RBM(10, 6, { hidden: 'gaussian' }), rbm_(6, 4)])).toThrow(/needs gaussian visible units/);
    expect(() => new rbm.DBN([784])).toThrow(/at least two layer sizes/);
    expect(() => new rbm.DBN([784, 0])).toThrow(/layer size 1 must be a positive integer/);
    const dbn = new rbm.DBN([10, 6, 4]);
    expect(() => dbn.toSequential(new nn.Linear(5, 10))).toThrow(/head takes 5 inputs but the top layer of the DBN \[10,6,4\] has 4 units/);
    expect(() => dbn.toSequential(new nn.Sequential(new nn.Linear(6, 2)))).toThrow(/head takes 6 inputs/);
    expect(() => dbn.toSequential(0)).toThrow(/head size must be a positive integer/);
    expect(() => dbn.pretrain(zeros([4, 9]))).toThrow(/expected data of shape \[N, 10\]/);
    expect(() => dbn.pretrain(tensor([[2, 0, 0, 0, 0, 0, 0, 0, 0, 0]]))).toThrow(/Bernoulli visible units need data in \[0, 1\]/);
    expect(() => dbn.generate(2, { k: 0 })).toThrow(/k must be an integer >= 1/);
    expect(() => dbn.complete(zeros([2, 10]), zeros([2, 10]), { steps: 0 })).toThrow(/steps must be an integer >= 1/);
  });
});

function rbm_(v: number, h: number): rbm.RBM { return new rbm.RBM(v, h, { initStd: 0.3 }); }

describe('on MNIST digits (subset)', () => {
  // 2,000 training digits, a 784-200-200 DBN, 5 epochs per layer: seconds, not minutes.
  let dbn: rbm.DBN, train: Tensor, trainY: Tensor;
  beforeAll(() => {
    manualSeed(0);
    const sub = mnistTensors({ train: 2000, test: 300 });
    train = sub.trainX; trainY = sub.trainY;
    dbn = new rbm.DBN([784, 200, 200]);
    const layers: number[][] = [];
    dbn.pretrain(train, { epochs: 5, lr: 0.1, momentum: 0.5, batchSize: 32, onLayer: (_, h) => layers.push(h.map((s) => s.reconstructionError)) });
    expect(layers.length).toBe(2);
    for (const errs of layers) expect(errs[4]).toBeLessThan(errs[0]);
  }, 120_000);

  it('completes the hidden bottom half better than the mean training image (fixed seed)', () => {
    manualSeed(3);
    const test = mnistTensors({ test: 300 }).testX;
    const mask = tensor(Array.from({ length: 784 }, (_, i) => (i < 392 ? 1 : 0))).reshape([1, 784]).expand([300, 784]).contiguous();
    const unknown = mask.rsub(1);
    const err = (x: Tensor) => x.sub(test).square().mul(unknown).sum().item() / unknown.sum().item();
    const meanImage = train.mean(0, true);
    const meanErr = err(meanImage.expand([300, 784]));
    // The posterior-mean estimate: 8 Gibbs chains with the top half clamped, P(v | h) averaged after burn-in.
    const averaged = dbn.complete(test, mask, { steps: 20, sample: true, chains: 8, burnIn: 5, init: meanImage });
    const errs = { averaged: err(averaged), meanImage: meanErr };
    console.log('DBN 784-200-200 bottom-half completion MSE', errs);
    expect(errs.averaged).toBeLessThan(0.9 * meanErr);
    // A single chain's last pass is one sharp guess, not the mean: it is allowed to lose to the mean image.
    const single = dbn.complete(test, mask, { steps: 20, sample: true, estimate: 'sample', init: meanImage });
    // The visible half is returned unchanged.
    for (const x of [averaged, single, dbn.complete(test, mask, { steps: 10 })]) {
      expect(x.shape).toEqual([300, 784]);
      expect(x.sub(test).mul(mask).abs().max().item()).toBe(0);
    }
  });

  it('generates digit-like images and transforms to the top layer', () => {
    manualSeed(4);
    const g = dbn.generate(16, { k: 200 });
    expect(g.shape).toEqual([16, 784]);
    expect(g.min().item()).toBeGreaterThanOrEqual(0);
    expect(g.max().item()).toBeLessThanOrEqual(1);
    // Generated images sit closer (free energy of the bottom RBM) to digits than to noise does.
    const bottom = dbn.rbms[0];
    const fe = (x: Tensor) => bottom.freeEnergy(x).mean().item();
    expect(fe(g)).toBeLessThan(fe(rand([16, 784])));
    expect(dbn.transform(train.narrow(0, 0, 8)).shape).toEqual([8, 200]);
  });

  it('fine-tunes with a 10-way head', () => {
    manualSeed(5);
    const test = mnistTensors({ test: 500 });
    const model = dbn.toSequential(10);
    trainClassifier(model, train, trainY, { epochs: 3, lr: 1e-3 });
    expect(accuracy(model, test.testX, test.testY)).toBeGreaterThan(0.85);
  }, 120_000);
});

describe('MNIST quality bar (standard split)', () => {
  it('RBM 784x256, CD-1, 10 epochs: error falls every epoch; linear classifier on its features >= 92%', () => {
    manualSeed(0);
    const r = new rbm.RBM(784, 256);
    const hist = r.fit(m.trainX, { epochs: 10, lr: 0.1, momentum: 0.5, batchSize: 32, pseudoLikelihoodSamples: 0 });
    for (let e = 1; e < hist.length; e++) expect(hist[e].reconstructionError).toBeLessThan(hist[e - 1].reconstructionError);
    manualSeed(1);
    const clf = new nn.Linear(256, 10);
    trainClassifier(clf, r.transform(m.trainX), m.trainY, { epochs: 30, lr: 3e-3, seed: 1 });
    const acc = accuracy(clf, r.transform(m.testX), m.testY);
    console.log(`RBM-feature linear classifier test accuracy: ${(100 * acc).toFixed(2)}%`);
    expect(acc).toBeGreaterThanOrEqual(0.92);
  }, 600_000);
});
