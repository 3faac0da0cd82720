// oneHot: class indices to one-hot rows. int32 in, int32 out (PyTorch's are int64, which this
// library does not have); `.float()` gives the float32 targets a loss takes.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { describe } from './sort.js';

/** [...shape] int32 class indices -> [...shape, numClasses] int32 of 0s and 1s; numClasses = -1 means max + 1. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  const op = 'oneHot';
  if (!(indices instanceof Tensor)) throw new Error(`${op}: expected an int32 Tensor of class indices, got ${describe(indices)}`);
  if (indices.dtype !== 'int32') {
    throw new Error(`${op}: indices must be an int32 tensor of class indices, got ${indices.dtype} (shape [${indices.shape}]); convert with .int()`);
  }
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < -1) {
    throw new Error(`${op}: numClasses must be a non-negative integer or -1 (infer it as max + 1), got ${describe(numClasses)}`);
  }
  const ic = indices.contiguous();
  const n = ic.numel();
  const p = ic.ptr(op) >> 2;
  const idx = backend.i32.slice(p, p + n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = idx[i];
    if (v < 0) throw new Error(`${op}: class values must be non-negative, got ${v} at flat position ${i} (shape [${indices.shape}])`);
    if (v > max) max = v;
  }
  if (numClasses === -1) {
    if (!n) throw new Error(`${op}: cannot infer numClasses from an empty tensor (shape [${indices.shape}]); pass numClasses`);
    numClasses = max + 1;
  } else if (max >= numClasses) {
    throw new Error(`${op}: class values must be smaller than numClasses = ${numClasses}, got ${max} (shape [${indices.shape}])`);
  }
  const out = Tensor._empty([...indices.shape, numClasses], 'int32');
  const total = out.numel();
  if (total) {
    const at = out.ptr() >> 2;
    backend.k.ew_fill_i32(at << 2, total, 0);
    const i32 = backend.i32;
    for (let i = 0; i < n; i++) i32[at + i * numClasses + idx[i]] = 1;
  }
  return out;
}
