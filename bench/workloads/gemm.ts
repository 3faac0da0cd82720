// sgemm GFLOP/s: square sizes and training-shaped products, for both SIMD builds, a plain-JS
// i-k-j loop and, with --compare, TensorFlow.js's and jax-js's WASM backends and PyTorch, all in one
// run. The per-shape rows time the raw kernels on one thread, so PyTorch runs them on one thread too;
// the "matmul, threads" case compares the library's matmul on all threads with PyTorch on as many.
import * as wg from '../../src/index.js';
import { instantiateBuild, type RawModule } from '../raw-kernels.js';
import { interleavedRuns, notRun, summarize, throughput, timeIt, type BenchContext, type Row, type Workload } from '../harness.js';
import { loadTfjs, tfjsAvailable } from '../peers/tfjs.js';
import { jaxjsAvailable, jaxjsGemm, loadJaxjs } from '../peers/jaxjs.js';
import { runTorch, torchAvailable, torchLabel } from '../peers/torch.js';

interface Shape { name: string; M: number; K: number; N: number }
const SQUARE = [64, 128, 256, 512, 1024];
const SHAPES: Shape[] = [
  ...SQUARE.map((n) => ({ name: `n=${n}`, M: n, K: n, N: n })),
  { name: '64x784x128 (MxKxN)', M: 64, K: 784, N: 128 },
  { name: '64x128x784 (MxKxN)', M: 64, K: 128, N: 784 },
  { name: '32x128x512 (MxKxN)', M: 32, K: 128, N: 512 }, // the LSTM's input projection per 32-row batch
];

function fill(a: Float32Array, seed: number): void {
  let s = seed;
  for (let i = 0; i < a.length; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = (s / 2 ** 32) - 0.5; }
}

function gemmCase(m: RawModule, s: Shape, transA = 0, transB = 0) {
  const A = m.alloc(s.M * s.K * 4), B = m.alloc(s.K * s.N * 4), C = m.alloc(s.M * s.N * 4);
  const W = m.alloc(m.k.gemm_workspace_bytes(s.M, s.N, s.K));
  fill(m.f32().subarray(A >> 2, (A >> 2) + s.M * s.K), 1);
  fill(m.f32().subarray(B >> 2, (B >> 2) + s.K * s.N), 2);
  const lda = transA ? s.M : s.K, ldb = transB ? s.K : s.N;
  return () => m.k.gemm(transA, transB, s.M, s.N, s.K, A, lda, B, ldb, C, s.N, 0, 0, 0, 0, 0, W);
}

function jsLoop(s: Shape) {
  const a = new Float32Array(s.M * s.K), b = new Float32Array(s.K * s.N), c = new Float32Array(s.M * s.N);
  fill(a, 1); fill(b, 2);
  return () => {
    c.fill(0);
    for (let i = 0; i < s.M; i++) for (let k = 0; k < s.K; k++) {
      const av = a[i * s.K + k];
      const row = k * s.N, out = i * s.N;
      for (let j = 0; j < s.N; j++) c[out + j] += av * b[row + j];
    }
  };
}

