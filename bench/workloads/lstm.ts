// One LSTM layer (seq 32, batch 32, input 32, hidden 128): ms per training step (forward, backward
// through time, SGD) and per inference forward; with --compare tfjs, tf.layers.lstm on tfjs's WASM
// backend (model.fit / model.predict) with the same shapes, loss and optimizer, same run; with
// --compare torch, nn.LSTM in PyTorch likewise.
import * as wg from '../../src/index.js';
import { msPerCall, notRun, summarize, timeIt, type BenchContext, type Row, type TorchPairing, type Workload } from '../harness.js';
import { loadTfjs, tfjsAvailable } from '../peers/tfjs.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

const SEQ = 32, BATCH = 32, INPUT = 32, HIDDEN = 128, LR = 0.01;
const CASE = `1 layer, seq ${SEQ}, batch ${BATCH}, ${INPUT}->${HIDDEN}`;

// Loss on the final hidden state (tfjs's returnSequences: false output), MSE against a fixed target.
function wasmgradSetup() {
  const { nn, optim } = wg;
  wg.manualSeed(0);
  const lstm = new nn.LSTM(INPUT, HIDDEN);
  const opt = new optim.SGD(lstm.parameters(), { lr: LR });
  const x = wg.randn([SEQ, BATCH, INPUT]), y = wg.randn([BATCH, HIDDEN]);
  const train = () => {
    opt.zeroGrad();
    const [, [hN]] = lstm.forward(x);
    const loss = hN.select(0, 0).sub(y).square().mean();
    loss.backward();
    opt.step();
  };
  // tidy frees the outputs at once, as the tfjs side disposes its own: left to the garbage collector,
  // every call would write fresh (page-faulting) memory, which tripled the time of the cell kernel here.
  const infer = () => wg.tidy(() => wg.noGrad(() => lstm.forward(x)[0].data()));
  return { train, infer };
}

// pytorch_peer.py's lstm: the same shapes, loss and optimizer (trainCalls/inferCalls: the vs-torch block sizes).
const torchParams = (extra: Record<string, unknown>) =>
  ({ seq: SEQ, batch: BATCH, input: INPUT, hidden: HIDDEN, lr: LR, trainCase: `train ${CASE}`, inferCase: `inference ${CASE}`, ...extra });

async function tfjsSetup(threads: number) {
  const { tf, layers } = await loadTfjs('wasm', threads);
  const model = layers.sequential();
  // recurrentInitializer: tfjs-layers 4.22's default 'orthogonal' throws on the WASM backend
  // ("rMat.flatten is not a function"); the initializer does not affect timing.
  model.add(layers.layers.lstm({ units: HIDDEN, inputShape: [SEQ, INPUT], returnSequences: false, recurrentInitializer: 'glorotUniform' }));
  model.compile({ optimizer: tf.train.sgd(LR), loss: 'meanSquaredError' });
  // tfjs-layers is batch-major: [batch, seq, feature].
  const x = tf.randomNormal([BATCH, SEQ, INPUT]), y = tf.randomNormal([BATCH, HIDDEN]);
  // One fit() epoch of one batch: tfjs-layers' training path (its trainOnBatch measured slower for the MLP).
  const train = async () => { await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 }); };
  const infer = () => { const out = model.predict(x); out.dataSync(); out.dispose(); };
  const dispose = () => { x.dispose(); y.dispose(); model.dispose(); };
  return { train, infer, dispose };
}

export const workload: Workload = {
  name: 'lstm',
  description: `LSTM ${CASE}: ms per training step (forward + BPTT + SGD) and per inference forward`,
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    // A generous warm-up: V8 tiers hot wasm functions up from its baseline compiler only after many calls.
    const opts = { warmup: 15, minRuns: ctx.quick ? 5 : 10, maxRuns: 60, minSeconds: ctx.quick ? 0.5 : 1.5 };
    const impl = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    const ms = (samples: number[]) => summarize(samples.map((s) => s * 1000));
    const row = (c: string, who: string, samples: number[]): Row =>
      ({ workload: 'lstm', case: c, impl: who, metric: 'ms/step', higherIsBetter: false, stats: ms(samples) });

    ctx.progress.update('lstm: wasmgrad train', 0.05);
    const ours = wasmgradSetup();
    rows.push(row(`train ${CASE}`, impl, await timeIt(ours.train, opts)));
    ctx.progress.update('lstm: wasmgrad inference', 0.2);
    rows.push(row(`inference ${CASE}`, impl, await timeIt(ours.infer, opts)));

    if (ctx.peers.has('torch')) {
      const missing = await torchAvailable();
      if (missing) rows.push(notRun('lstm', `train ${CASE}`, 'PyTorch', missing, false));
      else {
        ctx.progress.update('lstm: PyTorch', 0.3);
        const r = await runTorch('lstm', torchParams({ opts }), ctx.threads);
        for (const c of [`train ${CASE}`, `inference ${CASE}`]) rows.push(row(c, torchLabel(ctx.threads), r.cases[c]));
      }
    }
    if (ctx.peers.has('tfjs')) {
      const missing = await tfjsAvailable();
      if (missing) return [...rows, notRun('lstm', `train ${CASE}`, 'tfjs-layers wasm', missing, false)];
      const tfOpts = { warmup: 3, minRuns: ctx.quick ? 3 : 5, maxRuns: 20, minSeconds: ctx.quick ? 0.5 : 1.5 };
      ctx.progress.update('lstm: tfjs-layers wasm train', 0.4);
      const peer = await tfjsSetup(ctx.threads);
      rows.push(row(`train ${CASE}`, 'tfjs-layers wasm', await timeIt(peer.train, tfOpts)));
      ctx.progress.update('lstm: tfjs-layers wasm inference', 0.8);
      rows.push(row(`inference ${CASE}`, 'tfjs-layers wasm', await timeIt(peer.infer, tfOpts)));
      peer.dispose();
    }
    return rows;
  },
  pairWithTorch(ctx): TorchPairing {
    // About 0.2 s of wasmgrad per block (a training step ~19 ms, an inference ~9 ms here).
    const [trainCalls, inferCalls] = ctx.quick ? [2, 4] : [10, 25];
    const ours = wasmgradSetup();
    const perCall = { metric: 'ms/step', higherIsBetter: false };
    return {
      cases: [
        { case: `train ${CASE}`, ...perCall, wasmgrad: msPerCall(ours.train, trainCalls) },
        { case: `inference ${CASE}`, ...perCall, wasmgrad: msPerCall(ours.infer, inferCalls) },
      ],
      torch: { workload: 'lstm', params: torchParams({ trainCalls, inferCalls }) },
    };
  },
};
export default workload;
