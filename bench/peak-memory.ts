// Peak wasm bytes in use while training a model the user's way (DataLoader over MNIST, 100 batches of 64,
// 3 epochs, 1 thread by default) in a given source tree, for comparing trees (issue 14's memory target):
//   npx tsx bench/peak-memory.ts <tree> cnn|mlp [threads]   (cnn: examples/mnist-cnn.ts with Adam; mlp: the demo's MLP with SGD)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tree, which = 'cnn', threads = '1'] = process.argv.slice(2);
const wg = await import(pathToFileURL(resolve(tree, 'src/index.ts')).href) as typeof import('../src/index.js');
const { loadMnist } = await import(pathToFileURL(resolve(tree, 'examples/mnist.ts')).href);
const { buildCnn } = await import(pathToFileURL(resolve(tree, 'examples/mnist-cnn.ts')).href);
await wg.init({ threads: Number(threads) });
const { nn, optim, data } = wg;
const m = loadMnist();
const n = 64 * 100;
const isCnn = which === 'cnn';
const x = wg.tensor(m.trainImages.subarray(0, n * 784), { shape: isCnn ? [n, 1, 28, 28] : [n, 784] });
const y = wg.tensor(m.trainLabels.subarray(0, n), { shape: [n] });
const model = isCnn ? buildCnn() : new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = isCnn ? new optim.Adam(model.parameters(), { lr: 1e-3 }) : new optim.SGD(model.parameters(), { lr: 0.1 });
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1 });
for (let epoch = 0; epoch < 3; epoch++) for (const [xb, yb] of loader) { opt.zeroGrad(); nn.functional.crossEntropy(model.forward(xb), yb).backward(); opt.step(); }
const mem = wg.backendInfo().memory as any;
console.log(`${tree} ${which}: peak in use ${(mem.peakInUse / 2 ** 20).toFixed(2)} MiB, now ${(mem.inUse / 2 ** 20).toFixed(2)} MiB`);
