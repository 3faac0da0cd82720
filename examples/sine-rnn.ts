// Sequence regression with an LSTM: read 30 samples of a noisy sine wave (random phase, frequency
// and amplitude per window) and predict the next value. Trained with Adam and gradient-norm
// clipping, no dispose() anywhere; prints per-epoch progress and the held-out test MSE.
//   npx tsx examples/sine-rnn.ts [--epochs 12]
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';

const { nn, optim } = wg;
const WINDOW = 30, NOISE = 0.05, HIDDEN = 32;

// Deterministic data: a small LCG so every run and runtime sees the same windows.
function makeRng(seed: number) {
  let s = seed >>> 0;
  const uniform = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** n windows of WINDOW noisy samples and the (noisy) next sample: x [n, WINDOW, 1], y [n, 1]. */
function makeWindows(n: number, seed: number): [wg.Tensor, wg.Tensor] {
  const rng = makeRng(seed);
  const xs = new Float32Array(n * WINDOW), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const phase = rng.uniform() * 2 * Math.PI, freq = 0.15 + 0.15 * rng.uniform(), amp = 0.6 + 0.4 * rng.uniform();
    for (let t = 0; t <= WINDOW; t++) {
      const v = amp * Math.sin(phase + freq * t) + NOISE * rng.normal();
      if (t < WINDOW) xs[i * WINDOW + t] = v; else ys[i] = v;
    }
  }
  return [wg.tensor(xs, { shape: [n, WINDOW, 1] }), wg.tensor(ys, { shape: [n, 1] })];
}

class SineModel extends nn.Module {
  lstm = new nn.LSTM(1, HIDDEN, { batchFirst: true });
  head = new nn.Linear(HIDDEN, 1);
  forward(x: wg.Tensor): wg.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(1, WINDOW - 1)); // the state after the last sample
  }
}

export async function trainSine(opts: { epochs?: number; log?: (s: string) => void } = {}): Promise<{ testMse: number; noiseFloor: number }> {
  const { epochs = 12, log = console.log } = opts;
  await wg.init();
  wg.manualSeed(0);
  const [trainX, trainY] = makeWindows(2048, 1);
  const [testX, testY] = makeWindows(512, 2);
  const model = new SineModel();
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const mse = new nn.MSELoss();
  const batch = 64, n = trainX.shape[0];
  log(`${model}\ntrain ${n} windows, test ${testX.shape[0]}; noise std ${NOISE} (MSE floor ~${(NOISE ** 2).toFixed(4)})`);

  const testMse = () => wg.noGrad(() => { model.eval(); const v = mse.forward(model.forward(testX), testY).item(); model.train(); return v; });
  let last = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    const order = wg.randperm(n);
    let lossSum = 0, batches = 0;
    for (let i = 0; i < n; i += batch) {
      const idx = order.slice(0, i, i + batch);
      const xb = trainX.indexSelect(0, idx), yb = trainY.indexSelect(0, idx);
      opt.zeroGrad();
      const loss = mse.forward(model.forward(xb), yb);
      loss.backward();
      wg.clipGradNorm(model.parameters(), 1.0);
      opt.step();
      lossSum += loss.item();
      batches++;
    }
    last = testMse();
    log(epochLine(epoch, epochs, { 'train mse': lossSum / batches, 'test mse': last, s: ((performance.now() - t0) / 1000).toFixed(1) }));
  }
  log(`test MSE ${last.toFixed(5)} (${last < 0.01 ? 'below' : 'NOT below'} the 0.01 target)`);
  return { testMse: last, noiseFloor: NOISE ** 2 };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('sine-rnn.ts')) {
  const i = process.argv.indexOf('--epochs');
  trainSine({ epochs: i > 0 ? Number(process.argv[i + 1]) : undefined }).catch((e) => { console.error(e); process.exit(1); });
}
