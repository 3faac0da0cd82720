// Views that share storage (reshape/view, transpose, permute, squeeze, unsqueeze, expand, slicing)
// and contiguous(). Backward of a view maps the gradient back through the inverse view.
import { Tensor } from '../tensor.js';
import { needsGrad, record } from '../autograd/node.js';
import { contiguousStrides, normDim, shapeSize, sameShape } from '../shape.js';
import { copyInto } from './elementwise.js';
import { sumToShape } from './grad-utils.js';
import { backend } from '../runtime/backend.js';

function inferShape(x: Tensor, shape: number[], op: string): number[] {
  const n = x.numel();
  let infer = -1, known = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (infer >= 0) throw new Error(`${op}: only one dimension can be -1, got [${shape}]`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) throw new Error(`${op}: invalid size ${s} in shape [${shape}]`);
    else known *= s;
  });
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) throw new Error(`${op}: shape [${shape}] is invalid for input of size ${n} (shape [${x.shape}])`);
    out[infer] = n / known;
  }
  if (shapeSize(out, op) !== n) throw new Error(`${op}: shape [${shape}] is invalid for input of size ${n} (shape [${x.shape}])`);
  return out;
}

// Strides for viewing x with a new shape without copying, or null when the layout forbids it.
function viewStrides(x: Tensor, shape: number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  // General case (PyTorch's computeStride): match chunks of old dims that are contiguous among themselves.
  const oldShape = x.shape, oldStrides = x.strides;
  const newStrides = new Array(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) { chunkBase = oldStrides[d - 1]; tensorNumel = 1; viewNumel = 1; }
    }
  }
  return viewD === -1 ? newStrides : null;
}

function viewOp(x: Tensor, shape: number[], strides: number[], offset: number, name: string,
                back: (g: Tensor) => Tensor): Tensor {
  const out = x._view(shape, strides, offset);
  if (needsGrad(x)) {
    record(out, name, [x], (g) => [back(g)]);
    // Writing through it would change the leaf behind autograd's back (PyTorch refuses it too).
    out._leafView = x.isLeaf || x._leafView;
  }
  return out;
}

export function view(x: Tensor, shape: number[]): Tensor {
  const target = inferShape(x, shape, 'view');
  const st = viewStrides(x, target);
  if (!st) throw new Error(`view: size [${shape}] is not compatible with input strides [${x.strides}] (shape [${x.shape}]); use reshape()`);
  return viewOp(x, target, st, x.offset, 'ViewBackward0', (g) => reshape(g, x.shape));
}

export function reshape(x: Tensor, shape: number[]): Tensor {
  const target = inferShape(x, shape, 'reshape');
  if (sameShape(target, x.shape)) return x;
  const st = viewStrides(x, target);
  if (st) return viewOp(x, target, st, x.offset, 'ViewBackward0', (g) => reshape(g, x.shape));
  return view(contiguous(x), target);
}

export function flatten(x: Tensor, startDim: number, endDim: number): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim, 'flatten'), e = normDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} must not come after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function permute(x: Tensor, dims: number[]): Tensor {
  if (dims.length !== x.ndim) throw new Error(`permute: expected ${x.ndim} dims for shape [${x.shape}], got [${dims}]`);
  const d = dims.map((v) => normDim(v, x.ndim, 'permute'));
  if (new Set(d).size !== d.length) throw new Error(`permute: dims [${dims}] repeat a dim`);
  const inv = new Array(d.length);
  d.forEach((v, i) => { inv[v] = i; });
  return viewOp(x, d.map((i) => x.shape[i]), d.map((i) => x.strides[i]), x.offset, 'PermuteBackward0', (g) => permute(g, inv));
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim < 2 && dim0 === 0 && (dim1 === 0 || dim1 === 1 || dim1 === -1)) return x;
  const a = normDim(dim0, x.ndim, 'transpose'), b = normDim(dim1, x.ndim, 'transpose');
  const dims = [...Array(x.ndim).keys()];
  dims[a] = b; dims[b] = a;
  return permute(x, dims);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  let keep: number[];
  if (dim === undefined) keep = [...Array(x.ndim).keys()].filter((i) => x.shape[i] !== 1);
  else {
    const d = normDim(dim, x.ndim, 'squeeze');
    keep = [...Array(x.ndim).keys()].filter((i) => i !== d || x.shape[i] !== 1);
  }
  if (keep.length === x.ndim) return x;
  return viewOp(x, keep.map((i) => x.shape[i]), keep.map((i) => x.strides[i]), x.offset, 'SqueezeBackward0', (g) => reshape(g, x.shape));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = x.shape.slice(), strides = x.strides.slice();
  const st = d < x.ndim ? x.strides[d] * x.shape[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return viewOp(x, shape, strides, x.offset, 'UnsqueezeBackward0', (g) => reshape(g, x.shape));
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) throw new Error(`expand: target [${shape}] has fewer dims than the tensor's shape [${x.shape}]`);
  const lead = shape.length - x.ndim;
  const outShape: number[] = [], strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const src = i >= lead ? x.shape[i - lead] : 1;
    const want = shape[i] === -1 ? src : shape[i];
    if (src !== want && src !== 1) throw new Error(`expand: the expanded size ${want} must match the existing size ${src} at dim ${i} (shape [${x.shape}] to [${shape}])`);
    outShape.push(want);
    strides.push(src === want && i >= lead ? x.strides[i - lead] : 0);
  }
  return viewOp(x, outShape, strides, x.offset, 'ExpandBackward0', (g) => sumToShape(g, x.shape));
}

