// Where does splitting work across threads start to pay? Times matmul, an elementwise map and an
// SGD update at growing sizes with 1 and with all threads (forcing the split by lowering the
// thresholds), back to back as in a training step, and prints the ratio per size.
//   npx tsx bench/threads-crossover.ts
import * as wg from '../src/index.js';
import { _setParallelThreshold } from '../src/ops/matmul.js';
import { _setMinParallelElements } from '../src/runtime/parallel.js';
import { summarize, timeIt } from './harness.js';

await wg.init();
const threads = wg.backendInfo().threads;
if (threads < 2) { console.log('one thread only here: nothing to measure'); process.exit(0); }
console.log(`GEMM M=N=K=n, 1 vs ${threads} threads (median ms; ratio > 1 means threads help)`);
_setParallelThreshold(0);
for (const n of [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]) {
  const a = wg.randn([n, n]), b = wg.randn([n, n]);
  const time = async (t: number) => {
    wg.setNumThreads(t);
    return summarize(await timeIt(() => wg.tidy(() => { a.matmul(b); }), { warmup: 5, minRuns: 20, minSeconds: 0.3 })).median * 1e3;
  };
  const one = await time(1), many = await time(threads);
  console.log(`n=${String(n).padStart(4)}  macs=${String(n ** 3).padStart(10)}  1 thread ${one.toFixed(3)} ms  ${threads} threads ${many.toFixed(3)} ms  ratio ${(one / many).toFixed(2)}`);
  a.dispose(); b.dispose();
}

_setMinParallelElements(0);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
/** Median microseconds per call of f on 1 and on all threads, taking turns in blocks of calls. */
function pair(f: () => void, reps: number): [number, number] {
  const us: Record<number, number[]> = { 1: [], [threads]: [] };
  for (let b = 0; b < 15; b++) for (const t of [1, threads]) {
    wg.setNumThreads(t);
    f();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    us[t].push(((performance.now() - t0) / reps) * 1000);
  }
  return [median(us[1]), median(us[threads])];
}
console.log(`\nmemory-bound kernels, n elements, 1 vs ${threads} threads (median us; ratio > 1 means threads help)`);
for (const n of [1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20]) {
  const x = wg.randn([n]), p = wg.randn([n]).requiresGrad_();
  p.grad = wg.randn([n]);
  const opt = new wg.optim.SGD([p], { lr: 1e-3, momentum: 0.9 });
  const reps = Math.max(5, Math.round(2 ** 22 / n));
  const [g1, gN] = pair(() => wg.tidy(() => { x.sigmoid(); }), reps);
  const [s1, sN] = pair(() => opt.step(), reps);
  console.log(`n=${String(n).padStart(8)}  sigmoid ${g1.toFixed(1)} vs ${gN.toFixed(1)} us (ratio ${(g1 / gN).toFixed(2)})  ` +
    `SGD+momentum ${s1.toFixed(1)} vs ${sN.toFixed(1)} us (ratio ${(s1 / sN).toFixed(2)})`);
  x.dispose(); p.dispose();
}
