// Elementwise ops: broadcasting binary arithmetic and comparisons, unary maps, casts, clones,
// and the in-place updates optimizers use. Every differentiable one records its backward.
import { Tensor, type DType } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { Binary, UNARY_BACKWARD_READS, Unary, type BinaryName, type UnaryName } from '../runtime/protocol.js';
import { writeMeta, writeMeta3 } from '../runtime/scratch.js';
import { broadcastShapes, broadcastStrides, coalesce, contiguousStrides, sameShape } from '../shape.js';
import { needsGrad, record } from '../autograd/node.js';
import { sumToShape } from './grad-utils.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';

const k = () => backend.k;

function asFloat(t: Tensor): Tensor { return t.dtype === 'float32' ? t : cast(t, 'float32'); }

/** The raw broadcasting kernel call (no autograd). */
export function binaryRaw(op: BinaryName, a: Tensor, b: Tensor, opName: string): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, opName);
  a = asFloat(a); b = asFloat(b);
  const out = Tensor._empty(shape);
  if (out.numel() === 0) return out;
  const pa = a.ptr(opName), pb = b.ptr(opName);
  if (a.isContiguous() && b.isContiguous() && (a.numel() === out.numel() || a.numel() === 1) && (b.numel() === out.numel() || b.numel() === 1)) {
    // Hot path (same-shape or scalar operands): one flat row, no stride bookkeeping.
    const meta = writeMeta3(out.numel(), a.numel() === 1 ? 0 : 1, b.numel() === 1 ? 0 : 1);
    k().ew_binary(Binary[op], pa, pb, out.ptr(), 1, meta);
    return out;
  }
  const full = shape.length ? shape : [1];
  const sa = shape.length ? broadcastStrides(a.shape, a.strides, shape) : [0];
  const sb = shape.length ? broadcastStrides(b.shape, b.strides, shape) : [0];
  const c = coalesce(full.slice(), [sa, sb, contiguousStrides(full)]);
  const meta = writeMeta([...c.shape, ...c.strides[0], ...c.strides[1]], c.shape.length);
  k().ew_binary(Binary[op], pa, pb, out.ptr(), c.shape.length, meta);
  return out;
}

/** ew_unary over n contiguous elements from x into y (may be x), split across threads when large. */
export function unaryKernel(op: UnaryName, x: number, y: number, n: number, p1 = 0, p2 = 0): void {
  parallelRows('ew_unary', n, n, MIN_PARALLEL_ELEMENTS, (s, c) => [Unary[op], x + s * 4, y + s * 4, c, p1, p2]);
}

/** The raw unary kernel call on a contiguous copy of x (no autograd). */
export function unaryRaw(x: Tensor, op: UnaryName, p1 = 0, p2 = 0): Tensor {
  const xc = asFloat(x).contiguous();
  const out = Tensor._empty(x.shape);
  if (out.numel()) unaryKernel(op, xc.ptr(op), out.ptr(), out.numel(), p1, p2);
  return out;
}

const BACKWARD_NAMES: Partial<Record<UnaryName, string>> = { addScalar: 'AddBackward0', mulScalar: 'MulBackward0',
  rsubScalar: 'RsubBackward1', rdivScalar: 'DivBackward0', powScalar: 'PowBackward0', leakyRelu: 'LeakyReluBackward0' };

/** A differentiable unary map (activations included). */
// The scalar parameters of the public unary ops (clamp's min / max, leakyRelu's slope, ...): an
// options object in their place (x.clamp({ min: 0 })) would reach the kernel as NaN and change nothing.
function checkScalars(op: string, p1: unknown, p2: unknown): void {
  for (const p of [p1, p2]) {
    if (typeof p !== 'number') {
      throw new Error(`${op}: expected number arguments, got ${p === null ? 'null' : Array.isArray(p) ? 'an array' : typeof p} ` +
        '(pass them positionally, in PyTorch\'s order: x.clamp(0, 1), x.leakyRelu(0.2), x.hardtanh(-1, 1))');
    }
  }
}

