import * as wg from '../src/index.js';
import { conv2d, _setCB } from '../src/ops/conv.js';
await wg.init({ threads: Number(process.argv[2] ?? 1) });
const budgets = (process.argv[3] ?? '262144,1048576,2097152,4194304,8388608').split(',').map(Number);
const layers = [
  { name: 'ex conv1 b64 1->16 28 p1', N: 64, C: 1, H: 28, O: 16, p: 1 },
  { name: 'ex conv2 b64 16->32 14 p1', N: 64, C: 16, H: 14, O: 32, p: 1 },
  { name: 'sm conv1 b64 1->8 28', N: 64, C: 1, H: 28, O: 8, p: 0 },
  { name: 'sm conv2 b64 8->16 13', N: 64, C: 8, H: 13, O: 16, p: 0 },
  { name: 'bench b32 16->32 28 same', N: 32, C: 16, H: 28, O: 32, p: 1 },
];
wg.manualSeed(0);
const best = new Map<string, number>();
for (let rep = 0; rep < 7; rep++) {
  for (const l of layers) {
    const x = wg.randn([l.N, l.C, l.H, l.H], { requiresGrad: true }).keep();
    const w = wg.randn([l.O, l.C, 3, 3], { requiresGrad: true }).keep(), b = wg.randn([l.O], { requiresGrad: true }).keep();
    const oh = l.H + 2 * l.p - 2; const gy = wg.randn([l.N, l.O, oh, oh]).keep();
    for (const cb of budgets) {
      _setCB(cb);
      for (const mode of ['fwd', 'step'] as const) {
        const f = () => { if (mode === 'fwd') wg.noGrad(() => wg.tidy(() => { conv2d(x, w, b, { padding: l.p, activation: 'relu' }); })); else { x.grad = null; w.grad = null; b.grad = null; conv2d(x, w, b, { padding: l.p, activation: 'relu' }).backward(gy); } };
        f();
        const ts: number[] = [];
        for (let i = 0; i < 5; i++) { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); ts.push((c.user + c.system) / 1000); }
        const key = `${l.name} ${mode} cb=${cb >> 10}K`;
        best.set(key, Math.min(best.get(key) ?? 1e9, Math.min(...ts)));
      }
    }
    for (const t of [x, w, b, gy]) t.dispose();
  }
}
for (const [k, v] of best) console.log(k.padEnd(50), v.toFixed(3), 'ms');
