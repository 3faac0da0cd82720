// Decodes /data/mnist-split.bin (written by mnist-codec.ts) into Float32Array images in [0, 1]
// and Int32Array labels: the standard split, identical to loadMnist() in Node.
const PIXELS = 784;

export async function fetchMnistSplit(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST split: HTTP ${res.status} for ${url}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const view = new DataView(bytes.buffer);
  if (view.getUint32(0, true) !== 0x31534e4d) throw new Error('MNIST split: bad magic (expected "MNS1")');
  const nTrain = view.getUint32(4, true), nTest = view.getUint32(8, true);
  const table = new Float32Array(256).map((_, k) => Math.round((k / 255) * 1000) / 1000);
  let at = 12;
  const pixels = (n) => { const out = new Float32Array(n * PIXELS); for (let i = 0; i < out.length; i++) out[i] = table[bytes[at++]]; return out; };
  const labels = (n) => { const out = Int32Array.from(bytes.subarray(at, at + n)); at += n; return out; };
  const trainImages = pixels(nTrain), trainLabels = labels(nTrain);
  const testImages = pixels(nTest), testLabels = labels(nTest);
  return { trainImages, trainLabels, nTrain, testImages, testLabels, nTest };
}
