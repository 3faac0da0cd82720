// CNN training throughput on the standard MNIST split (batch 64): the example model
// (examples/mnist-cnn.ts, Adam) and a small model conv(1->8,3x3)+ReLU+pool2 -> conv(8->16,3x3)+ReLU+pool2
// -> Linear(400->10) with SGD. With --compare tfjs: tfjs-layers training the small model on its CPU
// backend, and an honest attempt on its WASM backend (which lacks conv backprop kernels); with
// --compare torch: PyTorch training both models.
import * as wg from '../../src/index.js';
import { benchMnist } from '../mnist-data.js';
import { trainingRunner } from '../train-loop.js';
import { buildCnn } from '../../examples/mnist-cnn.js';
import { notRun, summarize, type BenchContext, type Row, type TorchPairing, type Workload, throughputRuns } from '../harness.js';
import { loadTfjs, tfjsAvailable, tfjsFitRunner } from '../peers/tfjs.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

const BATCH = 64, SGD_LR = 0.05;
const SMALL = 'small conv8-conv16-fc b64 SGD';
const EXAMPLE = 'example CNN (mnist-cnn.ts) b64 Adam';

export function buildSmallCnn() {
  const { nn } = wg;
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2),   // 28 -> 26 -> 13
    new nn.Conv2d(8, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2),  // 13 -> 11 -> 5
    new nn.Flatten(), new nn.Linear(16 * 5 * 5, 10),
  );
}

/** A function that trains `steps` batches and returns samples/s (the PyTorch-style loop, no disposal). */
function wasmgradRun(model: InstanceType<typeof wg.nn.Sequential>, optimizer: 'sgd' | 'adam', steps: number): () => number {
  const m = benchMnist();
  const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 1, 28, 28] });
  const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
  const opt = optimizer === 'sgd' ? new wg.optim.SGD(model.parameters(), { lr: SGD_LR }) : new wg.optim.Adam(model.parameters(), { lr: 1e-3 });
  return trainingRunner(model, opt, x, y, BATCH, steps);
}

// pytorch_peer.py's cnn: both models with the same data, batch, optimizers and steps per call.
const torchParams = (smallSteps: number, exampleSteps: number) =>
  ({ digitsDir: benchMnist().digitsDir, batch: BATCH, sgdLr: SGD_LR, smallCase: SMALL, exampleCase: EXAMPLE, smallSteps, exampleSteps });

async function tfjsRun(backend: 'wasm' | 'cpu', threads: number, steps: number): Promise<() => Promise<number>> {
  const { tf, layers } = await loadTfjs(backend, threads);
  const m = benchMnist();
  const L = layers.layers;
  const model = layers.sequential();
  model.add(L.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(L.maxPooling2d({ poolSize: 2 }));
  model.add(L.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
  model.add(L.maxPooling2d({ poolSize: 2 }));
  model.add(L.flatten());
  model.add(L.dense({ units: 10 }));
  model.compile({ optimizer: tf.train.sgd(SGD_LR), loss: (yt: any, yp: any) => tf.losses.softmaxCrossEntropy(yt, yp) });
  const xs = tf.tensor4d(m.trainImages, [m.nTrain, 28, 28, 1]); // one channel: NCHW and NHWC coincide
  return tfjsFitRunner(tf, model, xs, m.trainLabels, BATCH, steps);
}

const noteRow = (c: string, impl: string, note: string): Row => notRun('cnn', c, impl, note);

export const workload: Workload = {
  name: 'cnn',
  description: 'MNIST CNN training samples/s (batch 64): example model (Adam) and small model (SGD); tfjs-layers, PyTorch',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const runs = ctx.quick ? 3 : 5;
    const ours = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    const data = benchMnist();
    if (data.syntheticNote) ctx.note(data.syntheticNote);
    wg.manualSeed(0);
    ctx.progress.update('cnn: wasmgrad small model', 0.05);
    rows.push({ workload: 'cnn', case: SMALL, impl: ours, metric: 'samples/s', higherIsBetter: true,
      stats: summarize(await throughputRuns(wasmgradRun(buildSmallCnn(), 'sgd', ctx.quick ? 20 : 40), runs)) });
    ctx.progress.update('cnn: wasmgrad example model', 0.3);
    rows.push({ workload: 'cnn', case: EXAMPLE, impl: ours, metric: 'samples/s', higherIsBetter: true,
      stats: summarize(await throughputRuns(wasmgradRun(buildCnn(), 'adam', ctx.quick ? 8 : 16), runs)) });
    if (ctx.peers.has('torch')) {
      const missing = await torchAvailable();
      if (missing) rows.push(noteRow(SMALL, 'PyTorch', missing));
      else {
        ctx.progress.update('cnn: PyTorch', 0.45);
        const r = await runTorch('cnn', { ...torchParams(ctx.quick ? 20 : 40, ctx.quick ? 8 : 16), runs }, ctx.threads);
        for (const c of [SMALL, EXAMPLE]) {
          rows.push({ workload: 'cnn', case: c, impl: torchLabel(ctx.threads), metric: 'samples/s', higherIsBetter: true, stats: summarize(r.cases[c]) });
        }
      }
    }
    if (ctx.peers.has('tfjs')) {
      const missing = await tfjsAvailable();
      if (missing) return [...rows, noteRow(SMALL, 'tfjs-layers', missing)];
      ctx.progress.update('cnn: tfjs-layers cpu', 0.6);
      rows.push({ workload: 'cnn', case: SMALL, impl: 'tfjs-layers cpu', metric: 'samples/s', higherIsBetter: true,
        stats: summarize(await throughputRuns(await tfjsRun('cpu', ctx.threads, ctx.quick ? 4 : 8), Math.min(runs, 3))) });
      ctx.progress.update('cnn: tfjs-layers wasm', 0.9);
      try {
        const run = await tfjsRun('wasm', ctx.threads, 2);
        rows.push({ workload: 'cnn', case: SMALL, impl: 'tfjs-layers wasm', metric: 'samples/s', higherIsBetter: true,
          stats: summarize(await throughputRuns(run, Math.min(runs, 3))) });
      } catch (e) {
        rows.push(noteRow(SMALL, 'tfjs-layers wasm', `cannot train: ${(e as Error).message.split('\n')[0]}`));
      }
    }
    return rows;
  },
  pairWithTorch(ctx): TorchPairing {
    const [smallSteps, exampleSteps] = ctx.quick ? [4, 2] : [40, 16];
    const note = benchMnist().syntheticNote;
    if (note) ctx.note(note);
    wg.manualSeed(0);
    const perSecond = { metric: 'samples/s', higherIsBetter: true };
    return {
      cases: [
        { case: SMALL, ...perSecond, wasmgrad: wasmgradRun(buildSmallCnn(), 'sgd', smallSteps) },
        { case: EXAMPLE, ...perSecond, wasmgrad: wasmgradRun(buildCnn(), 'adam', exampleSteps) },
      ],
      torch: { workload: 'cnn', params: torchParams(smallSteps, exampleSteps) },
    };
  },
};
export default workload;
