// The runtime smoke program: the same few lines run in every JavaScript runtime the package
// supports. It takes the already-imported library (each runtime imports it its own way) and returns
// plain data; every number is a float32 value, so results compare bit for bit across runtimes.
// Plain JavaScript on purpose: Node, Deno, Bun, Chromium and workerd all load it unchanged.

/** Fixed inputs: 6 samples of 4 features and their classes (no randomness involved). */
function fixedData(wg) {
  const x = [];
  for (let i = 0; i < 6; i++) x.push([0, 1, 2, 3].map((j) => Math.round(100 * Math.sin(1 + i * 4 + j)) / 100));
  return { x: wg.tensor(x), y: wg.tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' }) };
}

/** FNV-1a over the bytes of a float32 tensor: a short fingerprint that changes with any bit. */
function fingerprint(t) {
  const d = t.data();
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * init, seed, train a 4-8-3 MLP for 3 SGD steps, infer; plus one GEMM big enough to be split
 * across threads when the runtime has them (its fingerprint must not depend on the thread count).
 * @param {typeof import('../../dist/index.js')} wg the library namespace
 * @param {import('../../dist/index.js').InitOptions} initOptions
 */
export async function runSmoke(wg, initOptions = {}) {
  await wg.init(initOptions);
  const { nn, optim } = wg;
  wg.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const { x, y } = fixedData(wg);
  const losses = [];
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const prediction = wg.noGrad(() => Array.from(model.forward(x).softmax(1).data()));
  const gemm = wg.noGrad(() => fingerprint(wg.randn([192, 128]).matmul(wg.randn([128, 96]))));
  const info = wg.backendInfo();
  // What the runtime gives (Node: navigator from 21; Symbol.dispose for `using`) and, where the entry
  // recorded them, the V8 flags the library set.
  const env = { navigator: typeof navigator !== 'undefined', symbolDispose: typeof Symbol.dispose === 'symbol', v8FlagsSet: globalThis.__v8FlagsSet ?? null };
  return { runtime: info.runtime, simd: info.simd, threads: info.threads, losses, prediction, gemm, env };
}

/** Options from command-line style arguments: --simd plain|relaxed|auto --threads N. */
export function parseSmokeArgs(args) {
  const opts = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--simd') opts.simd = args[i + 1];
    else if (args[i] === '--threads') opts.threads = Number(args[i + 1]);
    else throw new Error(`smoke: unknown argument ${args[i]}`);
  }
  return opts;
}
