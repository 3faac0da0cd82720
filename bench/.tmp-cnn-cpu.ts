// temporary: samples per CPU-second and per wall-second for the two bench models (deleted after)
import * as wg from '../src/index.js';
import { loadMnist } from '../examples/mnist.js';
import { buildCnn } from '../examples/mnist-cnn.js';
import { conv2d } from '../src/ops/conv.js';
const threads = Number(process.argv[2] ?? 1);
await wg.init({ threads });
const { nn, optim, data } = wg;
function buildSmall() {
  return new nn.Sequential(new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(400, 10));
}
const m = loadMnist();
const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 1, 28, 28] });
const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
function run(model: any, adam: boolean, steps: number, reps: number) {
  const opt = adam ? new optim.Adam(model.parameters(), { lr: 1e-3 }) : new optim.SGD(model.parameters(), { lr: 0.05 });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
  let it = loader[Symbol.iterator]();
  model.train();
  const res: [number, number][] = [];
  for (let r = 0; r <= reps; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      let n = it.next(); if (n.done) { it = loader[Symbol.iterator](); n = it.next(); }
      const [xb, yb] = n.value;
      opt.zeroGrad(); const loss = nn.functional.crossEntropy(model.forward(xb), yb); loss.backward(); opt.step();
    }
    const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
    if (r) res.push([steps * 64 / wall, steps * 64 / ((c.user + c.system) / 1e6)]);
  }
  const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  return `wall ${med(res.map((r) => r[0])).toFixed(0)} /s, cpu ${med(res.map((r) => r[1])).toFixed(0)} /cpu-s (max wall ${Math.max(...res.map((r) => r[0])).toFixed(0)})`;
}
wg.manualSeed(0);
console.log(`threads ${threads} small: ${run(buildSmall(), false, 40, 5)}`);
console.log(`threads ${threads} example: ${run(buildCnn(), true, 16, 5)}`);
// conv fwd GFLOP/s: b32 28x28 16->32 3x3 same, and b64 14x14 16->32 pad1 (the example's conv2)
for (const [N, H] of [[32, 28], [64, 14]]) {
  const xx = wg.randn([N, 16, H, H]).keep(), w = wg.randn([32, 16, 3, 3]).keep();
  const fl = 2 * N * 32 * H * H * 144;
  const ts: number[] = [], cs: number[] = [];
  for (let i = 0; i < 30; i++) { const c0 = process.cpuUsage(); const t0 = performance.now(); wg.tidy(() => { conv2d(xx, w, null, { padding: 1 }); }); ts.push(performance.now() - t0); const c = process.cpuUsage(c0); cs.push((c.user + c.system) / 1000); }
  ts.sort((a, b) => a - b); cs.sort((a, b) => a - b);
  console.log(`threads ${threads} conv fwd b${N} ${H}x${H} 16->32: ${(fl / ts[15] / 1e6).toFixed(1)} GFLOP/s wall (best ${(fl / ts[0] / 1e6).toFixed(1)}), ${(fl / cs[15] / 1e6).toFixed(1)} per cpu-s`);
}
