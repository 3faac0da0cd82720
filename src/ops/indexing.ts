// indexSelect and gather (differentiable w.r.t. the source), with bounds checked by the kernel
// before anything is read.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim } from '../shape.js';
import { fromValues } from './creation.js';

function asIndex(index: Tensor | number[], op: string): Tensor {
  if (Array.isArray(index)) return fromValues(Int32Array.from(index), [index.length], 'int32');
  if (index.dtype !== 'int32') throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  return index.contiguous();
}

function dims(x: Tensor, d: number) {
  return {
    outer: x.shape.slice(0, d).reduce((a, b) => a * b, 1),
    inner: x.shape.slice(d + 1).reduce((a, b) => a * b, 1),
  };
}

export function indexSelect(x: Tensor, dim: number, index: Tensor | number[]): Tensor {
  const op = 'indexSelect';
  const d = normDim(dim, x.ndim, op);
  const idx = asIndex(index, op);
  if (idx.ndim > 1) throw new Error(`${op}: index must be 0-D or 1-D, got shape [${idx.shape}]`);
  const nidx = idx.numel();
  const shape = x.shape.slice();
  shape[d] = nidx;
  const { outer, inner } = dims(x, d);
  const xc = x.contiguous();
  const out = Tensor._empty(shape, x.dtype);
  const k = backend.k, xp = xc.ptr(op), ip = idx.ptr(op), op0 = out.ptr(), nsrc = x.shape[d];
  // A single gather of whole rows (a DataLoader batch) splits its rows across threads once the
  // indices are known to be valid (outer = 0 only validates).
  const split = outer === 1 && out.numel() >= MIN_PARALLEL_ELEMENTS;
  const bad = k.ew_index_select(xp, ip, op0, out.numel() && !split ? outer : 0, nsrc, nidx, inner);
  if (bad < 0 && split) {
    parallelRows('ew_index_select', nidx, out.numel(), MIN_PARALLEL_ELEMENTS, (s, c) => [xp, ip + s * 4, op0 + s * inner * 4, 1, nsrc, c, inner], 1);
  }
  if (bad >= 0) {
    const v = idx.data()[bad];
    out._release();
    throw new Error(`${op}: index ${v} at position ${bad} is out of range for dim ${dim} of size ${x.shape[d]} (shape [${x.shape}])`);
  }
  if (needsGrad(x)) {
    record(out, 'IndexSelectBackward0', [x], (g) => {
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        backend.k.ew_fill(dx.ptr(), dx.numel(), 0);
        backend.k.ew_index_add(g.contiguous().ptr(), idx.ptr(), dx.ptr(), outer, x.shape[d], nidx, inner);
      }
      return [dx];
    }, [idx]);
  }
  return out;
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const op = 'gather';
  const d = normDim(dim, x.ndim, op);
  const idx = asIndex(index, op);
  if (idx.ndim !== x.ndim) throw new Error(`${op}: index shape [${idx.shape}] must have as many dims as the input [${x.shape}]`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && idx.shape[i] !== x.shape[i]) {
      throw new Error(`${op}: index shape [${idx.shape}] must match input shape [${x.shape}] except at dim ${dim}`);
    }
  }
  const { outer, inner } = dims(x, d);
  const xc = x.contiguous();
  const out = Tensor._empty(idx.shape, x.dtype);
  const bad = backend.k.ew_gather(xc.ptr(op), idx.ptr(op), out.ptr(), out.numel() ? outer : 0, x.shape[d], idx.shape[d], inner);
  if (bad >= 0) {
    const v = idx.data()[bad];
    out._release();
    throw new Error(`${op}: index ${v} is out of range for dim ${dim} of size ${x.shape[d]} (shape [${x.shape}])`);
  }
  if (needsGrad(x)) {
    record(out, 'GatherBackward0', [x], (g) => {
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        backend.k.ew_fill(dx.ptr(), dx.numel(), 0);
        backend.k.ew_scatter_add(g.contiguous().ptr(), idx.ptr(), dx.ptr(), outer, x.shape[d], idx.shape[d], inner);
      }
      return [dx];
    }, [idx]);
  }
  return out;
}
