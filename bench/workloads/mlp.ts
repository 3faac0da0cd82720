// MNIST MLP training throughput (784-128-64-10, ReLU, SGD lr 0.1, batch 64) for wasmgrad and, with
// --compare, tfjs-layers on its WASM and CPU backends, jax-js (jit of the whole step) and PyTorch,
// with the same model, data and batch.
import * as wg from '../../src/index.js';
import { benchMnist } from '../mnist-data.js';
import { trainingRunner } from '../train-loop.js';
import { interleavedRuns, notRun, summarize, type BenchContext, type Row, type TorchPairing, type Workload, throughputRuns } from '../harness.js';
import { loadTfjs, tfjsAvailable, tfjsFitRunner } from '../peers/tfjs.js';
import { jaxjsAvailable, jaxjsMlpRunner, loadJaxjs } from '../peers/jaxjs.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

const BATCH = 64, LR = 0.1;
const CASE = '784-128-64-10 b64 SGD';

function wasmgradRun(steps: number): () => number {
  const m = benchMnist();
  const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
  const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const { nn } = wg;
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
  return trainingRunner(model, new wg.optim.SGD(model.parameters(), { lr: LR }), x, y, BATCH, steps);
}

// pytorch_peer.py's mlp: the same model, data, batch, learning rate and steps per call.
const torchParams = (steps: number) => ({ case: CASE, digitsDir: benchMnist().digitsDir, batch: BATCH, lr: LR, steps });

async function tfjsRun(backend: 'wasm' | 'cpu', threads: number, steps: number): Promise<() => Promise<number>> {
  const { tf, layers } = await loadTfjs(backend, threads);
  const m = benchMnist();
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
      ({ workload: 'mlp', case: CASE, impl, metric: 'samples/s', higherIsBetter: true, stats: summarize(samples) });
    const ours = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    const data = benchMnist();
    if (data.syntheticNote) ctx.note(data.syntheticNote);
    ctx.progress.update('mlp: wasmgrad', 0.1);
    const contenders: { impl: string; run: () => number | Promise<number> }[] = [{ impl: ours, run: wasmgradRun(ctx.quick ? 60 : 150) }];
    const rows: Row[] = [];
    const tfMissing = ctx.peers.has('tfjs') ? await tfjsAvailable() : null;
    if (ctx.peers.has('tfjs') && !tfMissing) contenders.push({ impl: 'tfjs-layers wasm', run: await tfjsRun('wasm', ctx.threads, 40) });
    const jaxMissing = ctx.peers.has('jaxjs') ? await jaxjsAvailable() : null;
    if (ctx.peers.has('jaxjs') && !jaxMissing) {
      contenders.push({ impl: 'jax-js wasm (jit)', run: jaxjsMlpRunner(await loadJaxjs(), data.trainImages, data.trainLabels, data.nTrain, BATCH, LR, ctx.quick ? 20 : 40) });
    }
    // wasmgrad and the in-process WASM peers take turns (the ratios that matter); tfjs's much slower
    // CPU backend and PyTorch (another process) run after.
    ctx.progress.update(contenders.length > 1 ? 'mlp: wasmgrad and peers, taking turns' : 'mlp: wasmgrad', 0.2);
    const samples = await interleavedRuns(contenders.map((c) => c.run), runs);
    contenders.forEach((c, i) => rows.push(row(c.impl, samples[i])));
    if (ctx.peers.has('tfjs') && !tfMissing) {
      ctx.progress.update('mlp: tfjs-layers (cpu)', 0.7);
      rows.push(row('tfjs-layers cpu', await throughputRuns(await tfjsRun('cpu', ctx.threads, 15), Math.min(runs, 5))));
    }
    const torchMissing = ctx.peers.has('torch') ? await torchAvailable() : null;
    if (ctx.peers.has('torch') && !torchMissing) {
      ctx.progress.update('mlp: PyTorch', 0.85);
      const r = await runTorch('mlp', { ...torchParams(ctx.quick ? 60 : 150), runs }, ctx.threads);
      rows.push(row(torchLabel(ctx.threads), r.cases[CASE]));
    }
    if (tfMissing) rows.push(notRun('mlp', CASE, 'tfjs-layers', tfMissing));
    if (jaxMissing) rows.push(notRun('mlp', CASE, 'jax-js', jaxMissing));
    if (torchMissing) rows.push(notRun('mlp', CASE, 'PyTorch', torchMissing));
    return rows;
  },
  pairWithTorch(ctx): TorchPairing {
    const steps = ctx.quick ? 20 : 150;
    const note = benchMnist().syntheticNote;
    if (note) ctx.note(note);
    return {
      cases: [{ case: CASE, metric: 'samples/s', higherIsBetter: true, wasmgrad: wasmgradRun(steps) }],
      torch: { workload: 'mlp', params: torchParams(steps) },
    };
  },
};
export default workload;
