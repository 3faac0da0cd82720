// Single elements of a contiguous float32 tensor by flat index, for gradcheck's finite differences.
import type { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';

export function getFlat(t: Tensor, i: number): number {
  return backend.f32[(t.ptr('gradcheck') >> 2) + i];
}

/**
 * Writes one element without counting an in-place write (no version bump, no leaf check):
 * gradcheck restores every value it perturbs before anything reads the tensor for backward.
 */
export function setFlat(t: Tensor, i: number, v: number): void {
  backend.f32[(t.ptr('gradcheck') >> 2) + i] = v;
}
