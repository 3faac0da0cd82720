// Does a second thread speed up training? Alternates short blocks of training steps on 1 and on N
// threads in one process and reports the paired ratio, which holds up on a noisy shared machine
// where two separate runs can differ by 30%. Models: the MNIST MLP (784-128-64-10, SGD), the
// bench's small CNN (SGD) and the example CNN (examples/mnist-cnn.ts, Adam); batch 64.
//   npx tsx bench/threads-train.ts [--model mlp|cnn|cnn-example] [--blocks 16] [--steps 150]
import * as wg from '../src/index.js';
import { loadMnist } from '../examples/mnist.js';
import { buildCnn } from '../examples/mnist-cnn.js';
import { trainingRunner } from './train-loop.js';
import { buildSmallCnn } from './workloads/cnn.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
await wg.init();
const threads = wg.getNumThreads();
if (threads < 2) { console.log('one thread only here: nothing to compare'); process.exit(0); }
const { nn, optim } = wg;
const kind = arg('--model', 'mlp');
const m = loadMnist();
const image = kind === 'mlp' ? [784] : [1, 28, 28];
const x = wg.tensor(m.trainImages, { shape: [m.nTrain, ...image] });
const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
const model = kind === 'mlp'
  ? new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10))
  : kind === 'cnn' ? buildSmallCnn() : buildCnn();
const opt = kind === 'cnn-example' ? new optim.Adam(model.parameters(), { lr: 1e-3 }) : new optim.SGD(model.parameters(), { lr: 0.01 });
const blocks = Number(arg('--blocks', '16')), block = Number(arg('--steps', kind === 'mlp' ? '150' : '30'));
// 10 untimed steps open every block: the switch of thread count leaves the worker and caches cold.
const run = trainingRunner(model, opt, x, y, 64, block, 10);
const rates: Record<number, number[]> = { 1: [], [threads]: [] };
for (let i = 0; i < 5; i++) run();
for (let b = 0; b < blocks; b++) {
  for (const t of [1, threads]) {
    wg.setNumThreads(t);
    rates[t].push(run());
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const ratios = rates[threads].map((v, i) => v / rates[1][i]);
console.log(`${kind}: samples/s (median of ${blocks} blocks of ${block} steps): 1 thread ${median(rates[1]).toFixed(0)}, ` +
  `${threads} threads ${median(rates[threads]).toFixed(0)}; paired speed-up median ${median(ratios).toFixed(2)}x` +
  ` (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
