// Reductions of a whole tensor to one JS number, with no tensor result and no autograd: what gradient
// clipping (the norm over every gradient) and detectAnomaly's check need, straight from the kernels.
import type { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';

// The kernel reads contiguous memory: a strided view is copied first, and the copy freed after.
export function reduceContiguous(t: Tensor, op: string, f: (ptr: number, n: number) => number): number {
  if (!t.numel()) return 0;
  const c = t.contiguous();
  const r = f(c.ptr(op), c.numel());
  if (c !== t) c.dispose();
  return r;
}

/** max |x| (NaN if any element is NaN). */
export function absMax(t: Tensor, op: string): number {
  return reduceContiguous(t, op, (p, n) => backend.k.red_absmax(p, n));
}

/** sum of x² (accumulated in double by the kernel). */
export function sumOfSquares(t: Tensor, op: string): number {
  return reduceContiguous(t, op, (p, n) => backend.k.red_sumsq(p, n));
}

/** sum of |x|^p. */
export function sumAbsPow(t: Tensor, p: number, op: string): number {
  return reduceContiguous(t, op, (ptr, n) => backend.k.opt_sum_abs_pow(ptr, n, p));
}

/** How many elements are NaN or ±Infinity. */
export function countNonFinite(t: Tensor, op: string): number {
  return reduceContiguous(t, op, (p, n) => backend.k.ew_count_nonfinite(p, n));
}