export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normDim(dim, x.ndim, 'slice');
  const n = x.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = clampIdx(start), e = clampIdx(end ?? n);
  const len = Math.max(0, Math.ceil((e - s) / step));
  const shape = x.shape.slice(), strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  return viewOp(x, shape, strides, x.offset + s * x.strides[d], 'SliceBackward0', (g) => sliceBackward(g, x.shape, d, s, len, step));
}

// Scatters a slice's gradient into zeros of the input's shape.
function sliceBackward(g: Tensor, inShape: number[], d: number, start: number, len: number, step: number): Tensor {
  const full = Tensor._empty(inShape);
  if (!full.numel()) return full;
  backend.k.ew_fill(full.ptr(), full.numel(), 0);
  if (!len) return full;
  const outer = inShape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = inShape.slice(d + 1).reduce((a, b) => a * b, 1);
  const gc = g.contiguous();
  const n = inShape[d];
  if (step === 1) {
    backend.k.ew_copy_2d(gc.ptr(), len * inner, full.ptr() + start * inner * 4, n * inner, outer, len * inner);
  } else {
    for (let j = 0; j < len; j++) {
      backend.k.ew_copy_2d(gc.ptr() + j * inner * 4, len * inner, full.ptr() + (start + j * step) * inner * 4, n * inner, outer, inner);
    }
  }
  return full;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.ndim, 'narrow');
  const s = start < 0 ? start + x.shape[d] : start;
  if (!Number.isInteger(length) || length < 0 || s < 0 || s + length > x.shape[d]) {
    throw new Error(`narrow: start ${start} + length ${length} out of range for dim ${dim} of size ${x.shape[d]}`);
  }
  return slice(x, d, s, s + length);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.ndim, 'select');
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(`select: index ${index} is out of bounds for dim ${dim} with size ${n} (shape [${x.shape}])`);
  }
  return squeeze(slice(x, d, index < 0 ? index + n : index, (index < 0 ? index + n : index) + 1), d);
}

export function chunk(x: Tensor, chunks: number, dim: number): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normDim(dim, x.ndim, 'chunk');
  return split(x, Math.ceil(x.shape[d] / chunks) || 1, d);
}

export function split(x: Tensor, sizes: number | number[], dim: number): Tensor[] {
  const d = normDim(dim, x.ndim, 'split');
  const n = x.shape[d];
  const list = typeof sizes === 'number'
    ? Array.from({ length: Math.max(1, Math.ceil(n / sizes)) }, (_, i) => Math.min(sizes, n - i * sizes))
    : sizes;
  if (typeof sizes !== 'number' && list.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(`split: sizes [${list}] must sum to ${n} (dim ${dim} of shape [${x.shape}])`);
  }
  let at = 0;
  return list.map((len) => { const t = slice(x, d, at, at + len); at += len; return t; });
}

export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = Tensor._empty(x.shape, x.dtype);
  copyInto(out, x, 'contiguous');
  if (needsGrad(x)) record(out, 'ContiguousBackward0', [x], (g) => [g]);
  return out;
}

export function detach(x: Tensor): Tensor {
  return x._view(x.shape.slice(), x.strides.slice(), x.offset);
}
