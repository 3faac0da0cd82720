// conv2d: forward GFLOP/s and forward+backward ms/step at MNIST-CNN sizes (batch 32, 28x28,
// 16->32 channels): 3x3 'same', 3x3 stride 2, 1x1; the algorithm choice per shape class
// (im2col + GEMM vs the direct paths); and, with --compare tfjs, tfjs conv2d forward on its WASM
// backend (NHWC; inputs transposed once outside the timed region) in the same run; with --compare
// torch, PyTorch's F.conv2d forward and forward+backward on the same shapes and thread count.
import * as wg from '../../src/index.js';
import type { ConvAlgo, Conv2dOptions } from '../../src/ops/conv.js';
import { notRun, summarize, throughput, timeIt, type BenchContext, type Row, type Workload } from '../harness.js';
import { loadTfjs, tfjsAvailable } from '../peers/tfjs.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

const { conv2d } = wg.nn.functional;
const { _setConvAlgo } = wg;

interface ConvShape {
  name: string; N: number; C: number; H: number; W: number; O: number; k: number; groups: number;
  opts: Conv2dOptions; tfPad: 'same' | 'valid' | number; stride: number;
}

const BASE = { N: 32, C: 16, H: 28, W: 28, O: 32, groups: 1 };
const SHAPES: ConvShape[] = [
  { ...BASE, name: 'b32 28x28 16->32 3x3 same', k: 3, opts: { padding: 'same' }, tfPad: 'same', stride: 1 },
  { ...BASE, name: 'b32 28x28 16->32 3x3 stride 2 pad 1', k: 3, opts: { stride: 2, padding: 1 }, tfPad: 1, stride: 2 },
  { ...BASE, name: 'b32 28x28 16->32 1x1', k: 1, opts: {}, tfPad: 'valid', stride: 1 },
];
// Shape classes where more than one algorithm applies (conv2d picks the faster: ops/conv.ts chooseAlgo).
const ALGO_SHAPES: ConvShape[] = [
  { ...BASE, name: 'b32 28x28 32ch depthwise 3x3 pad 1', C: 32, O: 32, groups: 32, k: 3, opts: { padding: 1, groups: 32 }, tfPad: 1, stride: 1 },
  { ...BASE, name: 'b32 14x14 64ch depthwise 3x3 stride 2', H: 14, W: 14, C: 64, O: 64, groups: 64, k: 3, opts: { padding: 1, stride: 2, groups: 64 }, tfPad: 1, stride: 2 },
  SHAPES[2],
  { ...BASE, name: 'b32 14x14 64->128 1x1', H: 14, W: 14, C: 64, O: 128, k: 1, opts: {}, tfPad: 'valid', stride: 1 },
];

function outSize(s: ConvShape): [number, number] {
  const p = s.tfPad === 'same' ? (s.k - 1) / 2 : s.tfPad === 'valid' ? 0 : s.tfPad;
  return [Math.floor((s.H + 2 * p - s.k) / s.stride) + 1, Math.floor((s.W + 2 * p - s.k) / s.stride) + 1];
}
const flops = (s: ConvShape) => { const [oh, ow] = outSize(s); return 2 * s.N * s.O * oh * ow * (s.C / s.groups) * s.k * s.k; };

function tensors(s: ConvShape, grad: boolean) {
  wg.manualSeed(1);
  const x = wg.randn([s.N, s.C, s.H, s.W], { requiresGrad: grad });
  const w = wg.randn([s.O, s.C / s.groups, s.k, s.k]).mulScalar_(0.1).requiresGrad_(grad);
  const b = wg.randn([s.O], { requiresGrad: grad });
  return { x, w, b };
}

const fwdOpts = (ctx: BenchContext) => ({ minRuns: 10, minSeconds: ctx.quick ? 0.2 : 0.6 });
const stepOpts = (ctx: BenchContext) => ({ minRuns: 8, minSeconds: ctx.quick ? 0.2 : 0.6 });

async function forwardRow(s: ConvShape, ctx: BenchContext, impl: string, algo: ConvAlgo = 'auto'): Promise<Row> {
  const { x, w } = tensors(s, false);
  const prev = _setConvAlgo(algo);
  try {
    // No bias on either side of the tfjs comparison (tfjs conv2d has none).
    const samples = await timeIt(() => wg.tidy(() => { conv2d(x, w, null, s.opts); }), fwdOpts(ctx));
    return { workload: 'conv', case: `${s.name} fwd`, impl, metric: 'GFLOP/s', higherIsBetter: true, stats: throughput(samples, flops(s) / 1e9) };
  } finally {
    _setConvAlgo(prev);
    for (const t of [x, w]) t.dispose();
  }
}

