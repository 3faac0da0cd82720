// The Tensor method surface, attached from the op side (as tfjs-core's public/chained_ops do):
// src/tensor.ts holds storage, shape, strides, autograd state and lifetime hooks and imports no op;
// this module declares the methods on Tensor (a module augmentation, so `x.relu()` type-checks
// wherever Tensor is imported) and puts them on its prototype. The implementation table is typed by
// the interface, so a declared method with no implementation (or the reverse) does not compile.
// src/index.ts imports this module before anything else can run an op.
import { Tensor, type DType, type NestedArray } from '../tensor.js';
import { framed } from '../lifetime.js';
import { backend } from '../runtime/backend.js';
import { backward as runBackward, type BackwardArgs } from '../autograd/engine.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as views from './views.js';
import * as mm from './matmul.js';
import * as act from './activation.js';
import * as idx from './indexing.js';
import * as order from './sort.js';
import { cumsum } from './cumsum.js';
import { maskedFill } from './masked-fill.js';
import { multinomial } from './sampling.js';
import { arithmetic_ } from './inplace.js';
import type { ValuesIndices } from './return-types.js';

declare module '../tensor.js' {
  interface Tensor extends TensorMethods {}
}

/** The methods every Tensor has beyond its core (src/tensor.ts). */
export interface TensorMethods {
  // ---- autograd ----
  /** backward(), backward(gradient), backward(gradient, { retainGraph: true }) or backward({ retainGraph: true }); positional as PyTorch's. */
  backward(...args: BackwardArgs): void;
  detach(): Tensor;
  zeroGrad_(): void;
  // ---- read-back ----
  /** A typed-array copy of the values in logical (row-major) order. */
  data(): Float32Array | Int32Array;
  dataSync(): Float32Array | Int32Array;
  /** Values as nested arrays (a number for 0-d tensors). */
  toArray(): NestedArray;
  tolist(): NestedArray;
  // ---- in-place (write through views; not recorded by autograd: a backward that would need the old
  // values, or would route a gradient through the changed tensor, refuses to run; see autograd/node.ts) ----
  fill_(value: number): this;
  zero_(): this;
  copy_(src: Tensor): this;
  /** this += alpha * other (other broadcast to this tensor's shape). */
  addInPlace_(other: Tensor, alpha?: number): this;
  mulScalar_(s: number): this;
  clamp_(min: number, max: number): this;
  uniform_(low?: number, high?: number): this;
  normal_(mean?: number, std?: number): this;
  // PyTorch's in-place arithmetic: other is a tensor broadcast to this shape, or a number. Unlike the
  // helpers above, these are recorded by autograd (src/ops/inplace.ts).
  /** this += alpha * other. */
  add_(other: Tensor | number, alpha?: number): this;
  /** this -= alpha * other. */
  sub_(other: Tensor | number, alpha?: number): this;
  /** this *= other. */
  mul_(other: Tensor | number): this;
  /** this /= other. */
  div_(other: Tensor | number): this;
  // ---- elementwise ----
  add(other: Tensor | number, alpha?: number): Tensor;
  sub(other: Tensor | number, alpha?: number): Tensor;
  mul(other: Tensor | number): Tensor;
  div(other: Tensor | number): Tensor;
  pow(exponent: Tensor | number): Tensor;
  rsub(other: number): Tensor;
  maximum(other: Tensor | number): Tensor;
  minimum(other: Tensor | number): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  log1p(): Tensor;
  expm1(): Tensor;
  sqrt(): Tensor;
  rsqrt(): Tensor;
  abs(): Tensor;
  sign(): Tensor;
  square(): Tensor;
  reciprocal(): Tensor;
  sin(): Tensor;
  cos(): Tensor;
  floor(): Tensor;
  ceil(): Tensor;
  round(): Tensor;
  clamp(min?: number | null, max?: number | null): Tensor;
  clip(min?: number | null, max?: number | null): Tensor;
  eq(other: Tensor | number): Tensor;
  ne(other: Tensor | number): Tensor;
  lt(other: Tensor | number): Tensor;
  le(other: Tensor | number): Tensor;
  gt(other: Tensor | number): Tensor;
  ge(other: Tensor | number): Tensor;
  where(condition: Tensor, other: Tensor | number): Tensor;
  float(): Tensor;
  int(): Tensor;
  to(dtype: DType): Tensor;
  clone(): Tensor;
  // ---- activations ----
  sigmoid(): Tensor;
  tanh(): Tensor;
  relu(): Tensor;
  leakyRelu(negativeSlope?: number): Tensor;
  elu(alpha?: number): Tensor;
  gelu(): Tensor;
  silu(): Tensor;
  softplus(beta?: number, threshold?: number): Tensor;
  logSigmoid(): Tensor;
  hardtanh(min?: number, max?: number): Tensor;
  softmax(dim?: number): Tensor;
  logSoftmax(dim?: number): Tensor;
  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  /** var(dim, unbiased, keepdim) as in PyTorch, or var(dim, { correction, keepdim }). */
  var(dim?: number | number[] | null, ...args: red.VarArgs): Tensor;
  /** std(dim, unbiased, keepdim) as in PyTorch, or std(dim, { correction, keepdim }). */
  std(dim?: number | number[] | null, ...args: red.VarArgs): Tensor;
  max(): Tensor;
  /** With a dim: the maxima and their positions, as `.values` / `.indices` or `const [values, indices] = x.max(1)`. */
  max(dim: number, keepdim?: boolean): ValuesIndices;
  min(): Tensor;
  /** With a dim: the minima and their positions, as `.values` / `.indices` or `const [values, indices] = x.min(1)`. */
  min(dim: number, keepdim?: boolean): ValuesIndices;
  amax(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  amin(dim?: number | number[] | null, keepdim?: boolean): Tensor;
  argmax(dim?: number, keepdim?: boolean): Tensor;
  argmin(dim?: number, keepdim?: boolean): Tensor;
  /** log(sum(exp(x))) over dim (required: an integer or an array of them), max-subtracted; PyTorch's logsumexp(dim, keepdim). */
  logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor;
  norm(p?: number): Tensor;
  /** Running sums along dim (required, as in PyTorch). */
  cumsum(dim: number): Tensor;
  // ---- ordering and sampling ----
  /** Sorted values and their positions along dim (stable: equal values keep their order). */
  sort(dim?: number, descending?: boolean): ValuesIndices;
  /** The positions that sort this tensor along dim (int32). */
  argsort(dim?: number, descending?: boolean): Tensor;
  /** The k largest (largest = false: smallest) values along dim and their positions. */
  topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
  /** numSamples category indices (int32) drawn from each row of these weights (1-D or 2-D), seeded by manualSeed. */
  multinomial(numSamples: number, replacement?: boolean): Tensor;
  // ---- linear algebra ----
  matmul(other: Tensor): Tensor;
  /** PyTorch's mm: both operands 2-D (matmul broadcasts and takes vectors; mm refuses them). */
  mm(other: Tensor): Tensor;
  /** PyTorch's dot: both operands 1-D of the same length; a 0-d result. */
  dot(other: Tensor): Tensor;
  // ---- views and shape ----
  reshape(...shape: (number | number[])[]): Tensor;
  view(...shape: (number | number[])[]): Tensor;
  flatten(startDim?: number, endDim?: number): Tensor;
  transpose(dim0?: number, dim1?: number): Tensor;
  t(): Tensor;
  permute(...dims: (number | number[])[]): Tensor;
  squeeze(dim?: number): Tensor;
  unsqueeze(dim: number): Tensor;
  expand(...shape: (number | number[])[]): Tensor;
  expandAs(other: Tensor): Tensor;
  narrow(dim: number, start: number, length: number): Tensor;
  /** Slice along one dim like x[start:end:step] on that dim (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor;
  select(dim: number, index: number): Tensor;
  /** x[i] (first dim). */
  at(index: number): Tensor;
  chunk(chunks: number, dim?: number): Tensor[];
  split(splitSize: number | number[], dim?: number): Tensor[];
  contiguous(): Tensor;
  // ---- indexing ----
  indexSelect(dim: number, index: Tensor | number[]): Tensor;
  gather(dim: number, index: Tensor): Tensor;
  /** value where mask is 1 (a 0/1 mask such as x.gt(0), broadcast with this tensor), this tensor elsewhere. */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor;
  /** The tensor with its dims reversed (`x.T` in PyTorch). */
  readonly T: Tensor;
}

type Impl = { [K in Exclude<keyof TensorMethods, 'T'>]: (this: Tensor, ...args: Parameters<TensorMethods[K]>) => ReturnType<TensorMethods[K]> };

// Each runs as a library frame (src/lifetime.ts): temporaries it makes are freed at its end.
const framedMethods = {
  detach(this: Tensor): Tensor { return views.detach(this); },
  zeroGrad_(this: Tensor): void { if (this.grad) this.grad.fill_(0); },
  fill_(this: Tensor, value: number): Tensor { ew.fill_(this, value, 'fill_'); return this; },
  zero_(this: Tensor): Tensor { ew.fill_(this, 0, 'zero_'); return this; },
  copy_(this: Tensor, src: Tensor): Tensor { ew.copy_(this, src); return this; },
  addInPlace_(this: Tensor, other: Tensor, alpha = 1): Tensor { ew.axpy_(this, other, alpha); return this; },
  mulScalar_(this: Tensor, s: number): Tensor { ew.unaryInPlace_(this, 'mulScalar', s); return this; },
  clamp_(this: Tensor, min: number, max: number): Tensor { ew.unaryInPlace_(this, 'clamp', min, max); return this; },
  uniform_(this: Tensor, low = 0, high = 1): Tensor { ew.uniform_(this, low, high); return this; },
  normal_(this: Tensor, mean = 0, std = 1): Tensor { ew.normal_(this, mean, std); return this; },
  add_(this: Tensor, other: Tensor | number, alpha = 1): Tensor { arithmetic_(this, other, 'add', alpha); return this; },
  sub_(this: Tensor, other: Tensor | number, alpha = 1): Tensor { arithmetic_(this, other, 'sub', alpha); return this; },
  mul_(this: Tensor, other: Tensor | number): Tensor { arithmetic_(this, other, 'mul'); return this; },
  div_(this: Tensor, other: Tensor | number): Tensor { arithmetic_(this, other, 'div'); return this; },
  add(this: Tensor, other: Tensor | number, alpha = 1): Tensor { return ew.add(this, other, alpha); },
  sub(this: Tensor, other: Tensor | number, alpha = 1): Tensor { return ew.sub(this, other, alpha); },
  mul(this: Tensor, other: Tensor | number): Tensor { return ew.mul(this, other); },
  div(this: Tensor, other: Tensor | number): Tensor { return ew.div(this, other); },
  pow(this: Tensor, exponent: Tensor | number): Tensor { return ew.pow(this, exponent); },
  rsub(this: Tensor, other: number): Tensor { return ew.rsub(this, other); },
  maximum(this: Tensor, other: Tensor | number): Tensor { return ew.maximum(this, other); },
  minimum(this: Tensor, other: Tensor | number): Tensor { return ew.minimum(this, other); },
  neg(this: Tensor): Tensor { return ew.unary(this, 'neg'); },
  exp(this: Tensor): Tensor { return ew.unary(this, 'exp'); },
  log(this: Tensor): Tensor { return ew.unary(this, 'log'); },
  log1p(this: Tensor): Tensor { return ew.unary(this, 'log1p'); },
  expm1(this: Tensor): Tensor { return ew.unary(this, 'expm1'); },
  sqrt(this: Tensor): Tensor { return ew.unary(this, 'sqrt'); },
  rsqrt(this: Tensor): Tensor { return ew.unary(this, 'rsqrt'); },
  abs(this: Tensor): Tensor { return ew.unary(this, 'abs'); },
  sign(this: Tensor): Tensor { return ew.unary(this, 'sign'); },
  square(this: Tensor): Tensor { return ew.unary(this, 'square'); },
  reciprocal(this: Tensor): Tensor { return ew.unary(this, 'reciprocal'); },
  sin(this: Tensor): Tensor { return ew.unary(this, 'sin'); },
  cos(this: Tensor): Tensor { return ew.unary(this, 'cos'); },
  floor(this: Tensor): Tensor { return ew.unary(this, 'floor'); },
  ceil(this: Tensor): Tensor { return ew.unary(this, 'ceil'); },
  round(this: Tensor): Tensor { return ew.unary(this, 'round'); },
  clamp(this: Tensor, min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); },
  clip(this: Tensor, min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); },
  eq(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'eq'); },
  ne(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'ne'); },
  lt(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'lt'); },
  le(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'le'); },
  gt(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'gt'); },
  ge(this: Tensor, other: Tensor | number): Tensor { return ew.compare(this, other, 'ge'); },
  where(this: Tensor, condition: Tensor, other: Tensor | number): Tensor { return ew.where(condition, this, other); },
  float(this: Tensor): Tensor { return ew.cast(this, 'float32'); },
  int(this: Tensor): Tensor { return ew.cast(this, 'int32'); },
  to(this: Tensor, dtype: DType): Tensor { return ew.cast(this, dtype); },
  clone(this: Tensor): Tensor { return ew.clone(this); },
  sigmoid(this: Tensor): Tensor { return act.activation(this, 'sigmoid'); },
  tanh(this: Tensor): Tensor { return act.activation(this, 'tanh'); },
  relu(this: Tensor): Tensor { return act.activation(this, 'relu'); },
  leakyRelu(this: Tensor, negativeSlope = 0.01): Tensor { return act.activation(this, 'leakyRelu', negativeSlope); },
  elu(this: Tensor, alpha = 1): Tensor { return act.activation(this, 'elu', alpha); },
  gelu(this: Tensor): Tensor { return act.activation(this, 'gelu'); },
  silu(this: Tensor): Tensor { return act.activation(this, 'silu'); },
  softplus(this: Tensor, beta = 1, threshold = 20): Tensor { return act.activation(this, 'softplus', beta, threshold); },
  logSigmoid(this: Tensor): Tensor { return act.activation(this, 'logSigmoid'); },
  hardtanh(this: Tensor, min = -1, max = 1): Tensor { return act.activation(this, 'hardtanh', min, max); },
  softmax(this: Tensor, dim = -1): Tensor { return act.softmax(this, dim, false); },
  logSoftmax(this: Tensor, dim = -1): Tensor { return act.softmax(this, dim, true); },
  sum(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); },
  var(this: Tensor, dim?: number | number[] | null, ...args: red.VarArgs): Tensor { return red.variance(this, dim, ...args); },
  std(this: Tensor, dim?: number | number[] | null, ...args: red.VarArgs): Tensor { return red.std(this, dim, ...args); },
  max(this: Tensor, dim?: number, keepdim = false): any { return red.maxMin(this, dim, keepdim, false); },
  min(this: Tensor, dim?: number, keepdim = false): any { return red.maxMin(this, dim, keepdim, true); },
  amax(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.amaxAmin(this, dim, keepdim, false); },
  amin(this: Tensor, dim?: number | number[] | null, keepdim = false): Tensor { return red.amaxAmin(this, dim, keepdim, true); },
  argmax(this: Tensor, dim?: number, keepdim = false): Tensor { return red.argMaxMin(this, dim, keepdim, false); },
  argmin(this: Tensor, dim?: number, keepdim = false): Tensor { return red.argMaxMin(this, dim, keepdim, true); },
  logsumexp(this: Tensor, dim: number | readonly number[], keepdim = false): Tensor { return red.logsumexp(this, dim, keepdim); },
  norm(this: Tensor, p: number = 2): Tensor { return red.norm(this, p); },
  cumsum(this: Tensor, dim: number): Tensor { return cumsum(this, dim); },
  sort(this: Tensor, dim = -1, descending = false): ValuesIndices { return order.sort(this, dim, descending); },
  argsort(this: Tensor, dim = -1, descending = false): Tensor { return order.argsort(this, dim, descending); },
  topk(this: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices { return order.topk(this, k, dim, largest, sorted); },
  multinomial(this: Tensor, numSamples: number, replacement = false): Tensor { return multinomial(this, numSamples, replacement); },
  matmul(this: Tensor, other: Tensor): Tensor { return mm.matmul(this, other); },
  mm(this: Tensor, other: Tensor): Tensor { return mm.mm(this, other); },
  dot(this: Tensor, other: Tensor): Tensor { return mm.dot(this, other); },
  reshape(this: Tensor, ...shape: (number | number[])[]): Tensor { return views.reshape(this, flatArgs(shape)); },
  view(this: Tensor, ...shape: (number | number[])[]): Tensor { return views.view(this, flatArgs(shape)); },
  flatten(this: Tensor, startDim = 0, endDim = -1): Tensor { return views.flatten(this, startDim, endDim); },
  transpose(this: Tensor, dim0 = 0, dim1 = 1): Tensor { return views.transpose(this, dim0, dim1); },
  t(this: Tensor): Tensor {
    if (this.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dims, got shape [${this.shape}]`);
    return this.ndim < 2 ? this : views.transpose(this, 0, 1);
  },
  permute(this: Tensor, ...dims: (number | number[])[]): Tensor { return views.permute(this, flatArgs(dims)); },
  squeeze(this: Tensor, dim?: number): Tensor { return views.squeeze(this, dim); },
  unsqueeze(this: Tensor, dim: number): Tensor { return views.unsqueeze(this, dim); },
  expand(this: Tensor, ...shape: (number | number[])[]): Tensor { return views.expand(this, flatArgs(shape)); },
  expandAs(this: Tensor, other: Tensor): Tensor { return views.expand(this, other.shape); },
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor { return views.narrow(this, dim, start, length); },
  slice(this: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor { return views.slice(this, dim, start, end, step); },
  select(this: Tensor, dim: number, index: number): Tensor { return views.select(this, dim, index); },
  at(this: Tensor, index: number): Tensor { return views.select(this, 0, index); },
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] { return views.chunk(this, chunks, dim); },
  split(this: Tensor, splitSize: number | number[], dim = 0): Tensor[] { return views.split(this, splitSize, dim); },
  contiguous(this: Tensor): Tensor { return this.isContiguous() ? this : views.contiguous(this); },
  indexSelect(this: Tensor, dim: number, index: Tensor | number[]): Tensor { return idx.indexSelect(this, dim, index); },
  gather(this: Tensor, dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); },
  maskedFill(this: Tensor, mask: Tensor, value: number | Tensor): Tensor { return maskedFill(this, mask, value); },
};

// Autograd's entry point (a frame of its own) and read-backs: plain calls.
const plainMethods = {
  backward(this: Tensor, ...args: BackwardArgs): void { runBackward(this, args); },
  data(this: Tensor): Float32Array | Int32Array {
    const c = this.contiguous();
    const n = c.numel();
    const start = c.ptr('data') / 4;
    const out = this.dtype === 'int32' ? backend.i32.slice(start, start + n) : backend.f32.slice(start, start + n);
    if (c !== this) c._release('the library');
    return out;
  },
  dataSync(this: Tensor): Float32Array | Int32Array { return this.data(); },
  toArray(this: Tensor): NestedArray {
    const flat = this.data();
    if (this.ndim === 0) return flat[0];
    const build = (d: number, off: number): NestedArray[] => {
      const n = this.shape[d];
      const out: NestedArray[] = new Array(n);
      if (d === this.ndim - 1) { for (let i = 0; i < n; i++) out[i] = flat[off + i]; return out; }
      const step = this.shape.slice(d + 1).reduce((a, b) => a * b, 1);
      for (let i = 0; i < n; i++) out[i] = build(d + 1, off + i * step);
      return out;
    };
    return build(0, 0);
  },
  tolist(this: Tensor): NestedArray { return this.toArray(); },
};

const methods: Impl = { ...framedMethods, ...plainMethods };
for (const [name, fn] of Object.entries(methods) as [string, (...a: unknown[]) => unknown][]) {
  const value = name in framedMethods ? framed(fn) : fn;
  Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor): Tensor { return this.permute(this.shape.map((_, i) => this.ndim - 1 - i)); },
  configurable: true, enumerable: false,
});

function flatArgs(args: (number | number[] | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}
