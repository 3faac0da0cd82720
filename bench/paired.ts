// Two source trees of wasmgrad in one process, taking turns block by block: the speed ratio of a
// change that no single timing on a noisy machine can show. Each tree has its own wasm instance.
//   npx tsx bench/paired.ts <base tree> <new tree> [mlp|cnn|cnn-example|lstm|lstm-infer] [threads] [rounds]
// e.g. `git worktree add /tmp/base <commit> && (cd /tmp/base && ln -s $PWD/node_modules && node
// scripts/build-wasm.mjs)`, then `npx tsx bench/paired.ts /tmp/base . mlp 1 80`. Prints the median
// and the quartiles of the per-round ratio new/base (speed: above 1, the new tree is faster), by CPU
// time of the process (WALL=1: wall time).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Lib = typeof import('../src/index.js');
const [baseTree, newTree, which = 'mlp', threadsArg = '1', roundsArg = '24'] = process.argv.slice(2);
if (!baseTree || !newTree) throw new Error('usage: npx tsx bench/paired.ts <base tree> <new tree> [mlp|cnn|cnn-example|lstm|lstm-infer] [threads] [rounds]');
const threads = Number(threadsArg), rounds = Number(roundsArg);
const load = async (tree: string): Promise<Lib> => import(pathToFileURL(resolve(tree, 'src/index.ts')).href);

function setup(wg: Lib): { steps: number; step: () => void } {
  const { nn, optim } = wg;
  const F = nn.functional;
  wg.manualSeed(0);
  if (which === 'mlp') {
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const x = wg.randn([64, 784]), y = wg.randint(0, 10, [64]);
    return { steps: 40, step: () => { opt.zeroGrad(); F.crossEntropy(model.forward(x), y).backward(); opt.step(); } };
  }
  if (which === 'cnn') {
    const model = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(16 * 7 * 7, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const x = wg.randn([64, 1, 28, 28]), y = wg.randint(0, 10, [64]);
    return { steps: 4, step: () => { opt.zeroGrad(); F.crossEntropy(model.forward(x), y).backward(); opt.step(); } };
  }
  if (which === 'cnn-example') { // examples/mnist-cnn.ts's model and optimizer (dropout left out: same work every step)
    const model = new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
      new nn.Linear(32 * 7 * 7, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = wg.randn([64, 1, 28, 28]), y = wg.randint(0, 10, [64]);
    return { steps: 2, step: () => { opt.zeroGrad(); F.crossEntropy(model.forward(x), y).backward(); opt.step(); } };
  }
  if (which === 'lstm') {
    const lstm = new nn.LSTM(32, 128);
    const opt = new optim.SGD(lstm.parameters(), { lr: 0.01 });
    const x = wg.randn([32, 32, 32]), y = wg.randn([32, 128]);
    return {
      steps: 4,
      step: () => { opt.zeroGrad(); const [, [hN]] = lstm.forward(x); hN.select(0, 0).sub(y).square().mean().backward(); opt.step(); },
    };
  }
  if (which === 'lstm-infer') { // the benchmark's inference forward: outputs freed at once, as there
    const lstm = new nn.LSTM(32, 128);
    const x = wg.randn([32, 32, 32]);
    return { steps: 8, step: () => wg.tidy(() => wg.noGrad(() => lstm.forward(x)[0].data())) };
  }
  throw new Error(`paired: unknown workload '${which}' (mlp, cnn, cnn-example, lstm or lstm-infer)`);
}

const libs = [await load(baseTree), await load(newTree)];
const runs: { steps: number; step: () => void }[] = [];
for (const wg of libs) { await wg.init({ threads }); runs.push(setup(wg)); }
for (const r of runs) for (let i = 0; i < 5 * r.steps; i++) r.step();   // warm-up: optimizer state, tiering
const cost = (r: { steps: number; step: () => void }): number => {
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < r.steps; i++) r.step();
  const c = process.cpuUsage(c0);
  return process.env.WALL ? performance.now() - t0 : c.user + c.system;
};
const ratios: number[] = [];
for (let k = 0; k < rounds; k++) {
  const t = [0, 0];
  for (const i of k % 2 ? [1, 0] : [0, 1]) t[i] = cost(runs[i]);   // alternate who goes first
  ratios.push(t[0] / t[1]);
}
ratios.sort((a, b) => a - b);
const q = (f: number) => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))].toFixed(3);
console.log(`${which}, ${threads} thread(s), ${rounds} rounds, ${process.env.WALL ? 'wall' : 'CPU'} time: speed new/base median ${q(0.5)} (quartiles ${q(0.25)}..${q(0.75)})`);
