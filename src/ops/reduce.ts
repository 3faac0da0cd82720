// Reductions: sum, mean, var, max/min (values + indices), amax/amin, argmax/argmin, logsumexp, norm.
// A reduction over several dims permutes them to the end and reduces one flattened axis.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { sumRows } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim, normDims } from '../shape.js';
import { binaryRaw, unaryRaw, unaryKernel, cast } from './elementwise.js';
import * as views from './views.js';
import { valuesIndices, type ValuesIndices } from './return-types.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

const k = () => backend.k;

// Arranges x as [outer, n, inner] over `dims` (contiguous), returning the pieces and output shape.
function layout(x: Tensor, dims: number[], keepdim: boolean, op: string) {
  // x.mean(1, { keepdim: false }) would otherwise keep the dim (an object is truthy).
  if (typeof keepdim !== 'boolean') {
    throw new Error(`${op}: keepdim must be a boolean, got ${keepdim === null ? 'null' : typeof keepdim} (x.${op}(1, true) is PyTorch's ${op}(dim=1, keepdim=True))`);
  }
  const keptShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const outShape = keepdim ? keptShape : x.shape.filter((_, i) => !dims.includes(i));
  const contiguousRun = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
  let src: Tensor, outer: number, n: number, inner: number;
  if (contiguousRun && dims.length) {
    src = x.contiguous();
    outer = x.shape.slice(0, dims[0]).reduce((a, b) => a * b, 1);
    n = dims.reduce((a, d) => a * x.shape[d], 1);
    inner = x.shape.slice(dims[dims.length - 1] + 1).reduce((a, b) => a * b, 1);
  } else {
    const rest = [...Array(x.ndim).keys()].filter((d) => !dims.includes(d));
    src = views.contiguous(views.permute(x, [...rest, ...dims]));
    outer = rest.reduce((a, d) => a * x.shape[d], 1);
    n = dims.reduce((a, d) => a * x.shape[d], 1);
    inner = 1;
  }
  return { src: src.dtype === 'float32' ? src : cast(src, 'float32'), outer, n, inner, outShape, keptShape };
}

function sumRaw(x: Tensor, dims: number[], keepdim: boolean, scale: number, op: string): Tensor {
  const L = layout(x, dims, keepdim, op);
  const out = Tensor._empty(L.outShape);
  if (out.numel()) {
    if (L.n === 0) k().ew_fill(out.ptr(), out.numel(), op === 'mean' ? NaN : 0);
    else sumRows(L.src.ptr(op), out.ptr(), L.outer, L.n, L.inner, scale);
  }
  return out;
}

export function sum(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const dims = normDims(dim, x.ndim, 'sum');
  const out = sumRaw(x, dims, keepdim, 1, 'sum');
  if (needsGrad(x)) {
    const kept = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
    record(out, 'SumBackward1', [x], (g) => [views.expand(views.reshape(g, kept), x.shape)]);
  }
  return out;
}

export function mean(x: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  const dims = normDims(dim, x.ndim, 'mean');
  const n = dims.reduce((a, d) => a * x.shape[d], 1);
  const out = sumRaw(x, dims, keepdim, 1 / n, 'mean');
  if (needsGrad(x)) {
    const kept = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
    record(out, 'MeanBackward1', [x], (g) => [views.expand(views.reshape(unaryRaw(g, 'mulScalar', 1 / n), kept), x.shape)]);
  }
  return out;
}

