// A kernel worker (plain JS so Node, browsers and bundlers can load it as-is). It instantiates the
// threads build over the shared memory it is given and runs the jobs the main thread posts
// through a control block in that memory, blocking with Atomics.wait between jobs.
// The control block's layout and the job protocol are described in threads.ts.
/* eslint-disable */
const SEQ = 0, DONE = 1, HOOK = 2, SLOT_BASE = 4, SLOT_INTS = 64, MAX_SLOTS = 64, SPIN = 200000;
const STATE = 2, MSG_LEN = 3, CLAIMABLE = 0, RUNNING = 1, FINISHED = 2, FAILED = 3, MAX_MSG = (SLOT_INTS - 4) * 2;

async function start(port, { module, memory, control, index, slot: slotIndex, names }) {
  const instance = await WebAssembly.instantiate(module, {
    env: { memory, abort() { throw new Error('wasmgrad kernel abort (worker)'); }, seed: () => 0 },
  });
  const fns = names.map((n) => instance.exports[n]);
  const ctl = new Int32Array(memory.buffer, control, SLOT_BASE + SLOT_INTS * MAX_SLOTS);
  // Slot layout (int32 words): [fn index, argc, state, message length, then argc float64 values].
  // Its arguments are read through one view into one reused array (the control block sits low in
  // memory, so views made now stay valid after the memory grows).
  const slot = SLOT_BASE + slotIndex * SLOT_INTS;
  const slotArgs = new Float64Array(memory.buffer, control + (slot + 4) * 4, (SLOT_INTS - 4) / 2);
  const slotMsg = new Uint16Array(memory.buffer, control + (slot + 4) * 4, MAX_MSG);
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
    // The job is ours only if we claim it first: the main thread runs jobs nobody has claimed once
    // it is free.
    if (Atomics.compareExchange(ctl, slot + STATE, CLAIMABLE, RUNNING) !== CLAIMABLE) continue;
    let state = FINISHED;
    try {
      const fn = Atomics.load(ctl, slot), argc = ctl[slot + 1];
      args.length = argc;
      for (let i = 0; i < argc; i++) args[i] = slotArgs[i];
      testHook(ctl, index);
      fns[fn].apply(null, args);
    } catch (e) {
      // The caller rethrows this (a kernel that fails here would fail on the main thread too): the
      // message goes back through the slot, over the arguments it no longer needs.
      const msg = String(e && e.message || e).slice(0, MAX_MSG);
      for (let i = 0; i < msg.length; i++) slotMsg[i] = msg.charCodeAt(i);
      ctl[slot + MSG_LEN] = msg.length;
      state = FAILED;
    }
    Atomics.store(ctl, slot + STATE, state);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

// Test-only (tests/memory/thread-stress.test.ts): HOOK = index stalls this worker inside its job until
// HOOK changes (or the pool stops it); HOOK = -index makes its job fail.
function testHook(ctl, index) {
  const h = Atomics.load(ctl, HOOK);
  if (h === -index) throw new Error(`test hook: worker ${index} fails on purpose`);
  while (Atomics.load(ctl, HOOK) === index) Atomics.wait(ctl, HOOK, index);
}

// A web Worker (browsers; Deno, which has a `process` global but starts web Workers) or a Node/Bun
// worker_threads Worker (as platform.ts decides which kind the pool starts).
const isNodeWorker = typeof process !== 'undefined' && typeof Deno === 'undefined';
if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && !isNodeWorker) {
  self.onmessage = (e) => start(self, e.data);
} else {
  import('node:worker_threads').then(({ parentPort, workerData }) => start(parentPort, workerData));
}
