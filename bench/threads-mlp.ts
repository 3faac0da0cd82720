// Does a second thread speed up MNIST MLP training (784-128-64-10, batch 64, SGD)? Alternates short
// blocks of steps on 1 and on N threads in one process and reports the paired ratio, which holds up
// on a noisy shared machine where two separate runs can differ by 30%.
//   npx tsx bench/threads-mlp.ts [--blocks 16] [--steps 150]
import * as wg from '../src/index.js';
import { loadMnist } from '../examples/mnist.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
await wg.init();
const threads = wg.getNumThreads();
if (threads < 2) { console.log('one thread only here: nothing to compare'); process.exit(0); }
const { nn, optim, data } = wg;
const m = loadMnist();
const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
let batches = loader[Symbol.iterator]();
function steps(n: number): void {
  for (let i = 0; i < n; i++) {
    let r = batches.next();
    if (r.done) { batches = loader[Symbol.iterator](); r = batches.next(); }
    const [xb, yb] = r.value;
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(xb), yb).backward();
    opt.step();
  }
}
const blocks = arg('--blocks', 16), block = arg('--steps', 150);
const us: Record<number, number[]> = { 1: [], [threads]: [] };
steps(300);
for (let b = 0; b < blocks; b++) {
  for (const t of [1, threads]) {
    wg.setNumThreads(t);
    steps(10);
    const t0 = performance.now();
    steps(block);
    us[t].push(((performance.now() - t0) / block) * 1000);
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const ratios = us[1].map((v, i) => v / us[threads][i]);
console.log(`us/step (median of ${blocks} blocks of ${block}): 1 thread ${median(us[1]).toFixed(0)}, ${threads} threads ${median(us[threads]).toFixed(0)}` +
  ` (${((64e6 / median(us[threads])) | 0)} samples/s); paired speed-up median ${median(ratios).toFixed(2)}x` +
  ` (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);