export const workload: Workload = {
  name: 'gemm',
  description: 'sgemm GFLOP/s (square and training-shaped) for both SIMD builds, JS loop, tfjs-wasm, jax-js, PyTorch',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const builds = [['relaxed', instantiateBuild('relaxed')], ['plain', instantiateBuild('simd')]] as const;
    const shapes = ctx.quick ? SHAPES.filter((s) => s.M <= 256 || s.name.includes('x')) : SHAPES;
    const tfMissing = ctx.peers.has('tfjs') ? await tfjsAvailable() : null;
    const tf = ctx.peers.has('tfjs') && !tfMissing ? (await loadTfjs('wasm', ctx.threads)).tf : null;
    const jaxMissing = ctx.peers.has('jaxjs') ? await jaxjsAvailable() : null;
    const jax = ctx.peers.has('jaxjs') && !jaxMissing ? await loadJaxjs() : null;
    const torchMissing = ctx.peers.has('torch') ? await torchAvailable() : null;
    const optsFor = (s: Shape) => ({ warmup: 2, minRuns: s.M * s.N * s.K >= 512 ** 3 ? 5 : 10, minSeconds: ctx.quick ? 0.2 : 0.6 });
    let step = 0;
    const total = shapes.length;
    for (const s of shapes) {
      const flops = 2 * s.M * s.N * s.K;
      ctx.progress.update(`gemm ${s.name}`, step++ / total);
      const opts = optsFor(s);
      for (const [label, m] of builds) {
        const run = gemmCase(m, s);
        rows.push({ workload: 'gemm', case: s.name, impl: `wasmgrad ${label}`, metric: 'GFLOP/s', higherIsBetter: true,
          stats: throughput(await timeIt(run, opts), flops / 1e9) });
      }
      if (tf) {
        const a = tf.randomUniform([s.M, s.K]), b = tf.randomUniform([s.K, s.N]);
        const run = () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
        rows.push({ workload: 'gemm', case: s.name, impl: 'tfjs-wasm', metric: 'GFLOP/s', higherIsBetter: true,
          stats: throughput(await timeIt(run, opts), flops / 1e9) });
        a.dispose(); b.dispose();
      }
      if (jax) {
        const peer = jaxjsGemm(jax, s.M, s.K, s.N, fill);
        rows.push({ workload: 'gemm', case: s.name, impl: 'jax-js wasm', metric: 'GFLOP/s', higherIsBetter: true,
          stats: throughput(await timeIt(peer.run, opts), flops / 1e9) });
        peer.dispose();
      }
      if (s.M * s.N * s.K <= 512 ** 3) {
        rows.push({ workload: 'gemm', case: s.name, impl: 'js loop (i-k-j)', metric: 'GFLOP/s', higherIsBetter: true,
          stats: throughput(await timeIt(jsLoop(s), { warmup: 1, minRuns: 3, maxRuns: 5, minSeconds: 0.1 }), flops / 1e9) });
      }
    }
    // Transposed-operand variants used by backward passes (no transpose materialised).
    const s = SHAPES.find((x) => x.M === 512)!;
    for (const [ta, tb, label] of [[1, 0, 'Aᵀ·B'], [0, 1, 'A·Bᵀ']] as const) {
      const run = gemmCase(builds[0][1], s, ta, tb);
      rows.push({ workload: 'gemm', case: `n=512 ${label}`, impl: 'wasmgrad relaxed', metric: 'GFLOP/s', higherIsBetter: true,
        stats: throughput(await timeIt(run, { minRuns: 5, minSeconds: ctx.quick ? 0.2 : 0.4 }), (2 * 512 ** 3) / 1e9) });
    }
    // Thread scaling through the library's own matmul (the worker pool over shared memory), 1 and
    // N threads taking turns so both see the same machine.
    const threadSizes = ctx.threads > 1 ? (ctx.quick ? [512] : [512, 1024]) : [];
    if (ctx.threads > 1) {
      for (const n of threadSizes) {
        const a = wg.randn([n, n]), b = wg.randn([n, n]);
        const reps = Math.max(1, Math.round(2 ** 29 / n ** 3));
        const gflops = (t: number) => () => {
          wg.setNumThreads(t);
          const t0 = performance.now();
          for (let i = 0; i < reps; i++) wg.tidy(() => { a.matmul(b); });
          return (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
        };
        ctx.progress.update(`gemm n=${n} matmul, 1 and ${ctx.threads} threads`, 0.95);
        const samples = await interleavedRuns([gflops(1), gflops(ctx.threads)], ctx.quick ? 5 : 15);
        [1, ctx.threads].forEach((t, i) => rows.push({ workload: 'gemm', case: `n=${n} matmul, threads`, impl: `wasmgrad ${ctx.simd} x${t}`,
          metric: 'GFLOP/s', higherIsBetter: true, stats: summarize(samples[i]) }));
        a.dispose(); b.dispose();
      }
      wg.setNumThreads(ctx.threads);
    }
    if (ctx.peers.has('torch') && !torchMissing) {
      // Separate processes: OpenBLAS sizes its thread pool once, from the environment.
      ctx.progress.update('gemm: PyTorch, one thread', 0.97);
      const one = await runTorch('gemm', { shapes: shapes.map((s) => ({ ...s, opts: optsFor(s) })) }, 1);
      for (const s of shapes) {
        rows.push({ workload: 'gemm', case: s.name, impl: torchLabel(1), metric: 'GFLOP/s', higherIsBetter: true,
          stats: throughput(one.cases[s.name], (2 * s.M * s.N * s.K) / 1e9) });
      }
      if (threadSizes.length) {
        ctx.progress.update(`gemm: PyTorch, ${ctx.threads} threads`, 0.99);
        const many = await runTorch('gemm', { shapes: threadSizes.map((n) => ({ name: `n=${n}`, M: n, K: n, N: n, opts: { minRuns: 5, minSeconds: ctx.quick ? 0.2 : 0.6 } })) }, ctx.threads);
        for (const n of threadSizes) {
          rows.push({ workload: 'gemm', case: `n=${n} matmul, threads`, impl: torchLabel(ctx.threads), metric: 'GFLOP/s', higherIsBetter: true,
            stats: throughput(many.cases[`n=${n}`], (2 * n ** 3) / 1e9) });
        }
      }
    }
    if (tfMissing) rows.push(notRun('gemm', '—', 'tfjs-wasm', tfMissing));
    if (jaxMissing) rows.push(notRun('gemm', '—', 'jax-js', jaxMissing));
    if (torchMissing) rows.push(notRun('gemm', '—', 'PyTorch', torchMissing));
    return rows;
  },
};
export default workload;