export function unary(x: Tensor, op: UnaryName, p1 = 0, p2 = 0): Tensor {
  checkScalars(op, p1, p2);
  const xc = asFloat(x).contiguous();
  const y = unaryRaw(xc, op, p1, p2);
  if (needsGrad(x)) {
    const reads = UNARY_BACKWARD_READS[op]; // what ew_unary_backward reads: save only that
    const saveX = reads === 'x' || reads === 'both', saveY = reads === 'y' || reads === 'both';
    const saved = [...(saveX ? [xc] : []), ...(saveY ? [y] : [])];
    const name = BACKWARD_NAMES[op] ?? `${op[0].toUpperCase()}${op.slice(1)}Backward0`;
    record(y, name, [x], (g) => {
      const gc = g.contiguous();
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        const [dy, xs, ys] = [gc.ptr(name), saveX ? xc.ptr(name) : 0, saveY ? y.ptr(name) : 0];
        parallelRows('ew_unary_backward', dx.numel(), dx.numel(), MIN_PARALLEL_ELEMENTS, (s, c) =>
          [Unary[op], dy + s * 4, xs && xs + s * 4, ys && ys + s * 4, dx.ptr() + s * 4, c, p1, p2]);
      }
      return [dx];
    }, saved);
  }
  return y;
}

function checkOther(op: string, other: unknown): void {
  if (typeof other !== 'number' && !(other instanceof Tensor)) {
    throw new Error(`${op}: expected a Tensor or a number, got ${other === null ? 'null' : typeof other}`);
  }
}

export function add(a: Tensor, other: Tensor | number, alpha = 1): Tensor {
  checkOther('add', other);
  if (typeof other === 'number') return unary(a, 'addScalar', other * alpha);
  const b = alpha === 1 ? other : mul(other, alpha);
  const out = binaryRaw('add', a, b, 'add');
  if (needsGrad(a, b)) record(out, 'AddBackward0', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
  return out;
}

export function sub(a: Tensor, other: Tensor | number, alpha = 1): Tensor {
  checkOther('sub', other);
  if (typeof other === 'number') return unary(a, 'addScalar', -other * alpha);
  const b = alpha === 1 ? other : mul(other, alpha);
  const out = binaryRaw('sub', a, b, 'sub');
  if (needsGrad(a, b)) record(out, 'SubBackward0', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(unaryRaw(g, 'neg'), b.shape)]);
  return out;
}

export function rsub(a: Tensor, other: number): Tensor { return unary(a, 'rsubScalar', other); }

export function mul(a: Tensor, other: Tensor | number): Tensor {
  checkOther('mul', other);
  if (typeof other === 'number') return unary(a, 'mulScalar', other);
  const b = other;
  const out = binaryRaw('mul', a, b, 'mul');
  if (needsGrad(a, b)) {
    record(out, 'MulBackward0', [a, b], (g) => [
      a.requiresGrad ? sumToShape(binaryRaw('mul', g, b, 'MulBackward0'), a.shape) : null,
      b.requiresGrad ? sumToShape(binaryRaw('mul', g, a, 'MulBackward0'), b.shape) : null,
    ], [a, b]);
  }
  return out;
}

export function div(a: Tensor, other: Tensor | number): Tensor {
  checkOther('div', other);
  if (typeof other === 'number') return unary(a, 'mulScalar', 1 / other);
  const b = other;
  const out = binaryRaw('div', a, b, 'div');
  if (needsGrad(a, b)) {
    record(out, 'DivBackward0', [a, b], (g) => {
      const ga = binaryRaw('div', g, b, 'DivBackward0');
      return [
        a.requiresGrad ? sumToShape(ga, a.shape) : null,
        // d(a/b)/db = -(a/b)/b, so the gradient is -(g/b)·out
        b.requiresGrad ? sumToShape(unaryRaw(binaryRaw('mul', ga, out, 'DivBackward0'), 'neg'), b.shape) : null,
      ];
    }, [a, b, out]);
  }
  return out;
}

