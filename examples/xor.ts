// XOR: the smallest problem a linear model cannot solve. A 2-8-1 MLP with tanh and a sigmoid output,
// binary cross-entropy, full-batch SGD with momentum.   npx tsx examples/xor.ts
import * as wg from '../src/index.js';

const { nn, optim } = wg;

export async function trainXor(log: (line: string) => void = console.log) {
  await wg.init();
  wg.manualSeed(1);
  const x = wg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = wg.tensor([[0], [1], [1], [0]]);
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1), new nn.Sigmoid());
  const opt = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
  let loss = 0;
  for (let step = 1; step <= 500; step++) {
    opt.zeroGrad();
    const l = nn.functional.binaryCrossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
    if (step % 100 === 0) log(`step ${step}  loss ${loss.toFixed(5)}`);
  }
  const out = wg.noGrad(() => model.forward(x)).data() as Float32Array;
  log(`predictions for (0,0) (0,1) (1,0) (1,1): ${Array.from(out, (v) => v.toFixed(3)).join(' ')}`);
  return { loss, predictions: Array.from(out) };
}

if (process.argv[1]?.endsWith('xor.ts')) await trainXor();
