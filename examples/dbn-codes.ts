// Dimensionality reduction: a 784-256-64-2 DBN whose top RBM has Gaussian (linear) hidden units maps
// each digit to a 2-D code with transform(). Pretrained without labels; the labels only colour the
// plot. Writes docs/images/dbn-codes.svg, a scatter plot of the test digits' codes.
// Run: npx tsx examples/dbn-codes.ts [--epochs 10]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { epochLine } from './progress.js';
import { mnistTensors } from './rbm-common.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// One thread: CD's GEMMs are small (batch 32-64), and this gives the single-core figures quoted in the docs.
await wg.init({ threads: 1 });
wg.manualSeed(0);
const epochs = arg('epochs', 10);
const m = mnistTensors();
const dbn = new wg.rbm.DBN([784, 256, 64, 2], { topHidden: 'gaussian' });
dbn.pretrain(m.trainX, {
  epochs, lr: 0.1, momentum: 0.5, batchSize: 32,
  // Linear hidden units are unbounded: the top RBM needs a much smaller step (Hinton's guide).
  layers: [{}, {}, { lr: 0.002 }],
  onEpoch: (s) => console.log(epochLine(s.epoch, s.epochs, { 'recon error': s.reconstructionError })),
  onLayer: (i) => console.log(`layer ${i} (${dbn.sizes[i]} -> ${dbn.sizes[i + 1]}) pretrained`),
});

const codes = dbn.transform(m.testX).data() as Float32Array;
const labels = m.testY.data() as Int32Array;

// How well do the 2-D codes separate the classes? Accuracy of nearest class centroid (train codes).
const trainCodes = dbn.transform(m.trainX).data() as Float32Array, trainLabels = m.trainY.data() as Int32Array;
const centroid = Array.from({ length: 10 }, () => [0, 0, 0]);
trainLabels.forEach((y, i) => { centroid[y][0] += trainCodes[2 * i]; centroid[y][1] += trainCodes[2 * i + 1]; centroid[y][2]++; });
let correct = 0;
labels.forEach((y, i) => {
  let best = 0, bestD = Infinity;
  centroid.forEach(([sx, sy, n], c) => { const d = (codes[2 * i] - sx / n) ** 2 + (codes[2 * i + 1] - sy / n) ** 2; if (d < bestD) { bestD = d; best = c; } });
  if (best === y) correct++;
});
console.log(`nearest-centroid accuracy of the 2-D codes on ${m.nTest} test digits: ${((100 * correct) / m.nTest).toFixed(1)}% (chance 10%)`);

// SVG scatter: 480x480 plot area, one colour per digit, legend on the right.
const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const xs = labels.map((_, i) => codes[2 * i]), ys = labels.map((_, i) => codes[2 * i + 1]);
const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
const S = 480, M = 20;
const px = (v: number) => Math.round(M + ((v - x0) / (x1 - x0 || 1)) * S);
const py = (v: number) => Math.round(M + S - ((v - y0) / (y1 - y0 || 1)) * S);
// One group per class keeps the file small (integer coordinates, no per-dot colour).
const dots = colours.map((c, d) => `<g fill="${c}">` +
  Array.from(labels).flatMap((y, i) => (y === d ? [`<circle cx="${px(xs[i])}" cy="${py(ys[i])}" r="2"/>`] : [])).join('') + '</g>');
const legend = colours.map((c, d) => `<circle cx="${S + 2 * M + 6}" cy="${M + 12 + d * 22}" r="5" fill="${c}"/><text x="${S + 2 * M + 16}" y="${M + 17 + d * 22}">${d}</text>`);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${S + 2 * M + 50}" height="${S + 2 * M}" font-family="sans-serif" font-size="14">` +
  `<rect width="100%" height="100%" fill="white"/><g fill-opacity="0.75">${dots.join('')}</g>${legend.join('')}</svg>\n`;
mkdirSync('docs/images', { recursive: true });
writeFileSync('docs/images/dbn-codes.svg', svg);
console.log(`wrote docs/images/dbn-codes.svg (${svg.length} bytes, ${m.nTest} test digits)`);
