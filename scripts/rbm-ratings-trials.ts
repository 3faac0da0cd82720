// Trials for the collaborative-filtering RBM on the synthetic MovieLens-100K-shaped set (issue 16), outside the
// SoftmaxRBM class: its own CD-k loop (the example's split, k 1/3/5 at 1/2 and 3/4 of the epochs, momentum SGD,
// visible biases from the log rating frequencies) with variants the class does not have. Prints the validation
// RMSE per epoch, alone and averaged over the last 3/5/10/all epochs' predictions (docs/models.md's table).
//   npx tsx scripts/rbm-ratings-trials.ts [--epochs 30] [--hidden 100] [--lr 0.01] [--wd 0.01] [--momentum 0.9]
//     [--rank C]          factored weights W = (A B)ᵀ, A [items·K, C], B [C, hidden] (the paper's section 5)
//     [--dropout p]       dropout on the hidden units during CD (one mask per user per update; h scaled by 1-p to predict)
//     [--hid gauss|relu]  Gaussian (unit variance) or noisy rectified linear hidden units instead of binary
//     [--ord ord|only]    ordinal weights W = B + A ⊗ s (--wd on A, --wd-b on B), or A ⊗ s alone
//     [--decay cos]       cosine learning-rate decay; [--init-std 0.01] [--bias-wd 0] [--seed 0] [--tag name]
//   npx tsx scripts/rbm-ratings-trials.ts --bias-baseline   # μ + b_u + b_i (alternating ridge) on validation
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as wg from '../src/index.js';
import { syntheticRatings } from '../examples/data/synthetic-ratings.js';
import { softmaxVisible } from '../src/ops/rbm.js';
import { frame } from '../src/lifetime.js';
import { linear, matmul } from '../src/ops/matmul.js';
import { concat } from '../src/ops/join.js';
import { bernoulli, rand, tensor, zeros, randn } from '../src/ops/creation.js';
import { noGrad } from '../src/autograd/grad-mode.js';
import { Parameter } from '../src/nn/parameter.js';
import { SGD } from '../src/optim/sgd.js';
import { mulberry32 } from '../src/data/seeded-random.js';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const EPOCHS = Number(arg('epochs', '30')), H = Number(arg('hidden', '100')), C = Number(arg('rank', '0'));
const LR = Number(arg('lr', '0.01')), WD = Number(arg('wd', '0.01')), MOM = Number(arg('momentum', '0.9'));
const DROP = Number(arg('dropout', '0')), BS = Number(arg('batch', '20')), SEED = Number(arg('seed', '0'));
const DECAY = arg('decay', 'none'); // none | cos | exp:<gamma>
const INITSTD = Number(arg('init-std', '0.01'));
const BIASWD = Number(arg('bias-wd', '0'));
const KSCHED = arg('k', 'step'); // step | 1
const TAG = arg('tag', 'run');
const HID = arg('hid', 'sigmoid');
let lastPre: any = null;
const up = (v: any, W: any) => { const x = linear(v, W, bh); lastPre = x; return HID === 'sigmoid' ? x.sigmoid() : HID === 'relu' ? x.relu() : x; };
const sampleH = (p: any, pre?: any) => HID === 'sigmoid' ? bernoulli(p) : HID === 'gauss' ? p.add(randn(p.shape)) : lastPre.add(randn(p.shape).mul(lastPre.sigmoid().sqrt())).relu();
const K = 5;
await wg.init({ threads: 1 });
wg.manualSeed(SEED);
const s = syntheticRatings({ seed: 0 });
const all = new wg.data.Ratings(s.user, s.item, s.rating, s.nUsers, s.nItems);
const [rest, test] = wg.data.splitRatings(all, { testFraction: 0.1, seed: 1 });
const [train, val] = wg.data.splitRatings(rest, { testFraction: 0.1, seed: 2 });
const I = all.nItems, U = all.nUsers, IK = I * K;
const rows = train.byUser();
if (process.argv.includes('--bias-baseline')) {
  // μ + b_u + b_i by alternating ridge regression (20 sweeps) on the training ratings: the validation RMSE per λ.
  const mu = train.mean();
  for (const lam of [2, 5, 10, 25]) {
    const bu = new Float64Array(U), bi = new Float64Array(I);
    for (let it = 0; it < 20; it++) {
      const su = new Float64Array(U), cu = new Float64Array(U), si = new Float64Array(I), ci = new Float64Array(I);
      for (let i = 0; i < train.length; i++) { su[train.user[i]] += train.rating[i] - mu - bi[train.item[i]]; cu[train.user[i]]++; }
      for (let u = 0; u < U; u++) bu[u] = su[u] / (cu[u] + lam);
      for (let i = 0; i < train.length; i++) { si[train.item[i]] += train.rating[i] - mu - bu[train.user[i]]; ci[train.item[i]]++; }
      for (let i = 0; i < I; i++) bi[i] = si[i] / (ci[i] + lam);
    }
    let e = 0;
    for (let i = 0; i < val.length; i++) e += (Math.min(5, Math.max(1, mu + bu[val.user[i]] + bi[val.item[i]])) - val.rating[i]) ** 2;
    console.log(`user + item biases, lambda ${lam}: validation RMSE ${Math.sqrt(e / val.length).toFixed(4)}`);
  }
  process.exit(0);
}