export function pow(a: Tensor, exponent: Tensor | number): Tensor {
  checkOther('pow', exponent);
  if (typeof exponent === 'number') return unary(a, 'powScalar', exponent);
  const b = exponent;
  const out = binaryRaw('pow', a, b, 'pow');
  if (needsGrad(a, b)) {
    record(out, 'PowBackward1', [a, b], (g) => {
      let ga: Tensor | null = null, gb: Tensor | null = null;
      if (a.requiresGrad) {
        const bm1 = unaryRaw(b, 'addScalar', -1);
        ga = sumToShape(binaryRaw('mul', g, binaryRaw('mul', b, binaryRaw('pow', a, bm1, 'PowBackward1'), 'PowBackward1'), 'PowBackward1'), a.shape);
      }
      if (b.requiresGrad) {
        // PyTorch masks the a == 0 case (where log a = -inf) to a zero gradient.
        const fixed = where(unaryRaw(a, 'neScalar', 0), unaryRaw(a, 'log'), 0, true);
        gb = sumToShape(binaryRaw('mul', g, binaryRaw('mul', out, fixed, 'PowBackward1'), 'PowBackward1'), b.shape);
      }
      return [ga, gb];
    }, [a, b, out]);
  }
  return out;
}

function maxMinPair(a: Tensor, other: Tensor | number, isMin: boolean): Tensor {
  const name = isMin ? 'minimum' : 'maximum';
  const b = typeof other === 'number' ? full(a, other) : other;
  const out = binaryRaw(isMin ? 'minimum' : 'maximum', a, b, name);
  if (needsGrad(a, b)) {
    record(out, isMin ? 'MinimumBackward0' : 'MaximumBackward0', [a, b], (g) => {
      // Ties split the gradient evenly, as PyTorch does.
      const wins = binaryRaw(isMin ? 'lt' : 'gt', a, b, name);
      const ties = unaryRaw(binaryRaw('eq', a, b, name), 'mulScalar', 0.5);
      const wa = binaryRaw('add', wins, ties, name);
      const wb = unaryRaw(wa, 'rsubScalar', 1);
      return [
        a.requiresGrad ? sumToShape(binaryRaw('mul', g, wa, name), a.shape) : null,
        b.requiresGrad ? sumToShape(binaryRaw('mul', g, wb, name), b.shape) : null,
      ];
    }, [a, b]);
  }
  return out;
}
export const maximum = (a: Tensor, b: Tensor | number) => maxMinPair(a, b, false);
export const minimum = (a: Tensor, b: Tensor | number) => maxMinPair(a, b, true);

function full(_like: Tensor, v: number): Tensor {
  const t = Tensor._empty([]);
  k().ew_fill(t.ptr(), 1, v);
  return t;
}

export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new Error('clamp: at least one of min or max must be given');
  }
  return unary(x, 'clamp', min ?? -Infinity, max ?? Infinity);
}

const SCALAR_COMPARE: Record<string, UnaryName> = { eq: 'eqScalar', ne: 'neScalar', lt: 'ltScalar', le: 'leScalar', gt: 'gtScalar', ge: 'geScalar' };

/** Comparisons give float32 masks of 0 and 1 (no gradient). */
export function compare(a: Tensor, other: Tensor | number, op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'): Tensor {
  checkOther(op, other);
  if (typeof other === 'number') return unaryRaw(a, SCALAR_COMPARE[op], other);
  return binaryRaw(op, a, other, op);
}

