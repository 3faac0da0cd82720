// The worker pool: N-1 workers plus the calling thread run slices of one kernel call over the
// shared wasm memory. The caller blocks (Atomics.wait) until all slices are done, so the API stays
// synchronous. Only possible where SharedArrayBuffer exists and the calling thread may block.
import { isNode, nodeModule } from './platform.js';
import { THREADED_KERNELS, type ThreadedKernel } from './protocol.js';

// Control block (int32 words): SEQ (the call number, bumped per call; -1 stops the workers), DONE
// (bumped by a worker after every job it finishes: the caller sleeps on it), HOOK (word 2, test-only:
// only thread-worker.js and tests/memory/thread-stress.test.ts read it), a pad, then one slot per thread: [kernel index, argc, STATE, message length,
// argc float64s]. A slot's STATE goes CLAIMABLE -> RUNNING (claimed by its worker or, if the
// caller gets there first, by the caller) -> FINISHED or FAILED (the error message then fills the
// argument words); EMPTY: no job this call. Completion is per slot, not one shared count, so a
// worker that the watchdog gave up on can only ever write its own, retired slot.
const SEQ = 0, DONE = 1, SLOT_BASE = 4, SLOT_INTS = 64, MAX_THREADS = 64;
const STATE = 2, MSG_LEN = 3, CLAIMABLE = 0, RUNNING = 1, FINISHED = 2, FAILED = 3, EMPTY = 4;
const MAX_ARGS = (SLOT_INTS - 4) / 2;
// Call numbers stay positive: a wrap to negative would read as "stop" (after 2^31 calls, about six
// hours of small kernels back to back, every worker quit and the caller ran everything alone).
const SEQ_MASK = 0x3fffffff;
// Polls before blocking (about 1 ms at ~5 ns a poll; see thread-worker.js): the other slices
// usually finish within microseconds of this one.
const SPIN = 200000;
/**
 * How long the caller waits for a worker's slice, past the time its own slice took, before it
 * gives up on that worker: a fixed 10 s (a worker descheduled on a loaded machine, a stop for the
 * garbage collector) plus 20 times the caller's own time (slices are equal shares, so a long kernel
 * gets a long wait even if the machine runs it ten times slower than this thread). Without it a
 * worker that died or hung inside a kernel left the caller asleep forever at 0% CPU.
 */
export const WATCHDOG_MS = 10_000, WATCHDOG_FACTOR = 20;
// Workers that have not said "ready" after this long count as failed (init then runs on one thread).
const START_TIMEOUT_MS = 60_000;
// Kernel name -> index sent to the workers (a lookup per call instead of a scan of the list).
const KERNEL_ID = new Map<ThreadedKernel, number>(THREADED_KERNELS.map((k, i) => [k, i]));
export const CONTROL_BYTES = (SLOT_BASE + SLOT_INTS * MAX_THREADS) * 4;


export function canBlock(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  // A browser page's main thread may not Atomics.wait; workers and Node's main thread may.
  const g = globalThis as any;
  if (typeof g.document !== 'undefined' && typeof g.WorkerGlobalScope === 'undefined') return false;
  if (g.crossOriginIsolated === false) return false;
  return true;
}

export async function defaultThreadCount(): Promise<number> {
  if (isNode) return (await nodeModule('os')).availableParallelism?.() ?? (await nodeModule('os')).cpus().length;
  const hc = (globalThis as any).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc > 0 ? hc : 1;
}

interface WorkerLike { terminate(): unknown; unref?(): void; postMessage(msg: unknown): void }

export class ThreadPool {
  // workers[w - 1] is thread w (null: stopped, not replaced); it reads slot slotOf[w] (-1: none,
  // the caller runs thread w's jobs).
  private workers: (WorkerLike | null)[] = [];
  private slotOf: number[] = [0];
  private nextSlot = 1;
  private module!: WebAssembly.Module;
  private ctl!: Int32Array;
  private f64!: Float64Array;
  /** @internal Tests shorten the watchdog (ms beyond the caller's share). */
  _watchdogMs = WATCHDOG_MS;
  constructor(private readonly memory: WebAssembly.Memory, private readonly control: number) {}

  get size(): number { return this.workers.length + 1; }

