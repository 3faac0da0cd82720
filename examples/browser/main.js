// The page: starts the training worker, charts its progress, and turns what the visitor draws into
// a 28x28 MNIST-style image for the model. No libraries; works under a CSP of
// script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' (no inline script, no eval).
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const losses = []; // [epoch position, loss]
const accuracies = []; // [epoch, test accuracy]
let trained = false;
document.body.dataset.state = 'idle';

// ---- training and the chart ----------------------------------------------------------------------
$('train').addEventListener('click', () => {
  $('train').disabled = true;
  losses.length = 0; accuracies.length = 0;
  document.body.dataset.state = 'training';
  setStatus('loading wasmgrad and the MNIST split…');
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin-isolated pages.
  const threads = self.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 8) : 1;
  worker.postMessage({ type: 'train', epochs: Number($('epochs').value), threads });
});

worker.onmessage = ({ data: msg }) => {
  switch (msg.type) {
    case 'info':
      $('backend').textContent = `wasmgrad in a Web Worker: ${msg.simd} SIMD build, ${msg.threads} thread(s); ` +
        `page ${msg.crossOriginIsolated ? 'is' : 'is not'} cross-origin isolated`;
      $('backend').dataset.threads = msg.threads;
      $('backend').dataset.simd = msg.simd;
      break;
    case 'progress':
      losses.push([msg.epoch, msg.loss]);
      setStatus(`epoch ${Math.ceil(msg.epoch)}: loss ${msg.loss.toFixed(3)}`);
      drawChart();
      break;
    case 'epoch':
      accuracies.push([msg.epoch, msg.testAccuracy]);
      setStatus(`epoch ${msg.epoch}/${msg.epochs}: test accuracy ${(100 * msg.testAccuracy).toFixed(2)}% ` +
        `(${Math.round(msg.samplesPerSecond).toLocaleString('en')} samples/s)`);
      $('status').dataset.accuracy = msg.testAccuracy;
      drawChart();
      break;
    case 'done':
      trained = true;
      $('train').disabled = false;
      $('train').textContent = 'Train again';
      document.body.dataset.state = 'ready';
      setStatus(`${$('status').textContent}. Draw a digit below.`);
      if (hasInk()) requestPrediction();
      break;
    case 'prediction': showPrediction(msg.probabilities); break;
    case 'error':
      document.body.dataset.state = 'error';
      setStatus(`error: ${msg.message}`);
      $('train').disabled = false;
      break;
  }
};
worker.onerror = (e) => { document.body.dataset.state = 'error'; setStatus(`worker failed: ${e.message}`); };

function setStatus(text) { $('status').textContent = text; }

function drawChart() {
  const c = $('chart'), g = c.getContext('2d');
  const W = c.width, H = c.height, L = 48, R = 52, T = 14, B = 26;
  const epochs = Math.max(Number($('epochs').value), 1);
  const maxLoss = Math.max(0.5, ...losses.map(([, l]) => l));
  const x = (e) => L + (e / epochs) * (W - L - R);
  const yLoss = (l) => T + (1 - l / maxLoss) * (H - T - B);
  const yAcc = (a) => T + (1 - a) * (H - T - B);
  g.clearRect(0, 0, W, H);
  g.font = '12px system-ui, sans-serif';
  g.strokeStyle = '#e3e7f1'; g.fillStyle = '#8a93a6'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = T + (i / 4) * (H - T - B);
    g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.stroke();
    g.textAlign = 'right'; g.fillText((maxLoss * (1 - i / 4)).toFixed(2), L - 6, y + 4);
    g.textAlign = 'left'; g.fillText(`${100 - i * 25}%`, W - R + 6, y + 4);
  }
  g.textAlign = 'center';
  for (let e = 0; e <= epochs; e++) g.fillText(String(e), x(e), H - 8);
  g.textAlign = 'left'; g.fillText('epoch', W - R + 6, H - 8);
  const line = (points, color, y, dots) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    points.forEach(([e, v], i) => (i ? g.lineTo(x(e), y(v)) : g.moveTo(x(e), y(v))));
    g.stroke();
    g.fillStyle = color;
    if (dots) for (const [e, v] of points) { g.beginPath(); g.arc(x(e), y(v), 4, 0, 2 * Math.PI); g.fill(); }
  };
  line(losses, '#3056d3', yLoss);
  line(accuracies, '#e2572b', yAcc, true);
  g.textAlign = 'left';
  g.fillStyle = '#3056d3'; g.fillText('training loss', L + 8, T + 12);
  g.fillStyle = '#e2572b'; g.fillText('test accuracy', L + 100, T + 12);
}
drawChart();