/** where(cond, a, b): a where cond is non-zero, else b (broadcasting). */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number, raw = false): Tensor {
  const ta = typeof a === 'number' ? full(condition, a) : a;
  const tb = typeof b === 'number' ? full(condition, b) : b;
  const shape = broadcastShapes(broadcastShapes(condition.shape, ta.shape, 'where'), tb.shape, 'where');
  const expand = (t: Tensor) => (sameShape(t.shape, shape) ? asFloat(t).contiguous() : binaryRaw('add', zerosOf(shape), t, 'where'));
  const c = expand(condition), ea = expand(ta), eb = expand(tb);
  const out = Tensor._empty(shape);
  if (out.numel()) k().ew_where(c.ptr('where'), ea.ptr('where'), eb.ptr('where'), out.ptr(), out.numel());
  if (!raw && needsGrad(ta, tb)) {
    record(out, 'WhereBackward0', [ta, tb], (g) => {
      const z = zerosOf(shape);
      const gc = g.contiguous();
      const ga = Tensor._empty(shape), gb = Tensor._empty(shape);
      if (ga.numel()) {
        k().ew_where(c.ptr(), gc.ptr(), z.ptr(), ga.ptr(), ga.numel());
        k().ew_where(c.ptr(), z.ptr(), gc.ptr(), gb.ptr(), gb.numel());
      }
      return [ta.requiresGrad ? sumToShape(ga, ta.shape) : null, tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
    }, [c]);
  }
  return out;
}

function zerosOf(shape: readonly number[]): Tensor {
  const z = Tensor._empty(shape);
  if (z.numel()) k().ew_fill(z.ptr(), z.numel(), 0);
  return z;
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`to: unsupported dtype '${dtype}' (expected float32 or int32)`);
  if (x.dtype === dtype) return x;
  const xc = x.contiguous();
  const out = Tensor._empty(x.shape, dtype);
  if (out.numel()) {
    if (dtype === 'float32') k().ew_cast_i32_f32(xc.ptr('to'), out.ptr(), out.numel());
    else k().ew_cast_f32_i32(xc.ptr('to'), out.ptr(), out.numel());
  }
  return out;
}

/** A contiguous copy (differentiable). */
export function clone(x: Tensor): Tensor {
  const out = Tensor._empty(x.shape, x.dtype);
  copyInto(out, x, 'clone');
  if (needsGrad(x)) record(out, 'CloneBackward0', [x], (g) => [g]);
  return out;
}

/** Copies src (any strides, broadcast to dst's shape) into the contiguous dst. */
export function copyInto(dst: Tensor, src: Tensor, op: string): void {
  if (!dst.isContiguous()) throw new Error(`${op}: destination must be contiguous, got strides [${dst.strides}] for shape [${dst.shape}]`);
  if (dst.numel() === 0) return;
  const shape = dst.shape.length ? dst.shape : [1];
  broadcastShapes(src.shape, dst.shape, op);
  if (src.shape.length > dst.shape.length || !sameShape(broadcastShapes(src.shape, dst.shape, op), dst.shape)) {
    throw new Error(`${op}: cannot copy a tensor of shape [${src.shape}] into shape [${dst.shape}]`);
  }
  const st = dst.shape.length ? broadcastStrides(src.shape, src.strides, dst.shape) : [0];
  const c = coalesce(shape.slice(), [st, contiguousStrides(shape)]);
  const meta = writeMeta([...c.shape, ...c.strides[0]], c.shape.length);
  k().ew_copy_strided(src.ptr(op), dst._writePtr(op), c.shape.length, meta);
}

// ---- in-place writes (not recorded by autograd) ----
// Every one gets its pointer from dst._writePtr (version counter, leaf check). A destination that is
// not contiguous (a slice, a transpose, a strided step) is updated through its strides, as PyTorch
// does: its elements are gathered into a contiguous block in the destination's own memory order,
// updated there, and written back, so only the elements the view covers change.

