// The worker pool: N-1 workers plus the calling thread run slices of one kernel call over the
// shared wasm memory. The caller blocks (Atomics.wait) until all slices are done, so the API stays
// synchronous. Only possible where SharedArrayBuffer exists and the calling thread may block.
import { isNode, nodeModule } from './platform.js';

// Control block (int32 words): SEQ (bumped per call; -1 stops the workers), REMAINING (claimed jobs not
// yet finished), then one slot per thread: [kernel index, argc, CLAIM (0 = claimable), pad, argc float64s].
const SEQ = 0, REMAINING = 1, SLOT_BASE = 4, SLOT_INTS = 64, MAX_THREADS = 64, CLAIM = 2;
const MAX_ARGS = (SLOT_INTS - 4) / 2;
// Polls before blocking (about 1 ms at ~5 ns a poll; see thread-worker.js): the other slices
// usually finish within microseconds of this one.
const SPIN = 200000;
export const CONTROL_BYTES = (SLOT_BASE + SLOT_INTS * MAX_THREADS) * 4;

/** The kernels workers may run (indices are sent instead of names). */
export const THREADED_KERNELS = ['gemm', 'gemm_prepacked', 'ew_index_select', 'opt_sgd', 'opt_adam', 'opt_rmsprop', 'opt_adagrad', 'ew_unary', 'ew_unary_backward',
  'red_sum', 'red_softmax', 'red_softmax_backward', 'conv_im2col_images', 'conv_col2im_images',
  'conv_depthwise_fwd_images', 'conv_depthwise_bwd_input_images', 'conv_depthwise_bwd_weight_images',
  'pool_max2d_fwd', 'pool_max2d_bwd', 'pool_avg2d_fwd', 'pool_avg2d_bwd', 'norm_layer_fwd', 'norm_layer_bwd'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

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
  private workers: WorkerLike[] = [];
  private ctl!: Int32Array;
  private f64!: Float64Array;
  constructor(private readonly memory: WebAssembly.Memory, private readonly control: number) {}

  get size(): number { return this.workers.length + 1; }

  async start(module: WebAssembly.Module, threads: number): Promise<void> {
    const url = new URL('./thread-worker.js', import.meta.url);
    this.views();
    Atomics.store(this.ctl, SEQ, 0);
    const data = { module, memory: this.memory, control: this.control, names: THREADED_KERNELS };
    const ready: Promise<void>[] = [];
    for (let i = 1; i < Math.min(threads, MAX_THREADS); i++) {
      const msg = { ...data, index: i };
      if (isNode) {
        const { Worker } = await nodeModule('worker_threads');
        const { fileURLToPath } = await nodeModule('url');
        const w = new Worker(fileURLToPath(url), { workerData: msg });
        // Unref only once ready: before that the pending start-up must keep the event loop alive.
        ready.push(new Promise((res, rej) => { w.once('message', () => { w.unref(); res(); }); w.once('error', rej); }));
        this.workers.push(w);
      } else {
        const w = new Worker(url, { type: 'module' });
        // preventDefault: a worker that fails to start rejects here (init falls back to one thread)
        // instead of propagating to the host as an uncaught error (Deno exits on those).
        ready.push(new Promise((res, rej) => { w.onmessage = () => res(); w.onerror = (e) => { e.preventDefault(); rej(e); }; }));
        w.postMessage(msg);
        this.workers.push(w);
      }
    }
    await Promise.all(ready);
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
   */
  run(kernel: ThreadedKernel, fn: (...args: number[]) => void, jobs: (number[] | null)[]): void {
    if (jobs.length > this.size) throw new Error(`ThreadPool.run: ${jobs.length} jobs for ${this.size} threads`);
    this.views();
    const id = THREADED_KERNELS.indexOf(kernel);
    let posted = 0;
    for (let w = 1; w < this.size; w++) {
      const job = jobs[w];
      if (!job) continue;
      if (job.length > MAX_ARGS) throw new Error(`ThreadPool.run: ${kernel} takes ${job.length} arguments, a slot holds ${MAX_ARGS}`);
      posted++;
    }
    // The count goes in before any job is claimable: a worker still awake from the previous call
    // can claim and finish a job the moment it is posted, and its decrement must not be overwritten
    // (that left the caller waiting forever for a job already done).
    Atomics.store(this.ctl, REMAINING, posted);
    for (let w = 1; w < this.size; w++) {
      const slot = SLOT_BASE + w * SLOT_INTS;
      const job = jobs[w];
      if (job) {
        Atomics.store(this.ctl, slot, id);
        this.ctl[slot + 1] = job.length;
        this.f64.set(job, (slot + 4) / 2);
        Atomics.store(this.ctl, slot + CLAIM, 0); // claimable, after the arguments are in place
      } else {
        Atomics.store(this.ctl, slot + CLAIM, 1); // nothing to claim
      }
    }
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    // Always wait for the claimed jobs, even if a slice here throws: returning early would let a
    // late decrement from this call corrupt the next call's count (and hang it).
    let failure: unknown = null;
    const runHere = (job: number[]) => { try { fn(...job); } catch (e) { failure ??= e; } };
    if (jobs[0]) runHere(jobs[0]);
    for (let w = 1; w < this.size; w++) {
      const job = jobs[w];
      if (job && Atomics.compareExchange(this.ctl, SLOT_BASE + w * SLOT_INTS + CLAIM, 0, 1) === 0) {
        runHere(job);
        Atomics.sub(this.ctl, REMAINING, 1);
      }
    }
    for (let spin = 0; spin < SPIN && Atomics.load(this.ctl, REMAINING) > 0; spin++);
    for (;;) {
      const left = Atomics.load(this.ctl, REMAINING);
      if (left <= 0) break;
      Atomics.wait(this.ctl, REMAINING, left);
    }
    if (failure) throw failure;
  }

  terminate(): void {
    if (this.ctl) { Atomics.store(this.ctl, SEQ, -1); Atomics.notify(this.ctl, SEQ); }
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
