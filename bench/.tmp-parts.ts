import { instantiateBuild } from './raw-kernels.ts';
const R = instantiateBuild('relaxed', 512); const k = R.k; const f = R.f32();
const cpu = (fn: () => void, reps = 15) => { fn(); let best = 1e9; for (let i = 0; i < reps; i++) { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); best = Math.min(best, (c.user + c.system) / 1000); } return best; };
for (const [N, C, H, O, p] of [[8, 16, 14, 32, 1], [16, 1, 28, 16, 1], [64, 8, 13, 16, 0], [16, 1, 28, 8, 0]]) {
  const oh = H + 2 * p - 2, L = oh * oh, Kg = C * 9, NL = N * L;
  const x = R.alloc(N * C * H * H * 4), w = R.alloc(O * Kg * 4), cols = R.alloc(Kg * NL * 4), out = R.alloc(O * NL * 4), y = R.alloc(O * NL * 4), dx = R.alloc(N * C * H * H * 4), dw = R.alloc(O * Kg * 4), bias = R.alloc(O * 4);
  const work = R.alloc(k.gemm_workspace_bytes(Math.max(NL, Kg, O), Math.max(NL, Kg, O), Math.max(NL, Kg)) + 1024);
  for (let i = 0; i < N * C * H * H; i++) f[x / 4 + i] = Math.random() - 0.5;
  for (let i = 0; i < O * Kg; i++) f[w / 4 + i] = Math.random() - 0.5;
  const im2col = () => { for (let n = 0; n < N; n++) k.conv_im2col(x + n * C * H * H * 4, C, H, H, 3, 3, p, p, 1, 1, 1, 1, oh, oh, cols + n * L * 4, NL); };
  const gA = () => k.gemm(0, 0, O, NL, Kg, w, Kg, cols, NL, out, NL, 0, bias, 2, 1, 0, work);
  const gB = () => k.gemm(1, 1, NL, O, Kg, cols, NL, w, Kg, out, O, 0, bias, 1, 1, 0, work);
  const scat = () => k.conv_scatter_nchw(out, O, N, L, y);
  const gath = () => k.conv_gather_act_backward(1, y, y, N, O, L, 0, out, NL, bias);
  const dW = () => k.gemm(0, 1, O, Kg, NL, out, NL, cols, NL, dw, Kg, 0, 0, 0, 0, 0, work);
  const dWT = () => k.gemm(0, 1, Kg, O, NL, cols, NL, out, NL, dw, O, 0, 0, 0, 0, 0, work);
  const dcols = () => k.gemm(1, 0, Kg, NL, O, w, Kg, out, NL, cols, NL, 0, 0, 0, 0, 0, work);
  const col2im = () => { for (let n = 0; n < N; n++) k.conv_col2im(cols + n * L * 4, C, H, H, 3, 3, p, p, 1, 1, 1, 1, oh, oh, dx + n * C * H * H * 4, NL); };
  const fl = 2 * O * Kg * NL / 1e6;
  const r: string[] = [];
  for (const [name, fn, isG] of [['im2col', im2col, 0], ['gemmA', gA, 1], ['gemmB(nhwc)', gB, 1], ['scatter', scat, 0], ['gather', gath, 0], ['dW', dW, 1], ['dWT', dWT, 1], ['dcols', dcols, 1], ['col2im', col2im, 0]] as const) {
    const t = cpu(fn as () => void); r.push(`${name} ${t.toFixed(3)}${isG ? ` (${(fl / t).toFixed(0)}GF)` : ''}`);
  }
  console.log(`N${N} C${C} H${H} O${O}: ` + r.join(' | '));
}