/** Copies `src` (byte address) read through element `strides`, in `shape` order, into the contiguous block at `dst`. */
function gatherRaw(src: number, shape: readonly number[], strides: readonly number[], dst: number): void {
  const c = coalesce(shape.slice(), [strides.slice(), contiguousStrides(shape)]);
  const meta = writeMeta([...c.shape, ...c.strides[0]], c.shape.length);
  k().ew_copy_strided(src, dst, c.shape.length, meta);
}

/** The contiguous block at `src` (in `shape` order) written to `dst` through element `strides`. */
function scatterRaw(src: number, shape: readonly number[], strides: readonly number[], dst: number): void {
  const c = coalesce(shape.slice(), [contiguousStrides(shape), strides.slice()]);
  const sh = c.shape, ss = c.strides[0], ds = c.strides[1], n = sh.length;
  // The innermost run is a rows x cols block of contiguous elements when dst's inner stride is 1,
  // else single elements; the dims outside it are walked here.
  const inner1 = ds[n - 1] === 1;
  const outer = Math.max(0, inner1 ? n - 2 : n - 1);
  const cols = inner1 ? sh[n - 1] : 1;
  const rows = inner1 ? (n >= 2 ? sh[n - 2] : 1) : sh[n - 1];
  const sRow = inner1 ? (n >= 2 ? ss[n - 2] : 0) : ss[n - 1];
  const dRow = inner1 ? (n >= 2 ? ds[n - 2] : 0) : ds[n - 1];
  let total = 1;
  for (let d = 0; d < outer; d++) total *= sh[d];
  const idx = new Array<number>(outer).fill(0);
  let so = 0, dof = 0;
  for (let i = 0; i < total; i++) {
    k().ew_copy_2d(src + so * 4, sRow, dst + dof * 4, dRow, rows, cols);
    for (let d = outer - 1; d >= 0; d--) {
      if (++idx[d] < sh[d]) { so += ss[d]; dof += ds[d]; break; }
      idx[d] = 0;
      so -= ss[d] * (sh[d] - 1); dof -= ds[d] * (sh[d] - 1);
    }
  }
}

function checkNoInternalOverlap(t: Tensor, op: string): void {
  for (let d = 0; d < t.ndim; d++) {
    if (t.strides[d] === 0 && t.shape[d] > 1) {
      throw new Error(`${op}: unsupported operation: more than one element of the written-to tensor (shape [${t.shape}], strides [${t.strides}]) ` +
        'refers to a single memory location (an expand()ed view); clone() the tensor before writing to it');
    }
  }
}

/**
 * An in-place update of dst, contiguous or not. `update(ptr, n, order)` rewrites n contiguous
 * elements at ptr: dst's own memory when it is contiguous (order null), else a block of dst's
 * elements in its memory order (dims `order`; holding dst's values when `load`), which is then
 * written back through dst's strides. Operands for the update come from operandFor().
 */
export function updateInPlace_(dst: Tensor, op: string, update: (ptr: number, n: number, order: number[] | null) => void,
                               load = true, allowOverlap = false): void {
  if (!dst.numel()) return;
  if (dst.isContiguous()) { update(dst._writePtr(op), dst.numel(), null); return; }
  if (!allowOverlap) checkNoInternalOverlap(dst, op);
  const order = [...dst.shape.keys()].sort((a, b) => dst.strides[b] - dst.strides[a] || a - b);
  const shape = order.map((d) => dst.shape[d]), strides = order.map((d) => dst.strides[d]);
  const tmp = Tensor._empty(shape, dst.dtype);
  if (load) gatherRaw(dst.ptr(op), shape, strides, tmp.ptr());
  update(tmp.ptr(), tmp.numel(), order);
  scatterRaw(tmp.ptr(), shape, strides, dst._writePtr(op));
  tmp._release();
}

/**
 * `x` broadcast to dst's shape as a contiguous block in the element order an updateInPlace_ callback
 * sees (`order`), read before anything is written (a copy when x shares dst's memory).
 */
