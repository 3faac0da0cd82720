// MNIST MLP training throughput (784-128-64-10, ReLU, SGD lr 0.1, batch 64) for wasmgrad and,
// with --compare tfjs, tfjs-layers on its WASM and CPU backends with the same model, data and batch.
import * as wg from '../../src/index.js';
import { loadMnist } from '../../examples/mnist.js';
import { trainingRunner } from '../train-loop.js';
import { interleavedRuns, summarize, type BenchContext, type Row, type Workload, throughputRuns } from '../harness.js';
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
    const runs = ctx.quick ? 3 : 9;
    const row = (impl: string, samples: number[]): Row =>
      ({ workload: 'mlp', case: '784-128-64-10 b64 SGD', impl, metric: 'samples/s', higherIsBetter: true, stats: summarize(samples) });
    const ours = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    ctx.progress.update('mlp: wasmgrad', 0.1);
    const wasmgrad = wasmgradRun(ctx.quick ? 60 : 150);
    const missing = ctx.compareTfjs ? await tfjsAvailable() : null;
    if (!ctx.compareTfjs || missing) {
      const rows = [row(ours, await throughputRuns(wasmgrad, runs))];
      if (missing) rows.push({ workload: 'mlp', case: 'tfjs', impl: 'tfjs', metric: '', higherIsBetter: true, stats: { median: 0, min: 0, max: 0, runs: 0 }, note: missing });
      return rows;
    }
    // wasmgrad and tfjs-layers wasm take turns (the ratio that matters); the much slower CPU backend runs after.
    ctx.progress.update('mlp: wasmgrad and tfjs-layers (wasm), taking turns', 0.2);
    const [a, b] = await interleavedRuns([wasmgrad, await tfjsRun('wasm', ctx.threads, 40)], runs);
    ctx.progress.update('mlp: tfjs-layers (cpu)', 0.7);
    const c = await throughputRuns(await tfjsRun('cpu', ctx.threads, 15), Math.min(runs, 5));
    return [row(ours, a), row('tfjs-layers wasm', b), row('tfjs-layers cpu', c)];
  },
};
export default workload;