// ---- drawing and MNIST-style preprocessing --------------------------------------------------------
const pad = $('pad'), ink = pad.getContext('2d', { willReadFrequently: true });
ink.lineCap = 'round'; ink.lineJoin = 'round'; ink.lineWidth = 20; ink.strokeStyle = '#fff';
let drawing = false, pending = false;

pad.addEventListener('pointerdown', (e) => {
  drawing = true; pad.setPointerCapture(e.pointerId);
  ink.beginPath(); ink.moveTo(e.offsetX, e.offsetY); ink.lineTo(e.offsetX + 0.01, e.offsetY); ink.stroke();
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  ink.lineTo(e.offsetX, e.offsetY); ink.stroke();
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; requestPrediction(); }); }
});
const endStroke = () => { if (drawing) { drawing = false; requestPrediction(); } };
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', () => {
  ink.clearRect(0, 0, pad.width, pad.height);
  $('preview').getContext('2d').clearRect(0, 0, 28, 28);
  $('prediction').textContent = '–'; $('prediction').dataset.digit = '';
  renderProbabilities(null);
});

function hasInk() { return toMnist() !== null; }

/**
 * MNIST's own preprocessing: fit the ink's bounding box into 20x20 (keeping its aspect ratio), then
 * place it in a 28x28 frame so that its centre of mass sits at the centre. Returns 784 values in
 * [0, 1], or null when nothing is drawn.
 */
function toMnist() {
  const { width: W, height: H } = pad;
  const src = ink.getImageData(0, 0, W, H).data;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    if (src[(y * W + x) * 4] > 0) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, scale = 20 / Math.max(bw, bh);
  const fit = document.createElement('canvas'); fit.width = fit.height = 28;
  const f = fit.getContext('2d', { willReadFrequently: true });
  f.imageSmoothingQuality = 'high';
  f.drawImage(pad, x0, y0, bw, bh, (28 - bw * scale) / 2, (28 - bh * scale) / 2, bw * scale, bh * scale);
  const fitted = f.getImageData(0, 0, 28, 28).data;
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < 784; i++) { const v = fitted[i * 4]; mass += v; mx += v * (i % 28); my += v * Math.floor(i / 28); }
  const dx = Math.round(13.5 - mx / mass), dy = Math.round(13.5 - my / mass);
  const pixels = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const sx = x - dx, sy = y - dy;
    if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) pixels[y * 28 + x] = fitted[(sy * 28 + sx) * 4] / 255;
  }
  return pixels;
}

function requestPrediction() {
  const pixels = toMnist();
  if (!pixels) return;
  const preview = $('preview').getContext('2d'), img = preview.createImageData(28, 28);
  pixels.forEach((v, i) => { img.data.set([v * 255, v * 255, v * 255, 255], i * 4); });
  preview.putImageData(img, 0, 0);
  if (trained) worker.postMessage({ type: 'predict', pixels }, [pixels.buffer]);
}

function showPrediction(probabilities) {
  const digit = probabilities.indexOf(Math.max(...probabilities));
  $('prediction').textContent = String(digit);
  $('prediction').dataset.digit = String(digit);
  renderProbabilities(probabilities);
}

function renderProbabilities(probabilities) {
  const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  $('probs').replaceChildren(...Array.from({ length: 10 }, (_, d) => {
    const p = probabilities ? probabilities[d] : 0;
    const label = Object.assign(document.createElement('span'), { textContent: String(d) });
    const bar = Object.assign(document.createElement('div'), { className: d === top ? 'bar top' : 'bar' });
    const fill = document.createElement('div'); fill.style.width = `${(100 * p).toFixed(1)}%`; bar.append(fill);
    const value = Object.assign(document.createElement('span'), { textContent: `${(100 * p).toFixed(1)}%` });
    return [label, bar, value];
  }).flat());
}
renderProbabilities(null);