const bv = new Parameter(zeros([IK])), bh = new Parameter(zeros([H]));
{ const counts = new Float32Array(IK).fill(1);
  for (let j = 0; j < rows.items.length; j++) counts[rows.items[j] * K + rows.values[j] - 1]++;
  for (let i = 0; i < IK; i++) counts[i] = Math.log(counts[i]);
  noGrad(() => bv.copy_(tensor(counts))); }
let Wp: Parameter | null = null, A: Parameter | null = null, Bm: Parameter | null = null;
const ORD = arg('ord', 'none'); // none | ord (W = A⊗s + B) | only (W = A⊗s)
const WDB = Number(arg('wd-b', '0.05'));
const sv = tensor(Float32Array.from({ length: K }, (_, k) => (k + 1 - (K + 1) / 2) / Math.sqrt(10)));
let Ao: Parameter | null = null;
if (C > 0) {
  // W [H, IK] = (A [IK, C] · B [C, H])ᵀ; init so W has roughly std INITSTD
  const sa = Math.sqrt(INITSTD / Math.sqrt(C));
  A = new Parameter(noGrad(() => randn([IK, C]).mul(sa)));
  Bm = new Parameter(noGrad(() => randn([C, H]).mul(sa)));
} else Wp = new Parameter(noGrad(() => randn([H, IK]).mul(INITSTD)));
if (ORD !== 'none') { Ao = new Parameter(noGrad(() => randn([H, I]).mul(INITSTD * Math.sqrt(5)))); if (ORD === 'only') noGrad(() => Wp!.mul_(0)); }
const params = C > 0 ? [A!, Bm!] : [Wp!];
const groups: any[] = [{ params, weightDecay: ORD === 'ord' ? WDB : WD }, { params: [bv, bh], weightDecay: BIASWD }];
if (Ao) groups.push({ params: [Ao], weightDecay: WD });
const opt = new SGD(groups, { lr: LR, momentum: MOM });
const weight = () => { const base = C > 0 ? matmul(A!, Bm!).t().contiguous() : Wp!; return Ao ? (ORD === 'only' ? Ao.unsqueeze(-1).mul(sv).reshape([H, IK]) : Ao.unsqueeze(-1).mul(sv).reshape([H, IK]).add(base)) : base; };

const batchOf = (users: ArrayLike<number>) => {
  const d = new Int32Array(users.length * I);
  for (let b = 0; b < users.length; b++) { const u = users[b]; for (let j = rows.rowPtr[u]; j < rows.rowPtr[u + 1]; j++) d[b * I + rows.items[j]] = rows.values[j]; }
  return tensor(d, { shape: [users.length, I] });
};

function step(users: ArrayLike<number>, k: number) {
  frame(() => noGrad(() => {
    const ratings = batchOf(users), n = users.length;
    const W = weight();
    const v0 = softmaxVisible('onehot', null, ratings, K, 'x');
    let p0 = up(v0, W);
    const mask = DROP > 0 ? bernoulli(zeros([n, H]).add(1 - DROP)) : null;
    if (mask) p0 = p0.mul(mask);
    let h = sampleH(p0), vNeg = v0, pNeg = p0;
    for (let st = 0; st < k; st++) {
      const act = linear(h, W.t(), bv);
      vNeg = softmaxVisible(st < k - 1 ? 'sample' : 'probs', act, ratings, K, 'x');
      pNeg = up(vNeg, W);
      if (mask) pNeg = pNeg.mul(mask);
      if (st < k - 1) h = sampleH(pNeg);
    }
    const sc = -1 / n;
    const dW = matmul(concat([p0.mul(sc), pNeg.mul(-sc)], 0).t(), concat([v0, vNeg], 0)); // [H, IK], descent gradient
    if (C > 0) { A!.grad = matmul(dW.t(), Bm!.t()); Bm!.grad = matmul(A!.t(), dW.t()); }
    else if (ORD !== 'only') Wp!.grad = dW; else Wp!.grad = zeros([H, IK]);
    if (Ao) Ao.grad = dW.reshape([H, I, K]).mul(sv).sum(-1);
    bv.grad = v0.sub(vNeg).sum(0).mul(sc);
    bh.grad = p0.sub(pNeg).sum(0).mul(sc);
    opt.step(); opt.zeroGrad();
  }));
}

