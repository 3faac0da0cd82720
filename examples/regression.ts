// Regression with MSE, and the three flavours of gradient descent, which differ only in batchSize:
//   batch GD        batchSize = dataset length (one exact gradient step per epoch)
//   stochastic GD   batchSize = 1              (one noisy step per sample)
//   mini-batch GD   batchSize = n              (the usual compromise)
// Fits y = sin(2x) + 0.5x + noise with a 1-32-32-1 tanh MLP.   npx tsx examples/regression.ts
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';

const { nn, optim, data } = wg;

function makeData(n: number, seed: number) {
  wg.manualSeed(seed);
  const x = wg.rand([n, 1]).mul(6).sub(3);
  const noise = wg.randn([n, 1]).mul(0.1);
  const y = wg.noGrad(() => x.mul(2).sin().add(x.mul(0.5)).add(noise));
  return { x: x, y };
}

export async function fitRegression(batchSize: number | 'full', opts: { epochs?: number; lr?: number; log?: (l: string) => void } = {}) {
  const { epochs = 60, log = console.log } = opts;
  await wg.init();
  const train = makeData(512, 1), test = makeData(256, 2);
  wg.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(1, 32), new nn.Tanh(), new nn.Linear(32, 32), new nn.Tanh(), new nn.Linear(32, 1));
  const size = batchSize === 'full' ? train.x.shape[0] : batchSize;
  // Smaller batches take more (noisier) steps per epoch, so they get a smaller learning rate.
  const lr = opts.lr ?? (size === 1 ? 0.005 : size >= 512 ? 0.1 : 0.05);
  const opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const loader = new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: size, shuffle: true, seed: 3 });
  let testMse = Infinity;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      nn.functional.mseLoss(model.forward(xb), yb).backward();
      opt.step();
    }
    testMse = wg.noGrad(() => nn.functional.mseLoss(model.forward(test.x), test.y).item());
    if (epoch % 20 === 0 || epoch === epochs) log(epochLine(epoch, epochs, { 'batch size': size, steps: loader.length * epoch, 'test mse': testMse }));
  }
  return { testMse, steps: loader.length * epochs };
}

if (process.argv[1]?.endsWith('regression.ts')) {
  for (const [name, bs] of [['batch gradient descent', 'full'], ['stochastic gradient descent', 1], ['mini-batch gradient descent', 32]] as const) {
    console.log(`\n${name} (batchSize ${bs === 'full' ? 'dataset length' : bs})`);
    const { testMse } = await fitRegression(bs);
    console.log(`${name}: test MSE ${testMse.toFixed(4)}`);
  }
}
