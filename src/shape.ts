// Shape arithmetic and the checks that turn bad shapes into clear errors.

export function shapeSize(shape: readonly number[], op = 'shape'): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new Error(`${op}: sizes must be non-negative integers, got shape [${shape}]`);
    n *= s;
  }
  if (n > 2 ** 31 - 1) throw new Error(`${op}: shape [${shape}] has ${n} elements, more than 2^31-1`);
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
  return strides;
}

export function normDim(dim: number, ndim: number, op: string): number {
  const lo = -Math.max(ndim, 1), hi = Math.max(ndim, 1) - 1;
  if (typeof dim === 'object' && dim !== null) {
    throw new Error(`${op}: dim must be an integer, got an object (pass dim and keepdim positionally, as x.${op}(1, true) for PyTorch's ${op}(dim=1, keepdim=True))`);
  }
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new Error(`${op}: dim ${dim} out of range for a tensor with ${ndim} dims (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

export function normDims(dims: number | readonly number[] | null | undefined, ndim: number, op: string): number[] {
  if (dims === undefined || dims === null) return [...Array(ndim).keys()];
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) {
    throw new Error(`${op}: dim must be an integer or an array of them, got ${typeof dims} (pass dim and keepdim positionally, as x.${op}(1, true) for PyTorch's ${op}(dim=1, keepdim=True))`);
  }
  const out = list.map((d) => normDim(d, ndim, op));
  if (new Set(out).size !== out.length) throw new Error(`${op}: dim list [${list}] repeats a dim`);
  return out.sort((a, b) => a - b);
}

export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`${op}: shapes [${a}] and [${b}] cannot be broadcast (dim ${i} of the result: ${x} vs ${y})`);
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

// Element strides to read a tensor as if broadcast to `shape` (0 on expanded dims).
export function broadcastStrides(shape: readonly number[], strides: readonly number[], to: readonly number[]): number[] {
  const n = to.length, k = shape.length;
  const out = new Array(n).fill(0);
  for (let i = 0; i < k; i++) out[n - k + i] = shape[i] === 1 && to[n - k + i] !== 1 ? 0 : strides[i];
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Merges adjacent dims that are contiguous with each other in every operand (fewer, longer inner loops).
export function coalesce(shape: number[], stridesList: number[][]): { shape: number[]; strides: number[][] } {
  if (shape.length <= 1) return { shape, strides: stridesList };
  const outShape = [shape[0]];
  const outStrides = stridesList.map((s) => [s[0]]);
  for (let d = 1; d < shape.length; d++) {
    const last = outShape.length - 1;
    const mergeable = stridesList.every((s, i) => outStrides[i][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      stridesList.forEach((s, i) => { outStrides[i][last] = s[d]; });
    } else {
      outShape.push(shape[d]);
      stridesList.forEach((s, i) => outStrides[i].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}
