// Reductions of a whole tensor to one JS number, with no tensor result and no autograd: what gradient
// clipping (the norm over every gradient) and detectAnomaly's check need, straight from the kernels.
import type { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';

/** max |x| (NaN if any element is NaN). */
export function absMax(t: Tensor, op: string): number {
  return t.numel() ? backend.k.red_absmax(t.contiguous().ptr(op), t.numel()) : 0;
}

/** sum of x² (accumulated in double by the kernel). */
export function sumOfSquares(t: Tensor, op: string): number {
  return t.numel() ? backend.k.red_sumsq(t.contiguous().ptr(op), t.numel()) : 0;
}

/** sum of |x|^p. */
export function sumAbsPow(t: Tensor, p: number, op: string): number {
  return t.numel() ? backend.k.opt_sum_abs_pow(t.contiguous().ptr(op), t.numel(), p) : 0;
}

/** How many elements are NaN or ±Infinity. */
export function countNonFinite(t: Tensor, op: string): number {
  return t.numel() ? backend.k.ew_count_nonfinite(t.contiguous().ptr(op), t.numel()) : 0;
}