const heldUsers = Int32Array.from([...val.user, ...test.user]), heldItems = Int32Array.from([...val.item, ...test.item]);
function predict(): Float32Array {
  const out = new Float32Array(heldUsers.length);
  const byU: number[][] = Array.from({ length: U }, () => []);
  heldUsers.forEach((u, i) => byU[u].push(i));
  const scale = 1 - DROP;
  for (let b0 = 0; b0 < U; b0 += 250) {
    const users = Int32Array.from({ length: Math.min(250, U - b0) }, (_, i) => b0 + i);
    const ex = frame(() => noGrad(() => {
      const W = weight();
      const v = softmaxVisible('onehot', null, batchOf(users), K, 'x');
      let h = up(v, W);
      if (scale !== 1) h = h.mul(scale);
      return softmaxVisible('expect', linear(h, W.t(), bv), null, K, 'x').data() as Float32Array;
    }));
    users.forEach((u, r) => { for (const i of byU[u]) out[i] = ex[r * I + heldItems[i]]; });
  }
  return out;
}
const nV = val.length;
const rmse = (p: ArrayLike<number>, r: wg.data.Ratings, off = 0) => { let e = 0; for (let i = 0; i < r.length; i++) e += (p[off + i] - r.rating[i]) ** 2; return Math.sqrt(e / r.length); };

const order = Int32Array.from({ length: U }, (_, i) => i);
const g = mulberry32(1000 + SEED);
const preds: Float32Array[] = [];
let best = { v: Infinity, e: 0 }, bestAvg = { v: Infinity, e: 0, n: 0 };
const t0 = Date.now();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const k = KSCHED === '1' ? 1 : epoch <= EPOCHS / 2 ? 1 : epoch <= (3 * EPOCHS) / 4 ? 3 : 5;
  const f = (epoch - 1) / EPOCHS;
  const lr = DECAY === 'cos' ? LR * 0.5 * (1 + Math.cos(Math.PI * f)) : DECAY.startsWith('exp:') ? LR * Number(DECAY.slice(4)) ** (epoch - 1) : LR;
  opt.paramGroups.forEach((pg) => { pg.lr = lr; });
  for (let i = U - 1; i > 0; i--) { const j = Math.floor(g() * (i + 1)); const t = order[i]; order[i] = order[j]; order[j] = t; }
  for (let st = 0; st < U; st += BS) step(order.subarray(st, Math.min(U, st + BS)), k);
  const p = predict(); preds.push(p);
  const v = rmse(p, val);
  if (v < best.v) best = { v, e: epoch };
  const avgs: string[] = [];
  for (const n of [3, 5, 10, 1000]) {
    const m = Math.min(n, preds.length); if (m < 2 || (n !== 1000 && m < n)) continue;
    const a = new Float32Array(nV);
    for (let q = preds.length - m; q < preds.length; q++) for (let i = 0; i < nV; i++) a[i] += preds[q][i] / m;
    const av = rmse(a, val);
    if (av < bestAvg.v) bestAvg = { v: av, e: epoch, n: m };
    avgs.push(`avg${n === 1000 ? 'all' : n} ${av.toFixed(4)}`);
  }
  console.log(`${TAG} epoch ${epoch} k ${k} lr ${lr.toFixed(4)} val ${v.toFixed(4)} ${avgs.join(' ')} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
}
console.log(`${TAG} BEST single ${best.v.toFixed(4)} @${best.e}  avg ${bestAvg.v.toFixed(4)} @${bestAvg.e} over ${bestAvg.n}`);
const buf = new Float32Array(preds.length * heldUsers.length); preds.forEach((p, i) => buf.set(p, i * heldUsers.length));
writeFileSync(`${tmpdir()}/rbm-trial-${TAG}.f32`, Buffer.from(buf.buffer));
