// TensorFlow.js as a peer, loaded on demand from the user's project or beside wasmgrad (never
// bundled: absent in a plain install, so the CLI says which packages to install instead of failing).
// Its WASM backend is single-threaded under Node: tfjs disables its multithreaded build there
// (flags_wasm.ts), so the thread count passed on only matters elsewhere.
import { join } from 'node:path';
import { findPackages, importPackage, lookedIn, peerLines } from './resolve.js';

export type TfBackend = 'wasm' | 'cpu';
const PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-layers'];
let tfPromise: Promise<any> | null = null;
let current: TfBackend | null = null;

export async function loadTfjs(backend: TfBackend, threads = 1): Promise<any> {
  if (!tfPromise) {
    tfPromise = (async () => {
      const [core, cpu, wasmPkg, layersPkg] = findPackages(PACKAGES)!;
      const tf = await importPackage(core);
      await importPackage(cpu);
      const wasm = await importPackage(wasmPkg);
      wasm.setWasmPaths(join(wasmPkg.dir, 'dist') + '/');
      wasm.setThreadsCount(threads);
      const layers = await importPackage(layersPkg);
      peerLines.set('tfjs', `tfjs ${core.version} (its wasm backend runs one thread under Node)`);
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

/** null when tfjs can run here, else what to install. */
export async function tfjsAvailable(): Promise<string | null> {
  if (findPackages(PACKAGES)) return null;
  return `tfjs is not installed (${lookedIn()}): npm install ${PACKAGES.join(' ')}`;
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