  async start(module: WebAssembly.Module, threads: number): Promise<void> {
    this.module = module;
    this.views();
    Atomics.store(this.ctl, SEQ, 0);
    for (let s = 0; s < MAX_THREADS; s++) Atomics.store(this.ctl, SLOT_BASE + s * SLOT_INTS + STATE, EMPTY);
    const ready: Promise<void>[] = [];
    for (let i = 1; i < Math.min(threads, MAX_THREADS); i++) {
      const { worker, started } = await this.spawn(i, this.nextSlot++, true);
      this.workers.push(worker);
      this.slotOf.push(i);
      ready.push(started);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`wasmgrad: thread pool workers not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } catch (e) {
      this.terminate(); // no half-started pool left behind (init falls back to one thread)
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts thread `index` reading slot `slot`; `started` settles when it is ready (or fails). */
  private async spawn(index: number, slot: number, awaited: boolean): Promise<{ worker: WorkerLike; started: Promise<void> }> {
    const url = new URL('./thread-worker.js', import.meta.url);
    const msg = { module: this.module, memory: this.memory, control: this.control, names: THREADED_KERNELS, index, slot };
    if (isNode) {
      const { Worker } = await nodeModule('worker_threads');
      const { fileURLToPath } = await nodeModule('url');
      const w = new Worker(fileURLToPath(url), { workerData: msg });
      // Unref once ready: before that a start-up init() awaits must keep the event loop alive.
      if (!awaited) w.unref();
      const started = new Promise<void>((res, rej) => { w.once('message', () => { w.unref(); res(); }); w.on('error', rej); });
      return { worker: w, started };
    }
    const w = new Worker(url, { type: 'module' });
    // preventDefault: a worker that fails to start rejects here (init falls back to one thread)
    // instead of propagating to the host as an uncaught error (Deno exits on those).
    const started = new Promise<void>((res, rej) => { w.onmessage = () => res(); w.onerror = (e) => { e.preventDefault(); rej(e); }; });
    w.postMessage(msg);
    return { worker: w, started };
  }

  private views(): void {
    if (!this.ctl || this.ctl.buffer !== this.memory.buffer) {
      this.ctl = new Int32Array(this.memory.buffer, this.control, CONTROL_BYTES / 4);
      this.f64 = new Float64Array(this.memory.buffer, this.control, CONTROL_BYTES / 8);
    }
  }

  /**
   * Runs kernel(...jobs[i]) for every job: job 0 on the calling thread, job w on worker w, returning
   * when all are done. A job its worker has not claimed by the time the calling thread is free is
   * run by the calling thread: on a loaded machine a descheduled worker then costs speed, not a
   * stall (2 threads ran a CNN 5x slower than 1 while other processes kept both cores busy).
   * A worker's failure is rethrown here; a worker that does not finish in time is stopped and
   * replaced, and the call throws (see WATCHDOG_MS).
   */
  run(kernel: ThreadedKernel, fn: (...args: number[]) => void, jobs: (number[] | null)[]): void {
    if (jobs.length > this.size) throw new Error(`ThreadPool.run: ${jobs.length} jobs for ${this.size} threads`);
    for (const job of jobs) {
      if (job && job.length > MAX_ARGS) throw new Error(`ThreadPool.run: ${kernel} takes ${job.length} arguments, a slot holds ${MAX_ARGS}`);
    }
    this.views();
    const ctl = this.ctl, id = KERNEL_ID.get(kernel)!;
    // Every slot is FINISHED, FAILED or EMPTY here (the last call waited for all it posted), so no
    // worker can claim a slot while its arguments are written; CLAIMABLE goes in last.
    for (let w = 1; w < this.size; w++) {
      const slot = this.slotOf[w], job = jobs[w];
      if (slot < 0) continue;
      const at = SLOT_BASE + slot * SLOT_INTS;
      if (job) {
        ctl[at] = id;
        ctl[at + 1] = job.length;
        // An element loop: TypedArray.set from a plain array takes a slow generic path (~1 us a call).
        const f64 = this.f64, base = (at + 4) / 2;
        for (let i = 0; i < job.length; i++) f64[base + i] = job[i];
        Atomics.store(ctl, at + STATE, CLAIMABLE);
      } else {
        Atomics.store(ctl, at + STATE, EMPTY);
      }
    }
    Atomics.store(ctl, SEQ, (Atomics.load(ctl, SEQ) + 1) & SEQ_MASK);
    Atomics.notify(ctl, SEQ);
    // Always wait for the claimed jobs, even if a slice here throws: returning early would let a
    // worker still writing this call's output race the next call.
    const t0 = performance.now();
    let failure: unknown = null;
    for (let w = 0; w < this.size; w++) {
      const slot = this.slotOf[w], job = jobs[w];
      if (!job) continue;
      // Thread 0's share, and any share whose worker has not claimed it yet (or has no worker).
      const posted = w > 0 && slot >= 0, at = SLOT_BASE + slot * SLOT_INTS;
      if (posted && Atomics.compareExchange(ctl, at + STATE, CLAIMABLE, RUNNING) !== CLAIMABLE) continue;
      try { fn(...job); } catch (e) { failure ??= e; }
      if (posted) Atomics.store(ctl, at + STATE, FINISHED);
    }
    const ownMs = performance.now() - t0;
    for (let spin = 0; spin < SPIN && this.firstRunning(jobs); spin++);
    const deadline = performance.now() + this._watchdogMs + WATCHDOG_FACTOR * ownMs;
    for (;;) {
      // A worker bumps DONE after setting its state, so reading DONE before the states and sleeping
      // only while DONE still holds that value cannot miss the wake-up of a worker that finishes in between.
      const done = Atomics.load(ctl, DONE);
      if (!this.firstRunning(jobs)) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        const err = this.stalled(kernel, jobs, ownMs);
        if (err) throw err;
        continue; // it finished just now
      }
      Atomics.wait(ctl, DONE, done, left);
    }
    if (failure) throw failure;
    for (let w = 1; w < this.size; w++) {
      const slot = this.slotOf[w];
      if (!jobs[w] || slot < 0) continue;
      const at = SLOT_BASE + slot * SLOT_INTS;
      if (Atomics.load(ctl, at + STATE) === FAILED) {
        const msg = new Uint16Array(this.memory.buffer, this.control + (at + 4) * 4, ctl[at + MSG_LEN]);
        throw new Error(`wasmgrad: kernel '${kernel}' failed on worker ${w}: ${String.fromCharCode(...msg)}`);
      }
    }
  }

  /** The first thread whose share of this call a worker is still running (0: none). */
  private firstRunning(jobs: (number[] | null)[]): number {
    for (let w = 1; w < this.size; w++) {
      const slot = this.slotOf[w];
      if (jobs[w] && slot >= 0 && Atomics.load(this.ctl, SLOT_BASE + slot * SLOT_INTS + STATE) === RUNNING) return w;
    }
    return 0;
  }

  /**
   * Gives up on the workers still running this call's jobs: stops them (termination is requested
   * before this returns, and a wasm loop checks for it at every back edge, so a stuck kernel
   * stops writing memory almost at once) and starts new ones on fresh slots (the old slots are
   * retired: a stopped worker can never mark a later job done). Until a new worker is ready its
   * jobs run on the calling thread, so the pool stays usable at once.
   */
  private stalled(kernel: ThreadedKernel, jobs: (number[] | null)[], ownMs: number): Error | null {
    const waited = (this._watchdogMs + WATCHDOG_FACTOR * ownMs) / 1000;
    const stuck: number[] = [];
    let replaced = true;
    for (let w = 1; w < this.size; w++) {
      const slot = this.slotOf[w];
      if (!jobs[w] || slot < 0 || Atomics.load(this.ctl, SLOT_BASE + slot * SLOT_INTS + STATE) !== RUNNING) continue;
      stuck.push(w);
      this.workers[w - 1]?.terminate();
      this.workers[w - 1] = null;
      this.slotOf[w] = -1;
      if (this.nextSlot >= MAX_THREADS) { replaced = false; continue; }
      const fresh = this.nextSlot++;
      Atomics.store(this.ctl, SLOT_BASE + fresh * SLOT_INTS + STATE, EMPTY);
      this.slotOf[w] = fresh;
      // A replacement that fails to start leaves its slot unclaimed: the caller runs those jobs.
      this.spawn(w, fresh, false).then(({ worker, started }) => {
        started.catch(() => { /* see above */ });
        if (this.slotOf[w] === fresh) this.workers[w - 1] = worker;
        else worker.terminate(); // the pool was stopped meanwhile
      }, () => { /* see above */ });
    }
    if (!stuck.length) return null;
    const [who, was] = stuck.length === 1 ? [`worker ${stuck[0]}`, 'it was'] : [`workers ${stuck.join(', ')}`, 'they were'];
    return new Error(`wasmgrad: ${who} did not finish kernel '${kernel}' within ${waited.toFixed(1)} s after this ` +
      `thread finished its share (in ${ownMs.toFixed(1)} ms). The call's result is lost; ${was} stopped` +
      (replaced ? ' and replaced (until the new worker is ready, its share runs on this thread).' : ' (their share runs on this thread from now on).'));
  }

  terminate(): void {
    if (this.ctl) { Atomics.store(this.ctl, SEQ, -1); Atomics.notify(this.ctl, SEQ); }
    for (const w of this.workers) w?.terminate();
    this.workers = [];
    this.slotOf = [0];
  }
}
