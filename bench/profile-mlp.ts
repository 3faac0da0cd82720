// Where does a training step of the MNIST MLP spend its time? Times each phase of the step
// (forward, loss, backward, optimizer) over many steps; run under `node --cpu-prof` for detail:
//   npx tsx bench/profile-mlp.ts [--threads N] [--steps N]
import * as wg from '../src/index.js';
import { loadMnist } from '../examples/mnist.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
await wg.init({ threads: arg('--threads', 1) });
const { nn, optim, data } = wg;
const m = loadMnist();
const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 784] });
const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
const phases = { batch: 0, forward: 0, loss: 0, backward: 0, step: 0 };
const steps = arg('--steps', 1000);
let done = 0;
const t0 = performance.now();
while (done < steps) {
  let t = performance.now();
  for (const [xb, yb] of loader) {
    const t1 = performance.now(); phases.batch += t1 - t;
    opt.zeroGrad();
    const out = model.forward(xb);
    const t2 = performance.now(); phases.forward += t2 - t1;
    const loss = nn.functional.crossEntropy(out, yb);
    const t3 = performance.now(); phases.loss += t3 - t2;
    loss.backward();
    const t4 = performance.now(); phases.backward += t4 - t3;
    opt.step();
    t = performance.now(); phases.step += t - t4;
    if (++done >= steps) break;
  }
}
const total = performance.now() - t0;
console.log(`${wg.backendInfo().simd} build, ${wg.backendInfo().threads} thread(s): ${((steps * 64) / (total / 1000)).toFixed(0)} samples/s, ${(total / steps * 1000).toFixed(0)} us/step`);
for (const [k, v] of Object.entries(phases)) console.log(`  ${k.padEnd(9)} ${(v / steps * 1000).toFixed(0).padStart(5)} us/step  ${(100 * v / total).toFixed(1)}%`);
