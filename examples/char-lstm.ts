// Character-level language model: an LSTM reads one-hot characters of thirteen Shakespeare sonnets
// (examples/data/sonnets.txt, public domain) and predicts the next one. Each epoch prints its
// mean loss and a sample generated one character at a time from the carried LSTM state.
//   npx tsx examples/char-lstm.ts [--epochs 14]
import { readFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';

const { nn, optim } = wg;
const SEQ = 64, BATCH = 32, HIDDEN = 160, STEPS_PER_EPOCH = 30, PRIME = 'Shall I ';

class CharModel extends nn.Module {
  lstm: InstanceType<typeof nn.LSTM>;
  head: InstanceType<typeof nn.Linear>;
  constructor(readonly vocab: number) {
    super();
    this.lstm = new nn.LSTM(vocab, HIDDEN, { batchFirst: true });
    this.head = new nn.Linear(HIDDEN, vocab);
  }
  /** x [B, T, vocab] one-hot -> logits [B, T, vocab] and the final [h, c]. */
  forward(x: wg.Tensor, state: [wg.Tensor, wg.Tensor] | null = null): [wg.Tensor, [wg.Tensor, wg.Tensor]] {
    const [out, next] = this.lstm.forward(x, state);
    return [this.head.forward(out), next];
  }
}

// A seeded LCG for batch positions and sampling, so runs are reproducible.
function makeRng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function sample(model: CharModel, chars: string[], eye: wg.Tensor, length: number, temperature: number, rand: () => number): string {
  const index = new Map(chars.map((c, i) => [c, i]));
  return wg.noGrad(() => {
    model.eval();
    let state: [wg.Tensor, wg.Tensor] | null = null;
    let text = PRIME;
    let logits: wg.Tensor | null = null;
    const feed = (ch: string) => {
      const x = eye.indexSelect(0, [index.get(ch)!]).reshape([1, 1, chars.length]);
      [logits, state] = model.forward(x, state);
    };
    for (const ch of PRIME) feed(ch);
    for (let i = 0; i < length; i++) {
      const probs = logits!.reshape([-1]).div(temperature).softmax(0).data();
      let r = rand(), k = 0;
      while (k < probs.length - 1 && (r -= probs[k]) > 0) k++;
      text += chars[k];
      feed(chars[k]);
    }
    model.train();
    return text;
  });
}

export async function trainCharLstm(opts: { epochs?: number; log?: (s: string) => void } = {}) {
  const { epochs = 14, log = console.log } = opts;
  await wg.init();
  wg.manualSeed(0);
  const text = readFileSync(new URL('./data/sonnets.txt', import.meta.url), 'utf8');
  const chars = [...new Set(text)].sort();
  const V = chars.length;
  const ids = Int32Array.from(text, (c) => chars.indexOf(c));
  const eye = wg.eye(V);
  const model = new CharModel(V);
  const opt = new optim.Adam(model.parameters(), { lr: 0.005 });
  const rand = makeRng(1);
  log(`${text.length} characters, vocabulary ${V}\n${model}`);

  // A batch: BATCH random windows; inputs one-hot [B, T, V], targets the next characters [B*T].
  const batch = (): [wg.Tensor, wg.Tensor] => {
    const xi = new Int32Array(BATCH * SEQ), yi = new Int32Array(BATCH * SEQ);
    for (let b = 0; b < BATCH; b++) {
      const start = Math.floor(rand() * (ids.length - SEQ - 1));
      xi.set(ids.subarray(start, start + SEQ), b * SEQ);
      yi.set(ids.subarray(start + 1, start + SEQ + 1), b * SEQ);
    }
    const x = eye.indexSelect(0, wg.tensor(xi, { dtype: 'int32' })).reshape([BATCH, SEQ, V]);
    return [x, wg.tensor(yi, { dtype: 'int32' })];
  };

  let firstLoss = NaN, firstEpoch = NaN, lastEpoch = NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    let sum = 0;
    for (let s = 0; s < STEPS_PER_EPOCH; s++) {
      const [x, y] = batch();
      opt.zeroGrad();
      const [logits] = model.forward(x);
      const loss = nn.functional.crossEntropy(logits.reshape([-1, V]), y);
      loss.backward();
      wg.clipGradNorm(model.parameters(), 1.0);
      opt.step();
      const v = loss.item();
      if (Number.isNaN(firstLoss)) firstLoss = v;
      sum += v;
    }
    const mean = sum / STEPS_PER_EPOCH;
    if (epoch === 1) firstEpoch = mean;
    lastEpoch = mean;
    log(epochLine(epoch, epochs, { loss: mean, s: ((performance.now() - t0) / 1000).toFixed(1) }));
    log('  ' + sample(model, chars, eye, 120, 0.7, rand).replace(/\n/g, '\n  '));
  }
  const drop = 1 - lastEpoch / firstLoss;
  log(`loss: first batch ${firstLoss.toFixed(3)} (epoch 1 mean ${firstEpoch.toFixed(3)}) -> last epoch ${lastEpoch.toFixed(3)}: ` +
    `${(100 * drop).toFixed(1)}% lower (target >= 40%)`);
  return { firstLoss, firstEpoch, lastEpoch, drop };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('char-lstm.ts')) {
  const i = process.argv.indexOf('--epochs');
  trainCharLstm({ epochs: i > 0 ? Number(process.argv[i + 1]) : undefined }).catch((e) => { console.error(e); process.exit(1); });
}
