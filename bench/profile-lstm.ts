// Where does the LSTM benchmark step (1 layer, seq 32, batch 32, 32->128) spend its time? Times
// training steps (forward, backward through time, SGD) and inference forwards; run under
// `node --cpu-prof --import tsx` for per-function detail:
//   npx tsx bench/profile-lstm.ts [--threads N] [--steps N] [--mode train|infer]
import * as wg from '../src/index.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
await wg.init({ threads: Number(arg('--threads', '1')) });
const { nn, optim } = wg;
wg.manualSeed(0);
const lstm = new nn.LSTM(32, 128);
const opt = new optim.SGD(lstm.parameters(), { lr: 0.01 });
const x = wg.randn([32, 32, 32]), y = wg.randn([32, 128]);
const train = () => { opt.zeroGrad(); const [, [hN]] = lstm.forward(x); hN.select(0, 0).sub(y).square().mean().backward(); opt.step(); };
const infer = () => wg.tidy(() => wg.noGrad(() => lstm.forward(x)[0].data()));
const mode = arg('--mode', 'train'), steps = Number(arg('--steps', '300'));
const run = mode === 'train' ? train : infer;
for (let i = 0; i < 30; i++) run();
const t0 = performance.now();
for (let i = 0; i < steps; i++) run();
const ms = (performance.now() - t0) / steps;
console.log(`${wg.backendInfo().simd} build, ${wg.backendInfo().threads} thread(s), ${mode}: ${ms.toFixed(2)} ms/step`);
