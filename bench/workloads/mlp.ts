// MNIST MLP training throughput (784-128-64-10, ReLU, SGD lr 0.1, batch 64) for wasmgrad and,
// with --compare tfjs, tfjs-layers on its WASM and CPU backends with the same model, data and batch.
import * as wg from '../../src/index.js';
import { loadMnist } from '../../examples/mnist.js';
import { trainingRunner } from '../train-loop.js';
import { summarize, type BenchContext, type Row, type Workload, throughputRuns } from '../harness.js';
import { loadTfjs, tfjsAvailable, tfjsFitRunner } from '../peers/tfjs.js';

const BATCH = 64, LR = 0.1;

function wasmgradRun(steps: number): () => number {
  const m = loadMnist();
  const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
  const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const { nn } = wg;
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
  return trainingRunner(model, new wg.optim.SGD(model.parameters(), { lr: LR }), x, y, BATCH, steps);
}

async function tfjsRun(backend: 'wasm' | 'cpu', threads: number, steps: number): Promise<() => Promise<number>> {
  const { tf, layers } = await loadTfjs(backend, threads);
  const m = loadMnist();
  const model = layers.sequential();
  model.add(layers.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
  model.add(layers.layers.dense({ units: 64, activation: 'relu' }));
  model.add(layers.layers.dense({ units: 10 }));
  model.compile({ optimizer: tf.train.sgd(LR), loss: (yt: any, yp: any) => tf.losses.softmaxCrossEntropy(yt, yp) });
  const xs = tf.tensor2d(m.trainImages, [m.nTrain, 784]);
  return tfjsFitRunner(tf, model, xs, m.trainLabels, BATCH, steps);
}

export const workload: Workload = {
  name: 'mlp',
  description: 'MNIST MLP 784-128-64-10 training samples/s (SGD, batch 64)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const runs = ctx.quick ? 3 : 7;
    ctx.progress.update('mlp: wasmgrad', 0.1);
    rows.push({ workload: 'mlp', case: '784-128-64-10 b64 SGD', impl: `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`,
      metric: 'samples/s', higherIsBetter: true, stats: summarize(await throughputRuns(wasmgradRun(ctx.quick ? 60 : 125), runs)) });
    if (ctx.compareTfjs) {
      const missing = await tfjsAvailable();
      if (missing) return [...rows, { workload: 'mlp', case: 'tfjs', impl: 'tfjs', metric: '', higherIsBetter: true, stats: { median: 0, min: 0, max: 0, runs: 0 }, note: missing }];
      for (const backend of ['wasm', 'cpu'] as const) {
        ctx.progress.update(`mlp: tfjs-layers (${backend})`, backend === 'wasm' ? 0.4 : 0.7);
        rows.push({ workload: 'mlp', case: '784-128-64-10 b64 SGD', impl: `tfjs-layers ${backend}`, metric: 'samples/s', higherIsBetter: true,
          stats: summarize(await throughputRuns(await tfjsRun(backend, ctx.threads, backend === 'wasm' ? 40 : 15), Math.min(runs, 5))) });
      }
    }
    return rows;
  },
};
export default workload;
