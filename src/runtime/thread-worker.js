// A kernel worker (plain JS so Node, browsers and bundlers can load it as-is). It instantiates the
// threads build over the shared memory it is given and runs the jobs the main thread posts
// through a control block in that memory, blocking with Atomics.wait between jobs.
/* eslint-disable */
const SEQ = 0, REMAINING = 1, SLOT_BASE = 4, SLOT_INTS = 64, CLAIM = 2, SPIN = 200000;

async function start(port, { module, memory, control, index, names }) {
  const instance = await WebAssembly.instantiate(module, {
    env: { memory, abort() { throw new Error('wasmgrad kernel abort (worker)'); }, seed: () => 0 },
  });
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(memory.buffer, control, SLOT_BASE + SLOT_INTS * 64);
  // The slot's arguments, read through one view into one reused array (the control block sits low in
  // memory, so views made now stay valid after the memory grows).
  const slotArgs = new Float64Array(memory.buffer, control + (SLOT_BASE + index * SLOT_INTS + 4) * 4, (SLOT_INTS - 4) / 2);
  const args = [];
  port.postMessage('ready');
  let seen = Atomics.load(ctl, SEQ);
  for (;;) {
    // Spin about 1 ms before blocking: a training step issues kernels back to back with gaps of a
    // few hundred microseconds, and waking a blocked thread costs tens of microseconds.
    for (let i = 0; i < SPIN && Atomics.load(ctl, SEQ) === seen; i++);
    Atomics.wait(ctl, SEQ, seen);
    seen = Atomics.load(ctl, SEQ);
    if (seen < 0) return; // shutdown
    // Slot layout (int32 words): [fn index, argc, claim, pad, then argc float64 values]. The job is
    // ours only if we claim it first: the main thread runs jobs nobody has claimed once it is free.
    const slot = SLOT_BASE + index * SLOT_INTS;
    if (Atomics.compareExchange(ctl, slot + CLAIM, 0, 1) !== 0) continue;
    // Nothing may escape this block: a dead worker would leave the main thread waiting forever.
    try {
      const fn = Atomics.load(ctl, slot), argc = ctl[slot + 1];
      args.length = argc;
      for (let i = 0; i < argc; i++) args[i] = slotArgs[i];
      fns[fn].apply(null, args);
    } catch (e) {
      console.error('wasmgrad thread worker:', e);
    }
    if (Atomics.sub(ctl, REMAINING, 1) === 1) Atomics.notify(ctl, REMAINING);
  }
}

// A web Worker (browsers; Deno, which has a `process` global but starts web Workers) or a Node/Bun
// worker_threads Worker (as platform.ts decides which kind the pool starts).
const isNodeWorker = typeof process !== 'undefined' && typeof Deno === 'undefined';
if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && !isNodeWorker) {
  self.onmessage = (e) => start(self, e.data);
} else {
  import('node:worker_threads').then(({ parentPort, workerData }) => start(parentPort, workerData));
}
