// Standalone SGEMM benchmark: assembly/gemm.ts (plain + relaxed SIMD builds) vs tfjs-backend-wasm
// and a plain JS i-k-j loop. Single thread, median GFLOP/s over repeated timed samples after warm-up.
//
//   node bench/gemm-standalone.mjs            # everything
//   node bench/gemm-standalone.mjs --quick    # our two builds only, fewer sizes
//   node bench/gemm-standalone.mjs --wasm=/path/a.wasm,/path/b.wasm   # prebuilt modules instead
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const wasmArg = process.argv.find((a) => a.startsWith('--wasm='));

function compile(relaxed) {
  const dir = mkdtempSync(join(tmpdir(), 'wg-gemm-'));
  const out = join(dir, 'gemm.wasm');
  writeFileSync(join(dir, 'asconfig.json'), '{}'); // don't pick up the project's entries
  execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), join(root, 'assembly/gemm.ts'),
    '--config', join(dir, 'asconfig.json'), '--runtime', 'stub', '--importMemory', '--noExportMemory', '-O3', '--noAssert',
    '--enable', 'simd', ...(relaxed ? ['--enable', 'relaxed-simd'] : []), '-o', out], { stdio: 'inherit' });
  const bytes = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

async function load(bytes) {
  const memory = new WebAssembly.Memory({ initial: 1024, maximum: 16384 });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory, abort() { throw new Error('abort'); }, seed: () => 1 } });
  return { x: instance.exports, memory };
}

// Seconds per call of fn: median and best sample, batching calls so each sample takes >= ~25 ms.
// (The best sample is reported too because the machine is shared: it approximates an idle core.)
function timeit(fn, flops) {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t > 25) break;
    reps *= 2;
  }
  const samples = [];
  const nSamples = flops > 1e9 ? 9 : 15;
  for (let s = 0; s < nSamples; s++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t) / 1000 / reps);
  }
  samples.sort((a, b) => a - b);
  return { med: samples[samples.length >> 1], best: samples[0] };
}

const rand = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; return a; };

// Our gemm through the exact ABI. Returns a closure running one product.
function ours(mod, tA, tB, M, N, K) {
  const { x, memory } = mod;
  const base = 65536;
  const A = base, B = A + M * K * 4 + 64, C = B + K * N * 4 + 64;
  const ws = x.gemm_workspace_bytes(M, N, K);
  const work = (C + M * N * 4 + 64 + 63) & ~63;
  const need = work + ws;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  new Float32Array(memory.buffer, A, M * K).set(rand(M * K));
  new Float32Array(memory.buffer, B, K * N).set(rand(K * N));
  const lda = tA ? M : K, ldb = tB ? K : N;
  return {
    run: () => x.gemm(tA, tB, M, N, K, A, lda, B, ldb, C, N, 0, 0, 0, 0, 0, work),
    result: () => new Float32Array(memory.buffer, C, M * N).slice(),
    inputs: () => [new Float32Array(memory.buffer, A, M * K).slice(), new Float32Array(memory.buffer, B, K * N).slice()],
  };
}

function jsGemm(M, N, K) {
  const A = rand(M * K), B = rand(K * N), C = new Float32Array(M * N);
  return () => {
    C.fill(0);
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const a = A[i * K + k], bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  };
}

async function tfjs() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  wasm.setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  await tf.setBackend('wasm');
  await tf.ready();
  return (M, N, K) => {
    const a = tf.tensor2d(rand(M * K), [M, K]), b = tf.tensor2d(rand(K * N), [K, N]);
    return () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
  };
}

function check(mod) { // quick sanity check against a float64 product, all trans combos
  for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    const M = 37, N = 45, K = 300;
    const g = ours(mod, tA, tB, M, N, K);
    const [A, B] = g.inputs();
    g.run();
    const C = g.result();
    let err = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * M + i] : A[i * K + k]) * (tB ? B[j * K + k] : B[k * N + j]);
      err = Math.max(err, Math.abs(s - C[i * N + j]));
    }
    if (err > 1e-3) throw new Error(`check failed tA=${tA} tB=${tB}: max err ${err}`);
  }
}

const gf = (M, N, K, t) => `${(2 * M * N * K / t.med / 1e9).toFixed(1)} (${(2 * M * N * K / t.best / 1e9).toFixed(1)})`;

const [plainBytes, relaxedBytes] = wasmArg ? wasmArg.slice(7).split(',').map((p) => readFileSync(p)) : [compile(false), compile(true)];
const builds = { plain: await load(plainBytes), relaxed: await load(relaxedBytes) };
for (const m of Object.values(builds)) check(m);

const sizes = quick ? [256, 512, 1024] : [64, 128, 256, 512, 1024];
const tfMake = quick ? null : await tfjs();
console.log('square n×n×n, GFLOP/s: median (best sample)');
console.log(['n', 'relaxed', 'plain', 'tfjs-wasm', 'js-ikj', 'relaxed/tfjs'].map((s) => s.padStart(16)).join(''));
for (const n of sizes) {
  const row = [n];
  const r = 2 * n ** 3;
  const tr = timeit(ours(builds.relaxed, 0, 0, n, n, n).run, r);
  const tp = timeit(ours(builds.plain, 0, 0, n, n, n).run, r);
  row.push(gf(n, n, n, tr), gf(n, n, n, tp));
  if (tfMake) {
    const tt = timeit(tfMake(n, n, n), r);
    row.push(gf(n, n, n, tt));
    const tj = n <= 512 ? timeit(jsGemm(n, n, n), r) : (() => { const f = jsGemm(n, n, n); const t = performance.now(); f(); const s = (performance.now() - t) / 1000; return { med: s, best: s }; })();
    row.push(gf(n, n, n, tj), `${(tt.med / tr.med).toFixed(2)}x (${(tt.best / tr.best).toFixed(2)}x)`);
  }
  console.log(row.map((s) => String(s).padStart(16)).join(''));
}

console.log('\nshapes M×K×N and transposes, GFLOP/s: median (best sample)');
console.log(['shape', 'trans', 'relaxed', 'plain', ...(tfMake ? ['tfjs-wasm'] : [])].map((s) => s.padStart(16)).join(''));
const shapes = [[512, 512, 512], [1024, 1024, 1024], [64, 784, 128], [64, 128, 784], [64, 784, 10], [784, 64, 128]];
for (const [M, K, N] of shapes) {
  for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    if (quick && tA && tB) continue;
    const r = 2 * M * N * K;
    const tr = timeit(ours(builds.relaxed, tA, tB, M, N, K).run, r);
    const tp = timeit(ours(builds.plain, tA, tB, M, N, K).run, r);
    const row = [`${M}x${K}x${N}`, `A${tA ? 'ᵀ' : ''}·B${tB ? 'ᵀ' : ''}`, gf(M, N, K, tr), gf(M, N, K, tp)];
    if (tfMake && !tA && !tB) row.push(gf(M, N, K, timeit(tfMake(M, N, K), r)));
    console.log(row.map((s) => String(s).padStart(16)).join(''));
  }
}
