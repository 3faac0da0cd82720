// Where does splitting a GEMM across threads start to pay? Times matmul at growing sizes with 1 and
// with all threads (forcing the split by lowering the threshold) and prints the ratio per size.
//   npx tsx bench/threads-crossover.ts
import * as wg from '../src/index.js';
import { _setParallelThreshold } from '../src/ops/matmul.js';
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
