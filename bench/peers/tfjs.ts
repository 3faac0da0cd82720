// TensorFlow.js as a peer, loaded on demand (a devDependency: absent in user installs, so the
// CLI says so instead of failing). Its WASM backend is single-threaded under Node: tfjs disables its
// multithreaded build there (flags_wasm.ts), so the thread count passed on only matters elsewhere.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type TfBackend = 'wasm' | 'cpu';
let tfPromise: Promise<any> | null = null;
let current: TfBackend | null = null;

export async function loadTfjs(backend: TfBackend, threads = 1): Promise<any> {
  if (!tfPromise) {
    tfPromise = (async () => {
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      wasm.setWasmPaths(join(dir, 'dist') + '/');
      wasm.setThreadsCount(threads);
      const layers = await import('@tensorflow/tfjs-layers');
      return { tf, layers };
    })();
  }
  const lib = await tfPromise;
  if (current !== backend) {
    await lib.tf.setBackend(backend);
    await lib.tf.ready();
    current = backend;
  }
  return lib;
}

export async function tfjsAvailable(): Promise<string | null> {
  try { await import('@tensorflow/tfjs-core'); await import('@tensorflow/tfjs-backend-wasm'); return null; }
  catch (e) { return `tfjs not installed (${(e as Error).message.split('\n')[0]}): npm i -D @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-layers`; }
}

/**
 * Times tfjs-layers training on the MNIST labels: `model.fit` over steps*batch samples (its fastest
 * training path; trainOnBatch per step measured ~10x slower here), returning samples/s per call.
 */
export function tfjsFitRunner(tf: any, model: any, xs: any, labels: Int32Array, batch: number, steps: number): () => Promise<number> {
  const ys = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32');
  const xsub = tf.slice(xs, 0, steps * batch), ysub = tf.slice(ys, 0, steps * batch);
  // A few untimed batches first, as for wasmgrad (bench/train-loop.ts).
  const xwarm = tf.slice(xs, 0, 5 * batch), ywarm = tf.slice(ys, 0, 5 * batch);
  return async () => {
    await model.fit(xwarm, ywarm, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
    const t0 = performance.now();
    await model.fit(xsub, ysub, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
    return (steps * batch) / ((performance.now() - t0) / 1000);
  };
}
