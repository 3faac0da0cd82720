// jax-js (@jax-js/jax) as a peer for gemm and the MNIST MLP, loaded on demand from the user's project
// or beside wasmgrad (never bundled). It runs on its `wasm` device; that device spreads kernels over
// Web Workers only where the global `Worker` exists, which Node lacks, so under Node it is one thread.
// Arrays are reference-counted: every function call consumes its array arguments (`.ref` keeps one),
// and data()/dataSync() consume the array they read.
import { findPackage, importPackage, lookedIn, peerLines } from './resolve.js';

const PACKAGE = '@jax-js/jax';
let jaxPromise: Promise<any> | null = null;

/** null when jax-js can run here, else what to install. */
export async function jaxjsAvailable(): Promise<string | null> {
  return findPackage(PACKAGE) ? null : `jax-js is not installed (${lookedIn()}): npm install ${PACKAGE}`;
}

export function loadJaxjs(): Promise<any> {
  jaxPromise ??= (async () => {
    const pkg = findPackage(PACKAGE)!;
    // Its Node build reads navigator.userAgent while it compiles kernels; Node 21+ has a navigator
    // global, Node 20 does not. Set one only when it is missing.
    if (typeof (globalThis as any).navigator === 'undefined') {
      Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true });
    }
    const jax = await importPackage(pkg);
    await jax.init();
    jax.defaultDevice('wasm');
    peerLines.set('jaxjs', `jax-js ${pkg.version} (wasm device; one thread under Node, which has no Web Worker global)`);
    return jax;
  })();
  return jaxPromise;
}

/** A call of C = A·B through np.dot (as jax-js's own matmul benchmark does), read back to finish it. */
export function jaxjsGemm(jax: any, M: number, K: number, N: number, fill: (a: Float32Array, seed: number) => void): { run: () => void; dispose: () => void } {
  const np = jax.numpy;
  const a0 = new Float32Array(M * K), b0 = new Float32Array(K * N);
  fill(a0, 1); fill(b0, 2);
  const a = np.array(a0, { shape: [M, K] }), b = np.array(b0, { shape: [K, N] });
  return {
    run: () => { np.dot(a.ref, b.ref).dataSync(); },
    dispose: () => { a.dispose(); b.dispose(); },
  };
}

/**
 * The MLP workload in jax-js the way its docs train (valueAndGrad of a pure loss over a params tree,
 * jit over the whole step, here with the SGD update inside it): 784-128-64-10, ReLU, mean cross
 * entropy, PyTorch's Linear init bounds, shuffled batches of `batch` rows (the last partial batch
 * dropped), `steps` steps per call after 5 untimed ones, returning samples/s (bench/train-loop.ts).
 */
export function jaxjsMlpRunner(jax: any, images: Float32Array, labels: Int32Array, n: number, batch: number, lr: number, steps: number, warmSteps = 5): () => Promise<number> {
  const { numpy: np, nn, random, tree, jit, valueAndGrad } = jax;
  const dims = [784, 128, 64, 10];
  const keys = [...random.split(random.key(0), 6)];
  let params: Record<string, any> = {};
  for (let l = 0; l < 3; l++) {
    const bound = 1 / Math.sqrt(dims[l]);
    params[`w${l}`] = random.uniform(keys[2 * l], [dims[l], dims[l + 1]], { minval: -bound, maxval: bound });
    params[`b${l}`] = random.uniform(keys[2 * l + 1], [dims[l + 1]], { minval: -bound, maxval: bound });
  }
  const loss = (p: any, x: any, y: any) => {
    const h1 = nn.relu(np.dot(x, p.w0).add(p.b0));
    const h2 = nn.relu(np.dot(h1, p.w1).add(p.b1));
    const logits = np.dot(h2, p.w2).add(p.b2);
    return nn.logSoftmax(logits).mul(nn.oneHot(y, 10)).sum().mul(-1 / batch);
  };
  const step = jit((p: any, x: any, y: any) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [value, tree.map((w: any, g: any) => w.sub(g.mul(lr)), p, grads)];
  });
  const X = np.array(images.subarray(0, n * 784), { shape: [n, 784] });
  const Y = np.array(labels.subarray(0, n), { dtype: np.int32 });
  // A fixed-seed shuffle per epoch (the wasmgrad side's DataLoader uses its own seeded permutation).
  let seed = 1, perm = new Int32Array(0), pos = n;
  const nextIndices = () => {
    if (pos + batch > n) {
      perm = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) { seed = (seed * 1664525 + 1013904223) >>> 0; const j = seed % (i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
      pos = 0;
    }
    const idx = np.array(perm.slice(pos, pos + batch), { dtype: np.int32 });
    pos += batch;
    return idx;
  };
  return async () => {
    let t0 = performance.now();
    let last: any = null;
    for (let s = 0; s < warmSteps + steps; s++) {
      if (s === warmSteps) { await jax.blockUntilReady(params); t0 = performance.now(); }
      const idx = nextIndices();
      let value: any;
      [value, params] = step(params, X.ref.slice(idx.ref), Y.ref.slice(idx));
      last?.dispose();
      last = value;
    }
    await last.data(); // the last step's loss: everything before it has run
    return (steps * batch) / ((performance.now() - t0) / 1000);
  };
}
