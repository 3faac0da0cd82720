// The standard MNIST split as one compact binary for the browser (about 7.9 MB instead of 21 MB of
// JSON). The mnist package's pixel values are k/255 rounded to 3 decimals, so each is stored as its
// byte k and decoded through a 256-entry table: the decoded split is exactly the one loadMnist()
// gives in Node. Layout: "MNS1", uint32 nTrain, uint32 nTest (little-endian), train pixels, train
// labels, test pixels, test labels (one byte each). The decoder lives in mnist-data.js.
import type { MnistSplit } from '../mnist.js';

const PIXELS = 784;
/** The pixel value byte k stands for (shared formula with mnist-data.js). */
export const pixelValue = (k: number): number => Math.round((k / 255) * 1000) / 1000;

export function encodeMnistSplit(m: MnistSplit): Uint8Array {
  const lookup = new Map<number, number>();
  for (let k = 0; k < 256; k++) lookup.set(Math.fround(pixelValue(k)), k);
  const out = new Uint8Array(12 + (m.nTrain + m.nTest) * (PIXELS + 1));
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x4e, 0x53, 0x31]);
  view.setUint32(4, m.nTrain, true);
  view.setUint32(8, m.nTest, true);
  let at = 12;
  const put = (values: Float32Array | Int32Array, isPixels: boolean) => {
    for (let i = 0; i < values.length; i++) {
      const k = isPixels ? lookup.get(values[i]) : values[i];
      if (k === undefined) throw new Error(`encodeMnistSplit: pixel value ${values[i]} is not k/255 rounded to 3 decimals`);
      out[at++] = k;
    }
  };
  put(m.trainImages, true); put(m.trainLabels, false);
  put(m.testImages, true); put(m.testLabels, false);
  return out;
}