export function operandFor(dst: Tensor, x: Tensor, order: number[] | null, op: string): Tensor {
  const shape = order ? order.map((d) => dst.shape[d]) : dst.shape;
  const sharesMemory = x.storage === dst.storage;
  if (!order && !sharesMemory && sameShape(x.shape, dst.shape) && x.isContiguous()) return x;
  const bs = dst.ndim ? broadcastStrides(x.shape, x.strides, dst.shape) : [];
  const out = Tensor._empty(shape, x.dtype);
  if (out.numel()) gatherRaw(x.ptr(op), shape.length ? shape : [1], shape.length ? (order ? order.map((d) => bs[d]) : bs) : [0], out.ptr());
  return out;
}

function checkWritable(op: string, t: Tensor): void {
  if (t.dtype !== 'float32') {
    throw new Error(`${op}: expected a float32 tensor to update in place, got ${t.dtype} (shape [${t.shape}]); ` +
      'in-place ops keep the dtype, so convert first (x = x.float()) or use the out-of-place op');
  }
}

function checkSource(op: string, dst: Tensor, src: unknown, what: string): asserts src is Tensor {
  if (!(src instanceof Tensor)) throw new Error(`${op}: expected ${what} to be a Tensor, got ${src === null ? 'null' : typeof src}`);
  const b = dst.ndim >= src.ndim ? tryBroadcast(src.shape, dst.shape) : null;
  if (!b || !sameShape(b, dst.shape)) {
    throw new Error(`${op}: ${what} of shape [${src.shape}] does not broadcast to the destination's shape [${dst.shape}]`);
  }
}

function tryBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  try { return broadcastShapes(a, b, 'broadcast'); } catch { return null; }
}

export function fill_(t: Tensor, v: number, op = 'fill_'): void {
  if (typeof v !== 'number') throw new Error(`${op}: expected a number, got ${v === null ? 'null' : typeof v}`);
  const isInt = t.dtype === 'int32';
  // Writing one value many times through an expanded view is harmless, so overlap is allowed here.
  updateInPlace_(t, op, (p, n) => (isInt ? k().ew_fill_i32(p, n, v | 0) : k().ew_fill(p, n, v)), false, true);
}
export function copy_(dst: Tensor, src: Tensor, op = 'copy_'): void {
  checkSource(op, dst, src, 'the source');
  if (dst.dtype !== src.dtype) src = cast(src, dst.dtype);
  if (dst.isContiguous() && src.storage !== dst.storage) { copyInto(dst, src, op); return; }
  updateInPlace_(dst, op, (p, n, order) => {
    const sp = operandFor(dst, src, order, op).ptr(op);
    k().ew_copy_2d(sp, n, p, n, 1, n);
  }, false);
}
/** y += alpha * x (x broadcast to y's shape). */
export function axpy_(y: Tensor, x: Tensor, alpha: number, op = 'addInPlace_'): void {
  checkWritable(op, y);
  checkSource(op, y, x, 'the tensor to add');
  const xf = asFloat(x);
  updateInPlace_(y, op, (p, n, order) => k().ew_axpy(p, operandFor(y, xf, order, op).ptr(op), n, alpha));
}
export function unaryInPlace_(t: Tensor, op: UnaryName, p1 = 0, p2 = 0, name = `${op}_`): void {
  checkScalars(name, p1, p2);
  checkWritable(name, t);
  updateInPlace_(t, name, (p, n) => unaryKernel(op, p, p, n, p1, p2));
}
export function uniform_(t: Tensor, low: number, high: number): void {
  checkWritable('uniform_', t);
  updateInPlace_(t, 'uniform_', (p, n) => k().rng_uniform(p, n, low, high), false);
}
export function normal_(t: Tensor, mean: number, std: number): void {
  checkWritable('normal_', t);
  updateInPlace_(t, 'normal_', (p, n) => k().rng_normal(p, n, mean, std), false);
}