export interface VarOptions {
  /** Subtracted from the count in the divisor (default 1, Bessel's correction). */
  correction?: number;
  /** PyTorch's older spelling: true is correction 1, false correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}
/** var / std arguments after dim, in PyTorch's order: (unbiased, keepdim), then options. */
export type VarArgs = PositionalArgs<[unbiased: boolean, keepdim: boolean], VarOptions>;
const varSpec = (op: string): ArgSpec => ({
  op, leading: ['dim'], positional: ['unbiased', 'keepdim'], keywords: ['correction'],
  types: { unbiased: 'boolean', keepdim: 'boolean', correction: 'number' },
});
const VAR_ARGS = varSpec('var'), STD_ARGS = varSpec('std');

/** Variance with Bessel's correction by default (correction = 1), like torch.var: var(dim, unbiased, keepdim) or var(dim, { correction, keepdim }). */
export function variance(x: Tensor, dim?: number | number[] | null, ...args: VarArgs): Tensor {
  return varianceOf(x, dim, args, VAR_ARGS);
}
/** The standard deviation: sqrt of variance, same arguments. */
export function std(x: Tensor, dim?: number | number[] | null, ...args: VarArgs): Tensor {
  return varianceOf(x, dim, args, STD_ARGS).sqrt();
}

function varianceOf(x: Tensor, dim: number | number[] | null | undefined, args: readonly unknown[], spec: ArgSpec): Tensor {
  // x.var(false): PyTorch's var(unbiased) overload.
  if (typeof dim === 'boolean') { args = [dim, ...args]; dim = undefined; }
  const opts = parseArgs<VarOptions>(spec, args);
  if (opts.unbiased !== undefined && opts.correction !== undefined) throw new Error(`${spec.op}: pass unbiased or correction, not both`);
  const dims = normDims(dim, x.ndim, spec.op);
  const n = dims.reduce((a, d) => a * x.shape[d], 1);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const mu = mean(x, dims, true);
  const dev = x.sub(mu);
  return sum(dev.mul(dev), dims, opts.keepdim ?? false).mul(1 / Math.max(0, n - correction));
}

function maxMinRaw(x: Tensor, d: number, keepdim: boolean, isMin: boolean, op: string) {
  if (x.shape[d] === 0) throw new Error(`${op}: cannot reduce over dim ${d} of size 0 (shape [${x.shape}])`);
  const L = layout(x, [d], keepdim, op);
  const values = Tensor._empty(L.outShape);
  const indices = Tensor._empty(L.outShape, 'int32');
  if (values.numel()) k().red_max(L.src.ptr(op), values.ptr(), indices.ptr(), L.outer, L.n, L.inner, isMin ? 1 : 0);
  return { values, indices, L };
}

// Gradient of a max/min over dim d: scatter g to the winning positions.
function scatterToIndices(g: Tensor, indices: Tensor, x: Tensor, d: number): Tensor {
  const outer = x.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const n = x.shape[d];
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const dx = Tensor._empty(x.shape);
  if (!dx.numel()) return dx;
  k().ew_fill(dx.ptr(), dx.numel(), 0);
  const gc = g.contiguous();
  k().ew_scatter_add(gc.ptr(), indices.ptr(), dx.ptr(), outer, n, 1, inner);
  return dx;
}

export function maxMin(x: Tensor, dim: number | undefined, keepdim: boolean, isMin: boolean): Tensor | ValuesIndices {
  const op = isMin ? 'min' : 'max';
  if (dim === undefined) return amaxAmin(x, null, false, isMin);
  const d = normDim(dim, x.ndim, op);
  const { values, indices } = maxMinRaw(x, d, keepdim, isMin, op);
  if (needsGrad(x)) {
    const keptIdx = views.reshape(indices, x.shape.map((s, i) => (i === d ? 1 : s)));
    record(values, isMin ? 'MinBackward0' : 'MaxBackward0', [x], (g) => [scatterToIndices(g, keptIdx, x, d)], [keptIdx]);
  }
  return valuesIndices(values, indices);
}

/** Max/min over dims, gradient split evenly among ties (PyTorch amax semantics). */
export function amaxAmin(x: Tensor, dim: number | number[] | null | undefined, keepdim: boolean, isMin: boolean): Tensor {
  const op = isMin ? 'amin' : 'amax';
  const dims = normDims(dim, x.ndim, op);
  if (x.numel() === 0) throw new Error(`${op}: cannot reduce an empty tensor (shape [${x.shape}])`);
  const L = layout(x, dims, keepdim, op);
  const out = Tensor._empty(L.outShape);
  k().red_max(L.src.ptr(op), out.ptr(), 0, L.outer, L.n, L.inner, isMin ? 1 : 0);
  if (needsGrad(x)) {
    record(out, isMin ? 'AminBackward0' : 'AmaxBackward0', [x], (g) => {
      const kept = views.reshape(out, L.keptShape);
      const mask = binaryRaw('eq', x, kept, op);
      const count = sum(mask, dims, true);
      const gk = views.reshape(g, L.keptShape);
      return [binaryRaw('mul', mask, binaryRaw('div', gk, count, op), op)];
    }, [x, out]);
  }
  return out;
}

export function argMaxMin(x: Tensor, dim: number | undefined, keepdim: boolean, isMin: boolean): Tensor {
  const op = isMin ? 'argmin' : 'argmax';
  if (dim === undefined) {
    const flat = views.reshape(x, [-1]);
    return maxMinRaw(flat, 0, false, isMin, op).indices;
  }
  return maxMinRaw(x, normDim(dim, x.ndim, op), keepdim, isMin, op).indices;
}

const F32_MAX = 3.4028234663852886e38;

/**
 * log(sum(exp(x))) over dim (an integer or an array of them; required, as in torch.logsumexp),
 * with each slice's max subtracted first. A slice of all -inf gives -inf, one with +inf gives +inf,
 * NaN propagates, an empty slice gives -inf; int32 is read as float32 (PyTorch promotes it too).
 * The gradient is exp(x - result) * g: the softmax over dim (NaN where x and the result are the
 * same infinity, as PyTorch's).
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const op = 'logsumexp';
  if (dim === undefined || dim === null) {
    throw new Error(`${op}: dim is required (an integer or an array of them, as in torch.logsumexp(input, dim)), got ${dim} for a tensor of shape [${x.shape}]`);
  }
  if (Array.isArray(dim) && dim.length === 0) {
    throw new Error(`${op}: dim [] names no dim to reduce (shape [${x.shape}]); expected an integer or a non-empty array of them`);
  }
  let dims: number[];
  try {
    // A 0-d tensor takes dim 0 or -1 (as PyTorch) and reduces nothing.
    dims = x.ndim === 0 ? (normDims(dim, 0, op), []) : normDims(dim, x.ndim, op);
  } catch (e) {
    throw new Error(`${(e as Error).message}; input shape [${x.shape}]`);
  }
  const L = layout(x, dims, keepdim, op);
  let out: Tensor;
  if (L.n === 0 || L.outer * L.inner === 0) {
    // Nothing to sum: log(0) = -inf (PyTorch's value for an empty slice), or no slices at all.
    out = Tensor._empty(L.outShape);
    if (out.numel()) k().ew_fill(out.ptr(), out.numel(), -Infinity);
  } else {
    // Each slice's max, clamped to the finite range: a slice of -inf (or holding +inf) then
    // subtracts a finite number, so exp gives 0 (+inf) and the result is -inf (+inf), not NaN.
    const m = Tensor._empty([L.outer, 1, L.inner]);
    k().red_max(L.src.ptr(op), m.ptr(), 0, L.outer, L.n, L.inner, 0);
    unaryKernel('clamp', m.ptr(), m.ptr(), m.numel(), -F32_MAX, F32_MAX);
    const e = binaryRaw('sub', views.reshape(L.src, [L.outer, L.n, L.inner]), m, op);
    unaryKernel('exp', e.ptr(), e.ptr(), e.numel());
    const s = Tensor._empty(L.outShape);
    sumRows(e.ptr(op), s.ptr(), L.outer, L.n, L.inner, 1);
    unaryKernel('log', s.ptr(), s.ptr(), s.numel());
    out = binaryRaw('add', s, views.reshape(m, L.outShape), op);
  }
  if (needsGrad(x)) {
    const kept = L.keptShape;
    record(out, 'LogsumexpBackward0', [x], (g) => {
      const p = binaryRaw('sub', x, views.reshape(out, kept), op);
      if (p.numel()) unaryKernel('exp', p.ptr(), p.ptr(), p.numel());
      return [binaryRaw('mul', p, views.reshape(g, kept), op)];
    }, [x, out]);
  }
  return out;
}

/** p-norm over all elements (p = 2 default, p = Infinity for the max norm). */
export function norm(x: Tensor, p: number): Tensor {
  if (p === 2) return sum(x.mul(x)).sqrt();
  if (p === 1) return sum(x.abs());
  if (p === Infinity) return amaxAmin(x.abs(), null, false, false);
  return sum(x.abs().pow(p)).pow(1 / p);
}
