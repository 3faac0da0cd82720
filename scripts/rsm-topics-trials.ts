// Trials for the Replicated Softmax on Spam Assassin (issue 17, second round): the example's data, split and
// validation tenth (examples/rbm-topics.ts), one training setting given as JSON, validation perplexity every
// `every` epochs with a small AIS (32 x 500 in the table of docs/models.md). Prints SUMMARY with the best.
//   npx tsx scripts/rsm-topics-trials.ts '{"weighting":"sqrt","lr":0.2,"decay":"linear","runs":32,"steps":500}'
// keys: epochs (40) every (10) runs (16) steps (300) lr (1) decay none|linear|inv momentum (0.9) batch (100)
//   weighting (documents) wd (0) k (1 -> 5 -> 10 by default) persistent (false|documents|particles) meanField
//   seed (1) hidden (50) initStd (0.1) unigramBias (true) buckets (per-length perplexities on validation)
//   lda (instead: LDA-50 as in the example, 30 iterations, its validation perplexity)
//   ema (decay of the parameters' moving average, fit's `ema`; emaStart: the epoch it starts, 0 before;
//   both the raw and the averaged model are scored at every checkpoint with the same AIS seed, and the
//   training stream is reseeded before every chunk so that evaluation does not change the trajectory)
//   reseed (that reseeding without an average) momentum0/momentumUntil (momentum before that epoch)
//   batchLate/batchFrom (batch size from that epoch)
import * as wg from '../src/index.js';
import { spamAssassin, split } from '../examples/text-data.js';
import { LDA } from '../examples/lda.js';
const cfg = JSON.parse(process.argv[2] ?? '{}');
const HIDDEN = cfg.hidden ?? 50, VOCAB = 2000;
const epochs = cfg.epochs ?? 40, every = cfg.every ?? 10, runs = cfg.runs ?? 16, steps = cfg.steps ?? 300;
await wg.init({ threads: 1 });
const t0 = performance.now();
const el = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const mails = spamAssassin();
const { train: trainAll } = split(mails.length, 0.8, 0);
const vocab = wg.data.Vocabulary.build(trainAll.map((i) => mails[i].words), { maxSize: VOCAB });
const train = trainAll.filter((i) => vocab.encode(mails[i].words).length > 0);
const X = vocab.counts(train.map((i) => mails[i].words));
wg.manualSeed(21);
const trainOrder = Array.from(wg.randperm(train.length).data());
const nVal = Math.round(train.length / 10);
const Xv = X.indexSelect(0, wg.tensor(Int32Array.from(trainOrder.slice(0, nVal)))).keep();
const Xfit = X.indexSelect(0, wg.tensor(Int32Array.from(trainOrder.slice(nVal)))).keep();
const freq = Xfit.sum(0).add(1);
const logUnigram = freq.div(freq.sum()).log();
const uni = Math.exp(-Xv.mul(logUnigram).sum().item() / Xv.sum().item());
if (cfg.lda) {
  wg.manualSeed(3);
  const lda = new LDA(VOCAB, { topics: HIDDEN });
  lda.fit(Xfit, { iterations: 30 });
  const lp = lda.logProb(Xv, 100);
  console.log(`LDA validation perplexity ${Math.exp(-lp.reduce((a, b) => a + b, 0) / Xv.sum().item()).toFixed(1)}`);
  process.exit(0);
}
wg.manualSeed(cfg.seed ?? 1);
const rsm = new wg.rbm.ReplicatedSoftmax(VOCAB, HIDDEN, { initStd: cfg.initStd ?? 0.1 });
if (cfg.unigramBias !== false) wg.noGrad(() => rsm.visibleBias.copy_(logUnigram));
const lr0 = cfg.lr ?? 1, decay = cfg.decay ?? 'none';
const lrAt = (e: number) => decay === 'none' ? lr0 : decay === 'linear' ? lr0 * Math.max(0.02, 1 - (e - 1) / epochs) : decay === 'inv' ? lr0 / (1 + (e - 1) / (cfg.tau ?? 10)) : lr0;
const kAt = (e: number) => cfg.k != null ? cfg.k : (e <= epochs / 2 ? 1 : e <= 3 * epochs / 4 ? 5 : 10);
console.log(JSON.stringify(cfg), `unigram val ${uni.toFixed(1)}`);
let best = Infinity, bestE = 0, bestRaw = Infinity, bestRawE = 0;
const vals: string[] = [], rawVals: string[] = [];
const emaOn = cfg.ema != null, reseed = emaOn || cfg.reseed;
const emaAt = (e: number) => (e < (cfg.emaStart ?? 1) ? 0 : cfg.ema);
for (let done = 0; done < epochs; done += every) {
  const n = Math.min(every, epochs - done);
  if (reseed) wg.manualSeed((cfg.seed ?? 1) * 1000 + done);
  const momentumAt = (e: number) => (cfg.momentum0 != null && e < cfg.momentumUntil ? cfg.momentum0 : cfg.momentum ?? 0.9);
  const batchAt = (e: number) => (cfg.batchLate != null && e >= cfg.batchFrom ? cfg.batchLate : cfg.batch ?? 100);
  // pcdFrom: persistent CD (pcdKind, default 'particles') from that epoch on, lr times pcdLr, k pcdK, weighting pcdWeighting.
  const pcd = (e: number) => cfg.pcdFrom != null && e >= cfg.pcdFrom;
  const h: any[] = [];
  // Momentum and batch size are per fit call: split the chunk where they change.
  for (let e = 1; e <= n;) {
    let m = 1;
    while (e + m <= n && momentumAt(done + e + m) === momentumAt(done + e) && batchAt(done + e + m) === batchAt(done + e) && pcd(done + e + m) === pcd(done + e)) m++;
    const off = done + e - 1, p = pcd(off + 1);
    h.push(...rsm.fit(Xfit, { epochs: m, lr: (x) => lrAt(off + x) * (p ? cfg.pcdLr ?? 1 : 1), momentum: momentumAt(off + 1), batchSize: batchAt(off + 1),
      weighting: p && cfg.pcdWeighting != null ? cfg.pcdWeighting : cfg.weighting ?? 'documents', weightDecay: cfg.wd ?? 0,
      k: (x) => (p && cfg.pcdK ? cfg.pcdK : kAt(off + x)), persistent: p ? cfg.pcdKind ?? 'particles' : cfg.persistent ?? false, meanField: cfg.meanField ?? false,
      ...(emaOn ? { ema: (x: number) => emaAt(off + x) } : {}) }));
    e += m;
  }
  if (emaOn) {
    wg.manualSeed(5);
    const raw = wg.rbm.perplexity(rsm, Xv, { runs, steps }).perplexity;
    rawVals.push(raw.toFixed(1));
    if (raw < bestRaw) { bestRaw = raw; bestRawE = done + n; }
  }
  wg.manualSeed(5);
  const model = emaOn ? rsm.averaged() : rsm;
  const pr = wg.rbm.perplexity(model, Xv, { runs, steps });
  const val = pr.perplexity;
  if (cfg.buckets) {
    const L = Xv.sum(-1).data(), U = Xv.mul(logUnigram).sum(-1).data();
    const edges = [0, 30, 100, 300, 1000, 1e9];
    const parts: string[] = [];
    for (let b = 0; b + 1 < edges.length; b++) {
      let w = 0, r = 0, u = 0, n = 0;
      for (let i = 0; i < L.length; i++) if (L[i] > edges[b] && L[i] <= edges[b + 1]) { w += L[i]; r += pr.logProb[i]; u += U[i]; n++; }
      parts.push(`(${edges[b]},${edges[b + 1]}] n${n} w${w} rsm ${Math.exp(-r / w).toFixed(0)} uni ${Math.exp(-u / w).toFixed(0)}`);
    }
    console.log('  ' + parts.join(' | '));
  }
  vals.push(val.toFixed(1));
  if (val < best) { best = val; bestE = done + n; }
  console.log(`epoch ${done + n} recon ${h[h.length - 1].reconstructionPerplexity.toFixed(1)} val ${val.toFixed(1)}${emaOn ? ` (raw ${rawVals[rawVals.length - 1]})` : ''} [${el()}]`);
}
// finalAis: [[runs, steps, seed], ...]: the last model (and its average) scored again with other AIS sizes and seeds.
const finals: string[] = [];
for (const [r, st, sd] of cfg.finalAis ?? []) {
  for (const [name, m] of emaOn ? [['raw', rsm], ['avg', rsm.averaged()]] as const : [['raw', rsm]] as const) {
    wg.manualSeed(sd);
    const pr = wg.rbm.perplexity(m, Xv, { runs: r, steps: st });
    const maxStd = Math.max(...pr.ais.estimates.map((e) => e.logZStd));
    const unsure = pr.ais.lengths.filter((_, i) => pr.ais.estimates[i].logZStd > 0.5);
    finals.push(`${name} ${r}x${st}/s${sd} ${pr.perplexity.toFixed(1)} (max std ${maxStd.toFixed(2)}, ${unsure.length}/${pr.ais.lengths.length} lengths above 0.5${unsure.length ? ` from ${unsure[0]}` : ''})`);
    console.log(`  final ${finals[finals.length - 1]} [${el()}]`);
  }
}
if (finals.length) console.log(`FINAL ${finals.join('; ')}`);
console.log(`SUMMARY ${JSON.stringify(cfg)} best ${best.toFixed(1)} @${bestE} vals ${vals.join(',')}` +
  `${emaOn ? ` | raw best ${bestRaw.toFixed(1)} @${bestRawE} vals ${rawVals.join(',')}` : ''} [${el()}]`);
