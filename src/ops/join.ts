// concat / stack: copies each input into its slot of the output; backward slices the gradient.
import { Tensor } from '../tensor.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim } from '../shape.js';
import { backend } from '../runtime/backend.js';
import * as views from './views.js';

export function concat(tensors: Tensor[], dim = 0, op = 'concat'): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors`);
  const first = tensors[0];
  const d = normDim(dim, first.ndim, op);
  let total = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => j !== d && s !== first.shape[j])) {
      throw new Error(`${op}: tensor ${i} has shape [${t.shape}], expected [${first.shape.map((s, j) => (j === d ? '*' : s))}] (all dims but ${dim} must match)`);
    }
    if (t.dtype !== first.dtype) throw new Error(`${op}: tensor ${i} has dtype ${t.dtype}, expected ${first.dtype}`);
    total += t.shape[d];
  }
  const shape = first.shape.slice();
  shape[d] = total;
  const out = Tensor._empty(shape, first.dtype);
  // Viewed as [outer, total*inner], each input fills a column block of its rows.
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  let at = 0;
  for (const t of tensors) {
    const len = t.shape[d];
    if (len && out.numel()) {
      const src = t.contiguous();
      backend.k.ew_copy_2d(src.ptr(op), len * inner, out.ptr() + at * inner * 4, total * inner, outer, len * inner);
    }
    at += len;
  }
  if (needsGrad(...tensors)) {
    const sizes = tensors.map((t) => t.shape[d]);
    record(out, 'CatBackward0', tensors, (g) => views.split(g, sizes, d).map((s, i) => (tensors[i].requiresGrad ? views.contiguous(s) : null)));
  }
  return out;
}

export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('stack: expected a non-empty array of tensors');
  const d = normDim(dim, tensors[0].ndim + 1, 'stack');
  for (const [i, t] of tensors.entries()) {
    if (t.shape.length !== tensors[0].shape.length || t.shape.some((s, j) => s !== tensors[0].shape[j])) {
      throw new Error(`stack: tensor ${i} has shape [${t.shape}], expected [${tensors[0].shape}] (all must match)`);
    }
  }
  return concat(tensors.map((t) => views.unsqueeze(t, d)), d);
}
