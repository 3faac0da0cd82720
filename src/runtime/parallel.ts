// Splitting one kernel call across the thread pool.
//
// Every split of a dimension goes through `partition`, so the same extent is cut at the same places
// by every op: the rows of a Linear weight that a thread computes in the forward GEMM are the rows of
// its gradient that thread computes in backward and the rows the optimizer updates there. Data then
// stays in the cache of the core that wrote it; moving it costs more than the arithmetic (an SGD
// step over 200 KB written by the other core took 38 us here, 10.7 us when written by the same core).
import { backend } from './backend.js';
import type { ThreadedKernel } from './protocol.js';

/**
 * red_sum over an [outer, n, inner] layout (out: [outer, inner]), split over outer: every output
 * element is the same sum in the same order, whichever thread computes it.
 */
export function sumRows(src: number, out: number, outer: number, n: number, inner: number, scale: number): void {
  parallelRows('red_sum', outer, outer * n * inner, MIN_PARALLEL_ELEMENTS, (s, c) =>
    [src + s * n * inner * 4, out + s * inner * 4, c, n, inner, scale], 1);
}

/** Slice boundaries of [0, extent) for `parts` threads, starts on multiples of `align`: [0, b1, ..., extent]. */
export function partition(extent: number, parts: number, align: number): number[] {
  const chunk = Math.max(align, Math.ceil(extent / parts / align) * align);
  const bounds = [0];
  for (let start = chunk; start < extent; start += chunk) bounds.push(start);
  bounds.push(extent);
  return bounds;
}

/** How many threads a call doing `work` units should use: 1 below `minWork` or without a pool. */
export function threadsFor(work: number, minWork: number): number {
  return backend.pool && backend.threads > 1 && work >= minWork ? backend.threads : 1;
}

/**
 * Elementwise maps, reductions and optimizer updates split from this many elements. Measured with
 * bench/threads-crossover.ts (2 threads, kernels back to back): an SGD update with momentum breaks
 * even at 16K elements and gains 1.33x at 32K, 1.59x at 64K; sigmoid gains 1.33x already at 4K.
 */
export let MIN_PARALLEL_ELEMENTS = 1 << 15;
/** @internal For bench/threads-crossover.ts. */
export function _setMinParallelElements(n: number): void { MIN_PARALLEL_ELEMENTS = n; }

/** The alignment of every row split (the GEMM micro-tile width), so splits of one extent agree. */
export const SPLIT_ALIGN = 8;

/**
 * Runs `kernel(...args(start, count))` over rows [0, rows), split across threads by `partition`
 * when the call does at least `minWork` units of work (else one call on this thread). Rows that are
 * whole images or planes pass align 1; rows of weights keep SPLIT_ALIGN to match the GEMM splits.
 */
export function parallelRows(kernel: ThreadedKernel, rows: number, work: number, minWork: number,
                             args: (start: number, count: number) => number[], align = SPLIT_ALIGN): void {
  const fn = (backend.k as unknown as Record<ThreadedKernel, (...a: number[]) => void>)[kernel];
  const threads = threadsFor(work, minWork);
  if (threads === 1 || rows < 2) { fn(...args(0, rows)); return; }
  const bounds = partition(rows, threads, align);
  const jobs: number[][] = [];
  for (let t = 0; t + 1 < bounds.length; t++) jobs.push(args(bounds[t], bounds[t + 1] - bounds[t]));
  if (jobs.length === 1) fn(...jobs[0]);
  else backend.pool!.run(kernel, fn, jobs);
}
