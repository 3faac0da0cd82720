// Ordering along a dim: sort, argsort, topk. Each row is ordered in JS by an order-preserving 32-bit
// key of its values (a radix sort, or insertion sort for short rows), so it is stable (equal values
// keep their order, in both directions) and NaN sorts above +Infinity, as in PyTorch. The values are then picked by the
// gather kernel, and their gradient goes back by scatter-add (as for gather).
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim } from '../shape.js';
import { valuesIndices, type ValuesIndices } from './return-types.js';

// x viewed as [outer, n, inner] around dim d (a 0-d tensor is one element).
interface Along { d: number; outer: number; n: number; inner: number }

function along(x: Tensor, dim: unknown, op: string): Along {
  if (typeof dim !== 'number') throw new Error(`${op}: dim must be a number, got ${describe(dim)}`);
  const d = normDim(dim, x.ndim, op);
  if (x.ndim === 0) return { d: 0, outer: 1, n: 1, inner: 1 };
  const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return { d, outer: prod(x.shape.slice(0, d)), n: x.shape[d], inner: prod(x.shape.slice(d + 1)) };
}

/** An argument as an error message shows it. */
export function describe(v: unknown): string {
  if (v instanceof Tensor) return `a ${v.dtype} Tensor of shape [${v.shape}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (v !== null && typeof v === 'object') return JSON.stringify(v) ?? 'an object';
  return typeof v === 'function' || typeof v === 'symbol' ? typeof v : String(v);
}

function checkFlag(v: unknown, name: string, op: string): boolean {
  // An options object here ({ descending: true }) would otherwise read as true.
  if (typeof v !== 'boolean') throw new Error(`${op}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describe(x)}`);
}

// float32 bits -> unsigned key in the same order as the values (-0 equals 0; every NaN above +Infinity).
function floatKey(bits: number): number {
  const mag = bits & 0x7fffffff;
  if (mag > 0x7f800000) return 0xffffffff;
  if (mag === 0) return 0x80000000;
  return bits < 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Reusable buffers for ordering rows of length n by unsigned 32-bit keys. */
class RowSorter {
  readonly keys: Uint32Array;
  readonly perm: Int32Array;
  private readonly keys2: Uint32Array;
  private readonly perm2: Int32Array;
  private readonly counts = new Int32Array(256);
  constructor(readonly n: number) {
    this.keys = new Uint32Array(n); this.keys2 = new Uint32Array(n);
    this.perm = new Int32Array(n); this.perm2 = new Int32Array(n);
  }

  /** Orders perm (positions 0..n-1) by keys, ties by position: perm and keys end up sorted. */
  sort(): void {
    const n = this.n;
    let keys = this.keys, perm = this.perm;
    for (let j = 0; j < n; j++) perm[j] = j;
    if (n <= 32) {
      // Insertion sort: stable, and cheaper than four radix passes on short rows.
      for (let j = 1; j < n; j++) {
        const k = keys[j], p = perm[j];
        let i = j - 1;
        while (i >= 0 && keys[i] > k) { keys[i + 1] = keys[i]; perm[i + 1] = perm[i]; i--; }
        keys[i + 1] = k; perm[i + 1] = p;
      }
      return;
    }
    // LSD radix sort, one byte per pass: each pass is stable, so equal keys keep their positions.
    let keysOut = this.keys2, permOut = this.perm2;
    const counts = this.counts;
    for (let shift = 0; shift < 32; shift += 8) {
      counts.fill(0);
      for (let j = 0; j < n; j++) counts[(keys[j] >>> shift) & 255]++;
      if (counts[(keys[0] >>> shift) & 255] === n) continue; // every key has this byte: nothing moves
      for (let b = 0, at = 0; b < 256; b++) { const c = counts[b]; counts[b] = at; at += c; }
      for (let j = 0; j < n; j++) {
        const at = counts[(keys[j] >>> shift) & 255]++;
        keysOut[at] = keys[j]; permOut[at] = perm[j];
      }
      [keys, keysOut] = [keysOut, keys];
      [perm, permOut] = [permOut, perm];
    }
    if (perm !== this.perm) { this.perm.set(perm); this.keys.set(keys); }
  }
}

/**
 * int32 positions along dim of the first k elements of each row in the requested order; with
 * byPosition, those k in their original order instead.
 */
function order(x: Tensor, a: Along, k: number, descending: boolean, byPosition: boolean, op: string): Tensor {
  const shape = x.shape.slice();
  if (x.ndim) shape[a.d] = k;
  const idx = Tensor._empty(shape, 'int32');
  if (!idx.numel()) return idx;
  const xc = x.contiguous();
  const { outer, n, inner } = a;
  const sorter = new RowSorter(n);
  const { keys, perm } = sorter;
  const isFloat = x.dtype === 'float32';
  // Addresses first (reading one may move a tensor back into wasm memory); the view after.
  const src = xc.ptr(op) >> 2, dst = idx.ptr() >> 2;
  const i32 = backend.i32; // float32 values are read as their bits; nothing below allocates wasm memory
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = src + o * n * inner + i;
      for (let j = 0; j < n; j++) {
        const bits = i32[base + j * inner];
        const key = isFloat ? floatKey(bits) : (bits ^ 0x80000000) >>> 0;
        keys[j] = descending ? 0xffffffff - key : key;
      }
      sorter.sort();
      const first = perm.subarray(0, k);
      if (byPosition) first.sort();
      const to = dst + o * k * inner + i;
      for (let j = 0; j < k; j++) i32[to + j * inner] = first[j];
    }
  }
  return idx;
}

/** x's elements at `idx` along dim (recorded: the gradient scatters back to those positions). */
function pick(x: Tensor, idx: Tensor, a: Along, name: string, op: string): Tensor {
  const k = x.ndim ? idx.shape[a.d] : 1;
  const xc = x.contiguous();
  const values = Tensor._empty(idx.shape, x.dtype);
  if (values.numel()) backend.k.ew_gather(xc.ptr(op), idx.ptr(op), values.ptr(), a.outer, a.n, k, a.inner);
  if (needsGrad(x)) {
    record(values, name, [x], (g) => {
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        backend.k.ew_fill(dx.ptr(), dx.numel(), 0);
        const gc = g.contiguous();
        backend.k.ew_scatter_add(gc.ptr(), idx.ptr(), dx.ptr(), a.outer, a.n, k, a.inner);
      }
      return [dx];
    }, [idx]);
  }
  return values;
}

/** Sorted values along dim and their positions (int32); stable, NaN last (first when descending). */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const op = 'sort';
  checkTensor(x, op);
  const a = along(x, dim, op);
  const idx = order(x, a, a.n, checkFlag(descending, 'descending', op), false, op);
  return valuesIndices(pick(x, idx, a, 'SortBackward0', op), idx);
}

/** The positions (int32) that sort x along dim: sort(dim, descending).indices. */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  const op = 'argsort';
  checkTensor(x, op);
  const a = along(x, dim, op);
  return order(x, a, a.n, checkFlag(descending, 'descending', op), false, op);
}

/**
 * The k largest (or smallest) elements along dim and their positions (int32). sorted = true gives
 * them in order (largest first when largest), equal values by position; sorted = false gives the
 * same k elements in their original order along dim (PyTorch leaves that order unspecified).
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  const op = 'topk';
  checkTensor(x, op);
  const a = along(x, dim, op);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > a.n) {
    throw new Error(`topk: k = ${describe(k)} is out of range for dim ${dim} of size ${a.n} (shape [${x.shape}]); expected an integer in 0..${a.n}`);
  }
  if (x.ndim === 0 && k !== 1) throw new Error(`topk: k must be 1 for a 0-d tensor, got ${k}`);
  const idx = order(x, a, k, checkFlag(largest, 'largest', op), !checkFlag(sorted, 'sorted', op), op);
  return valuesIndices(pick(x, idx, a, 'TopkBackward0', op), idx);
}
