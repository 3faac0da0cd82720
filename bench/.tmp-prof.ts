import * as wg from '../src/index.js';
import { loadMnist } from '../examples/mnist.js';
import { buildCnn } from '../examples/mnist-cnn.js';
await wg.init({ threads: 1 });
const { nn, optim, data } = wg;
const small = process.argv[2] === 'small';
const m = loadMnist();
const x = wg.tensor(m.trainImages, { shape: [m.nTrain, 1, 28, 28] });
const y = wg.tensor(m.trainLabels, { shape: [m.nTrain] });
wg.manualSeed(0);
const model = small ? new nn.Sequential(new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(400, 10)) : buildCnn();
const opt = small ? new optim.SGD(model.parameters(), { lr: 0.05 }) : new optim.Adam(model.parameters(), { lr: 1e-3 });
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
let n = 0; const c0 = process.cpuUsage();
for (const [xb, yb] of loader) { opt.zeroGrad(); const loss = nn.functional.crossEntropy(model.forward(xb), yb); loss.backward(); opt.step(); if (++n === (small ? 600 : 200)) break; }
const c = process.cpuUsage(c0); console.log(`${(n * 64 / ((c.user + c.system) / 1e6)).toFixed(0)} samples/cpu-s`);
