// RBM contrastive-divergence training throughput: CD-1 on binarised MNIST, 784 visible x 500 hidden,
// batch 64. One step = three GEMMs (up, down, up) and one weight-gradient GEMM over the stacked
// positive and negative statistics (2·B rows) — about 3.9 MFLOP per sample — plus sampling and updates.
// Rows: the bare ContrastiveDivergence.step over pre-made batches, and RBM.fit through the DataLoader;
// with --compare torch, the same CD-1 step written in PyTorch tensor ops (PyTorch has no RBM, so the
// fit row has no counterpart).
import * as wg from '../../src/index.js';
import { benchMnist } from '../mnist-data.js';
import { syntheticRatings } from '../../examples/data/synthetic-ratings.js';
import { notRun, summarize, type BenchContext, type Row, type Workload } from '../harness.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

const V = 784, H = 500, BATCH = 64;
const FLOP_PER_SAMPLE = 5 * 2 * V * H;

function binarisedTrain(): wg.Tensor {
  const m = benchMnist();
  return wg.tensor(m.trainImages.map((p) => (p > 0.5 ? 1 : 0)), { shape: [m.nTrain, V] });
}

// CPU seconds of this process: on a shared machine the wall clock also counts other people's work.
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let lastCpuRate = 0;

function stepRun(x: wg.Tensor, steps: number): () => number {
  wg.manualSeed(0);
  const model = new wg.rbm.RBM(V, H);
  const cd = new wg.rbm.ContrastiveDivergence(model, { lr: 0.05, momentum: 0.5 });
  const nb = Math.floor(x.shape[0] / BATCH);
  const batches = Array.from({ length: Math.min(nb, 32) }, (_, i) => x.narrow(0, i * BATCH, BATCH).contiguous());
  let b = 0;
  return () => {
    const t0 = performance.now(), c0 = cpuSeconds();
    for (let s = 0; s < steps; s++) cd.step(batches[b++ % batches.length], { validate: false });
    lastCpuRate = (steps * BATCH) / (cpuSeconds() - c0);
    return (steps * BATCH) / ((performance.now() - t0) / 1000);
  };
}

function fitRun(x: wg.Tensor, rows: number): () => number {
  wg.manualSeed(0);
  const model = new wg.rbm.RBM(V, H);
  const part = x.narrow(0, 0, rows).contiguous();
  return () => {
    const c0 = cpuSeconds();
    const [stats] = model.fit(part, { epochs: 1, lr: 0.05, momentum: 0.5, batchSize: BATCH, pseudoLikelihoodSamples: 0 });
    lastCpuRate = rows / (cpuSeconds() - c0);
    return stats.samplesPerSecond;
  };
}

// SoftmaxRBM (collaborative filtering): one CD-1 epoch over the synthetic MovieLens-100K-shaped set
// (1,000 users x 1,700 items x 5 ratings, ~100k ratings), 100 hidden units, 20 users per batch; the
// rate is users per second of wall clock (and per CPU-second in the note).
function softmaxRun(): () => number {
  const s = syntheticRatings({ seed: 0 });
  const ratings = new wg.data.Ratings(s.user, s.item, s.rating, s.nUsers, s.nItems);
  wg.manualSeed(0);
  const model = new wg.rbm.SoftmaxRBM(s.nItems, 100);
  return () => {
    const c0 = cpuSeconds();
    const [stats] = model.fit(ratings, { epochs: 1, batchSize: 20, lr: 0.01 });
    lastCpuRate = s.nUsers / (cpuSeconds() - c0);
    return stats.usersPerSecond;
  };
}

// Wall-clock rates per run, and the median of the CPU-time rates recorded beside them.
function measure(fn: () => number, runs: number): { wall: number[]; cpu: number } {
  fn(); // warm-up
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) { wall.push(fn()); cpu.push(lastCpuRate); }
  return { wall, cpu: summarize(cpu).median };
}

export const workload: Workload = {
  name: 'rbm',
  description: 'RBM CD-1 training samples/s, 784 visible x 500 hidden, batch 64 (binarised MNIST); SoftmaxRBM CD-1 epoch on the synthetic MovieLens-100K-shaped set',
  async run(ctx: BenchContext): Promise<Row[]> {
    const runs = ctx.quick ? 3 : 7;
    const impl = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    const data = benchMnist();
    if (data.syntheticNote) ctx.note(data.syntheticNote);
    const x = binarisedTrain();
    ctx.progress.update('rbm: CD-1 step', 0.2);
    const step = measure(stepRun(x, ctx.quick ? 40 : 100), runs);
    ctx.progress.update('rbm: fit (DataLoader)', 0.6);
    const fit = measure(fitRun(x, ctx.quick ? 2048 : 4096), Math.min(runs, 5));
    ctx.progress.update('rbm: SoftmaxRBM epoch', 0.85);
    const soft = measure(softmaxRun(), ctx.quick ? 2 : 3);
    const note = (m: { wall: number[]; cpu: number }) => {
      const wall = summarize(m.wall).median;
      return `${((wall * FLOP_PER_SAMPLE) / 1e9).toFixed(1)} GFLOP/s` + (m.cpu ? `; per CPU-second ${Math.round(m.cpu)} samples/s` : '');
    };
    const STEP = `CD-1 ${V}x${H} b${BATCH} step`;
    const rows: Row[] = [
      { workload: 'rbm', case: STEP, impl, metric: 'samples/s', higherIsBetter: true, stats: summarize(step.wall), note: note(step) },
      { workload: 'rbm', case: `CD-1 ${V}x${H} b${BATCH} fit (DataLoader)`, impl, metric: 'samples/s', higherIsBetter: true, stats: summarize(fit.wall), note: note(fit) },
      { workload: 'rbm', case: 'SoftmaxRBM CD-1 epoch, synthetic 100K ratings (1000 users x 1700 items x 5, 100 hidden, b20)', impl, metric: 'users/s', higherIsBetter: true,
        stats: summarize(soft.wall), note: `one epoch ${(1000 / summarize(soft.wall).median).toFixed(2)} s` + (soft.cpu ? `; per CPU-second ${Math.round(soft.cpu)} users/s` : '') },
    ];
    if (ctx.peers.has('torch')) {
      const missing = await torchAvailable();
      if (missing) rows.push(notRun('rbm', STEP, 'PyTorch', missing));
      else {
        ctx.progress.update('rbm: PyTorch CD-1 step', 0.9);
        const r = await runTorch('rbm', { case: STEP, digitsDir: data.digitsDir, hidden: H, batch: BATCH, lr: 0.05, momentum: 0.5,
          steps: ctx.quick ? 40 : 100, runs }, ctx.threads);
        rows.push({ workload: 'rbm', case: STEP, impl: torchLabel(ctx.threads), metric: 'samples/s', higherIsBetter: true, stats: summarize(r.cases[STEP]) });
      }
    }
    return rows;
  },
};
export default workload;