async function stepRow(s: ConvShape, ctx: BenchContext, impl: string, algo: ConvAlgo = 'auto'): Promise<Row> {
  const { x, w, b } = tensors(s, true);
  const prev = _setConvAlgo(algo);
  try {
    const [oh, ow] = outSize(s);
    const gy = wg.randn([s.N, s.O, oh, ow]);
    const step = () => {
      x.grad = null; w.grad = null; b.grad = null;
      conv2d(x, w, b, s.opts).backward(gy);
    };
    const samples = await timeIt(step, stepOpts(ctx));
    gy.dispose();
    return { workload: 'conv', case: `${s.name} fwd+bwd`, impl, metric: 'ms/step', higherIsBetter: false, stats: summarize(samples.map((t) => t * 1000)) };
  } finally {
    _setConvAlgo(prev);
    for (const t of [x, w, b]) t.dispose();
  }
}

async function tfjsForwardRow(tf: any, s: ConvShape, ctx: BenchContext): Promise<Row> {
  // NHWC input and HWIO filter, made once outside the timed region.
  const x = tf.randomNormal([s.N, s.H, s.W, s.C]);
  const w = tf.randomNormal([s.k, s.k, s.C, s.O]);
  const run = () => { const y = tf.conv2d(x, w, s.stride, s.tfPad); y.dataSync(); y.dispose(); };
  const samples = await timeIt(run, fwdOpts(ctx));
  x.dispose(); w.dispose();
  return { workload: 'conv', case: `${s.name} fwd`, impl: 'tfjs-wasm', metric: 'GFLOP/s', higherIsBetter: true, stats: throughput(samples, flops(s) / 1e9) };
}

export const workload: Workload = {
  name: 'conv',
  description: 'conv2d forward GFLOP/s and forward+backward ms (batch 32, 28x28, 16->32), algorithm choice, tfjs-wasm conv2d, PyTorch',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const ours = `wasmgrad ${ctx.simd}${ctx.threads > 1 ? ` x${ctx.threads}` : ''}`;
    const tfMissing = ctx.peers.has('tfjs') ? await tfjsAvailable() : null;
    const tf = ctx.peers.has('tfjs') && !tfMissing ? (await loadTfjs('wasm', ctx.threads)).tf : null;
    const total = SHAPES.length + ALGO_SHAPES.length;
    let step = 0;
    for (const s of SHAPES) {
      ctx.progress.update(`conv ${s.name}`, step++ / total);
      rows.push(await forwardRow(s, ctx, ours));
      if (tf) rows.push(await tfjsForwardRow(tf, s, ctx));
      rows.push(await stepRow(s, ctx, ours));
    }
    for (const s of ALGO_SHAPES) {
      ctx.progress.update(`conv algo ${s.name}`, step++ / total);
      for (const algo of ['direct', 'im2col'] as const) {
        const label = `${ours} (${algo === 'direct' ? (s.groups > 1 ? 'direct depthwise' : 'GEMM on input') : 'im2col+GEMM'})`;
        rows.push({ ...(await forwardRow(s, ctx, label, algo)), case: `algo: ${s.name} fwd` });
        rows.push({ ...(await stepRow(s, ctx, label, algo)), case: `algo: ${s.name} fwd+bwd` });
      }
    }
    if (ctx.peers.has('torch')) {
      const missing = await torchAvailable();
      if (missing) rows.push(notRun('conv', '—', 'PyTorch', missing));
      else {
        ctx.progress.update('conv: PyTorch', 0.98);
        const padding = (s: ConvShape) => (s.tfPad === 'valid' ? 0 : s.tfPad);
        const shapes = SHAPES.map((s) => ({ name: s.name, N: s.N, C: s.C, H: s.H, W: s.W, O: s.O, k: s.k, groups: s.groups,
          stride: s.stride, padding: padding(s), fwdOpts: fwdOpts(ctx), stepOpts: stepOpts(ctx) }));
        const r = await runTorch('conv', { shapes }, ctx.threads);
        for (const s of SHAPES) {
          rows.push({ workload: 'conv', case: `${s.name} fwd`, impl: torchLabel(ctx.threads), metric: 'GFLOP/s', higherIsBetter: true,
            stats: throughput(r.cases[`${s.name} fwd`], flops(s) / 1e9) });
          rows.push({ workload: 'conv', case: `${s.name} fwd+bwd`, impl: torchLabel(ctx.threads), metric: 'ms/step', higherIsBetter: false,
            stats: summarize(r.cases[`${s.name} fwd+bwd`].map((t) => t * 1000)) });
        }
      }
    }
    if (tfMissing) rows.push(notRun('conv', '—', 'tfjs-wasm', tfMissing));
    return rows;
  },
};
export default workload;
