/// <reference lib="esnext.disposable" preserve="true" />
// Tensor: shape, strides and an offset into a refcounted block of wasm memory, plus autograd state.
// Methods are thin: the maths lives in src/ops (one op family per file).
import { backend, requireReady } from './runtime/backend.js';
export { Storage } from './storage.js';
import { created, exposed, finalizer, framed, gens, inLibrary, letGo } from './lifetime.js';
import { isGradEnabled } from './autograd/grad-mode.js';
import { Storage, type Block } from './storage.js';
import type { Node } from './autograd/node.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as views from './ops/views.js';
import * as mm from './ops/matmul.js';
import * as act from './ops/activation.js';
import * as idx from './ops/indexing.js';
import * as order from './ops/sort.js';
import { cumsum } from './ops/cumsum.js';
import { maskedFill } from './ops/masked-fill.js';
import { multinomial } from './ops/sampling.js';
import { arithmetic_ } from './ops/inplace.js';
import type { ValuesIndices } from './ops/return-types.js';
import { formatTensor } from './format.js';
import { backward as runBackward, type BackwardArgs } from './autograd/engine.js';
import { contiguousStrides, shapeSize, normDim } from './shape.js';

export type DType = 'float32' | 'int32';
export type Shape = readonly number[];
export type NestedArray = number | boolean | NestedArray[];

// What the finalizer holds: enough to give one block reference back, nothing that keeps the tensor
// (or its moved-out bytes) alive.
class Handle {
  alive = true;
  constructor(readonly block: Block) {}
  release(): void {
    if (this.alive) { this.alive = false; this.block.releaseRef(); }
  }
}

// Symbol.dispose for `using` (Node 20 and current engines have it; TypeScript's downlevel helper
// falls back to Symbol.for('Symbol.dispose')).
const DISPOSE: typeof Symbol.dispose = (Symbol as any).dispose ?? Symbol.for('Symbol.dispose');

export class Tensor {
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;   // in elements
  readonly dtype: DType;
  readonly storage: Storage;
  private readonly handle: Handle;
  requiresGrad = false;
  private _grad: Tensor | null = null;
  gradFn: Node | null = null;
  /** @internal Held by the library for good (parameters, buffers, gradients, optimizer state). */ _kept = false;
  /** @internal User code may hold it (false: an intermediate of a library frame). */ _exposed = true;
  /** @internal Autograd nodes that saved it. */ _savedRefs = 0;
  /** @internal A library intermediate kept only for backward (freed when _savedRefs reaches 0). */ _graphOwned = false;
  /** @internal */ _retainGrad = false;
  /** @internal What released it, for the error on later use. */ _releasedBy: string | null = null;
  /** @internal A view (through autograd) of a leaf that requires grad: in-place writes to it are refused like the leaf's. */ _leafView = false;
  /** @internal Duck-typed check that needs no import of this class. */ declare readonly _isTensor: true;

  /** @internal Use the factories (tensor, zeros, ...) instead. */
  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    this.handle = new Handle(storage.block);
    created(this);
  }

  /** @internal A fresh contiguous tensor over newly allocated memory (contents undefined). */
  static _empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    requireReady();
    const n = shapeSize(shape, 'empty');
    const bytes = Math.max(4, n * 4);
    const storage = new Storage(backend.alloc.alloc(bytes), bytes);
    return new Tensor(storage, shape.slice(), contiguousStrides(shape), 0, dtype);
  }

  /** @internal A view sharing this tensor's storage. */
  _view(shape: number[], strides: number[], offset: number): Tensor {
    this._check('view');
    this.storage.refs++;
    return new Tensor(this.storage, shape, strides, offset, this.dtype);
  }

  /** The accumulated gradient (leaves, and non-leaves that called retainGrad()). */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g && !g._exposed && !inLibrary()) exposed(g, true); // user code has it now
    return g;
  }
  set grad(g: Tensor | null) {
    // Optimizers read .grad as float32 of the parameter's shape: refuse anything else (PyTorch does too).
    if (g && (g.dtype !== this.dtype || !g.shape.every((s, i) => s === this.shape[i]) || g.ndim !== this.ndim)) {
      throw new Error(`grad: assigned grad has data of a different ${g.dtype !== this.dtype ? `type (${g.dtype}) than the tensor (${this.dtype})` :
        `size ([${g.shape}]) than the tensor ([${this.shape}])`}`);
    }
    // A replaced gradient is let go: freed if user code never saw it, else left to the generations.
    const old = this._grad;
    this._grad = g;
    if (old && old !== g) letGo(old);
    if (g) g.keep();
  }

  get _released(): boolean { return !this.handle.alive; }
  /** @internal */ _release(by = 'the library'): void {
    if (!this.handle.alive) return;
    this._releasedBy = by;
    finalizer?.unregister(this.handle);
    this.handle.alive = false;
    if (!this._exposed) this.storage.hidden--;
    this.storage.releaseRef();
  }
  /** @internal Lets the garbage collector free the storage reference of this tensor once it is dropped. */
  _registerFinalizer(): void { finalizer?.register(this, this.handle, this.handle); }

  /** @internal Throws if this tensor was disposed; marks it used (for step generations). */
  _check(op: string): void {
    if (!this.handle.alive) {
      const by = this._releasedBy === 'the library'
        ? ' by the library as an intermediate result nothing could reach (a wasmgrad bug: please report it with this stack)'
        : ` by ${this._releasedBy}`;
      throw new Error(`${op}: tensor of shape [${this.shape}] was disposed${by}`);
    }
    this.storage.gen = gens.gen;
  }

  /** Byte address of element 0 (checks the tensor is alive; moves it back into wasm memory if needed). */
  ptr(op = 'ptr'): number {
    this._check(op);
    return this.storage.ptr + this.offset * 4;
  }

  /**
   * @internal ptr() for a kernel that writes these bytes in place: every in-place write goes through
   * here. It refuses a leaf that requires grad (or a view of one) while grad mode is on, as PyTorch
   * does, bumps the storage's version counter (autograd nodes compare it with the versions of what
   * they saved, src/autograd/node.ts) and drops recipes and snapshots of the old bytes.
   */
  _writePtr(op: string): number {
    this._check(op);
    if (this.requiresGrad && (this.gradFn === null || this._leafView) && isGradEnabled()) {
      throw new Error(`${op}: a ${this._leafView ? 'view of a ' : ''}leaf Variable that requires grad is being used in an in-place operation ` +
        `(tensor of shape [${this.shape}]); change it inside wg.noGrad(() => ...) (as optimizers and nn.init do), or use the out-of-place op`);
    }
    this.storage._written();
    this.storage.version++;
    return this.storage.ptr + this.offset * 4;
  }

  /** How many in-place writes this tensor's storage has had (PyTorch's `_version`; shared by views). */
  get _version(): number { return this.storage.version; }

  get ndim(): number { return this.shape.length; }
  /** The shape, like PyTorch's `x.size()`; `size(dim)` is one dimension (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normDim(dim, this.ndim, 'size')];
  }
  /** Number of elements (PyTorch numel()). */
  numel(): number { return shapeSize(this.shape); }
  dim(): number { return this.shape.length; }
  sizeAt(d: number): number { return this.shape[normDim(d, this.ndim, 'size')]; }
  get isLeaf(): boolean { return this.gradFn === null; }
  get isDisposed(): boolean { return !this.handle.alive; }

  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.ndim - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.strides[d] !== expected) return false;
      expected *= this.shape[d];
    }
    return true;
  }

  // ---- lifetime ----
  /** Frees this tensor's memory now (its views keep the storage alive until they go too). */
  dispose(): void { this._disposeBy('dispose()'); }
  /** `using t = ...`: disposed when the block ends. */
  [DISPOSE](): void { this._disposeBy('a using declaration'); }
  private _disposeBy(by: string): void {
    const g = this._grad;
    if (g && !g._released && this.isLeaf) g._release(by);
    this._release(by);
  }
  /**
   * Exempts this tensor from tidy() scopes and keeps it in wasm memory. Nothing else ever frees a
   * tensor you hold, so ordinary programs never need this.
   */
  keep(): this { this._kept = true; this.storage.pinned = true; return this; }

  // ---- autograd ----
  requiresGrad_(flag = true): this {
    if (flag && this.dtype !== 'float32') throw new Error(`requiresGrad_: only float32 tensors can require gradients, got ${this.dtype}`);
    if (!this.isLeaf && !flag) throw new Error('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    this.requiresGrad = flag;
    return this;
  }
  /** Keeps .grad for this non-leaf tensor after backward (leaves keep theirs anyway). */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error(`retainGrad: tensor of shape [${this.shape}] does not require grad`);
    this._retainGrad = true;
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  }
  /** backward(), backward(gradient), backward(gradient, { retainGraph: true }) or backward({ retainGraph: true }); positional as PyTorch's. */
  backward(...args: BackwardArgs): void { runBackward(this, args); }
  detach(): Tensor { return views.detach(this); }
  zeroGrad_(): void { if (this.grad) this.grad.fill_(0); }

  // ---- read-back ----
  /** A typed-array copy of the values in logical (row-major) order. */
  data(): Float32Array | Int32Array {
    const c = this.contiguous();
    const n = c.numel();
    const start = c.ptr('data') / 4;
    const out = this.dtype === 'int32' ? backend.i32.slice(start, start + n) : backend.f32.slice(start, start + n);
    if (c !== this) c._release('the library');
    return out;
  }
  dataSync(): Float32Array | Int32Array { return this.data(); }
  /** Values as nested arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
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
  }
  tolist(): NestedArray { return this.toArray(); }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) throw new Error(`item: expected a tensor with one element, got shape [${this.shape}]`);
    const p = this.ptr('item') / 4;
    return this.dtype === 'int32' ? backend.i32[p] : backend.f32[p];
  }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  // ---- in-place (write through views; not recorded by autograd: a backward that would need the old
  // values, or would route a gradient through the changed tensor, refuses to run; see autograd/node.ts) ----
  fill_(value: number): this { ew.fill_(this, value, 'fill_'); return this; }
  zero_(): this { ew.fill_(this, 0, 'zero_'); return this; }
  copy_(src: Tensor): this { ew.copy_(this, src); return this; }
  /** this += alpha * other (other broadcast to this tensor's shape). */
  addInPlace_(other: Tensor, alpha = 1): this { ew.axpy_(this, other, alpha); return this; }
  mulScalar_(s: number): this { ew.unaryInPlace_(this, 'mulScalar', s); return this; }
  clamp_(min: number, max: number): this { ew.unaryInPlace_(this, 'clamp', min, max); return this; }
  uniform_(low = 0, high = 1): this { ew.uniform_(this, low, high); return this; }
  normal_(mean = 0, std = 1): this { ew.normal_(this, mean, std); return this; }
  // PyTorch's in-place arithmetic: other is a tensor broadcast to this shape, or a number. Unlike the
  // helpers above, these are recorded by autograd (src/ops/inplace.ts).
  /** this += alpha * other. */
  add_(other: Tensor | number, alpha = 1): this { arithmetic_(this, other, 'add', alpha); return this; }
  /** this -= alpha * other. */
  sub_(other: Tensor | number, alpha = 1): this { arithmetic_(this, other, 'sub', alpha); return this; }
  /** this *= other. */
  mul_(other: Tensor | number): this { arithmetic_(this, other, 'mul'); return this; }
  /** this /= other. */
  div_(other: Tensor | number): this { arithmetic_(this, other, 'div'); return this; }

  // ---- elementwise ----
  add(other: Tensor | number, alpha = 1): Tensor { return ew.add(this, other, alpha); }
  sub(other: Tensor | number, alpha = 1): Tensor { return ew.sub(this, other, alpha); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return ew.pow(this, exponent); }
  rsub(other: number): Tensor { return ew.rsub(this, other); }
  maximum(other: Tensor | number): Tensor { return ew.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.unary(this, 'neg'); }
  exp(): Tensor { return ew.unary(this, 'exp'); }
  log(): Tensor { return ew.unary(this, 'log'); }
  log1p(): Tensor { return ew.unary(this, 'log1p'); }
  expm1(): Tensor { return ew.unary(this, 'expm1'); }
  sqrt(): Tensor { return ew.unary(this, 'sqrt'); }
  rsqrt(): Tensor { return ew.unary(this, 'rsqrt'); }
  abs(): Tensor { return ew.unary(this, 'abs'); }
  sign(): Tensor { return ew.unary(this, 'sign'); }
  square(): Tensor { return ew.unary(this, 'square'); }
  reciprocal(): Tensor { return ew.unary(this, 'reciprocal'); }
  sin(): Tensor { return ew.unary(this, 'sin'); }
  cos(): Tensor { return ew.unary(this, 'cos'); }
  floor(): Tensor { return ew.unary(this, 'floor'); }
  ceil(): Tensor { return ew.unary(this, 'ceil'); }
  round(): Tensor { return ew.unary(this, 'round'); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  clip(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  eq(other: Tensor | number): Tensor { return ew.compare(this, other, 'eq'); }
  ne(other: Tensor | number): Tensor { return ew.compare(this, other, 'ne'); }
  lt(other: Tensor | number): Tensor { return ew.compare(this, other, 'lt'); }
  le(other: Tensor | number): Tensor { return ew.compare(this, other, 'le'); }
  gt(other: Tensor | number): Tensor { return ew.compare(this, other, 'gt'); }
  ge(other: Tensor | number): Tensor { return ew.compare(this, other, 'ge'); }
  where(condition: Tensor, other: Tensor | number): Tensor { return ew.where(condition, this, other); }
  float(): Tensor { return ew.cast(this, 'float32'); }
  int(): Tensor { return ew.cast(this, 'int32'); }
  to(dtype: DType): Tensor { return ew.cast(this, dtype); }
  clone(): Tensor { return ew.clone(this); }

  // ---- activations ----
  sigmoid(): Tensor { return act.activation(this, 'sigmoid'); }
  tanh(): Tensor { return act.activation(this, 'tanh'); }
  relu(): Tensor { return act.activation(this, 'relu'); }
  leakyRelu(negativeSlope = 0.01): Tensor { return act.activation(this, 'leakyRelu', negativeSlope); }
  elu(alpha = 1): Tensor { return act.activation(this, 'elu', alpha); }
  gelu(): Tensor { return act.activation(this, 'gelu'); }
  silu(): Tensor { return act.activation(this, 'silu'); }
  softplus(beta = 1, threshold = 20): Tensor { return act.activation(this, 'softplus', beta, threshold); }
  logSigmoid(): Tensor { return act.activation(this, 'logSigmoid'); }
  hardtanh(min = -1, max = 1): Tensor { return act.activation(this, 'hardtanh', min, max); }
  softmax(dim = -1): Tensor { return act.softmax(this, dim, false); }
  logSoftmax(dim = -1): Tensor { return act.softmax(this, dim, true); }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /** var(dim, unbiased, keepdim) as in PyTorch, or var(dim, { correction, keepdim }). */
  var(dim?: number | number[] | null, ...args: red.VarArgs): Tensor { return red.variance(this, dim, ...args); }
  /** std(dim, unbiased, keepdim) as in PyTorch, or std(dim, { correction, keepdim }). */
  std(dim?: number | number[] | null, ...args: red.VarArgs): Tensor { return red.std(this, dim, ...args); }
  max(): Tensor;
  /** With a dim: the maxima and their positions, as `.values` / `.indices` or `const [values, indices] = x.max(1)`. */
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): any { return red.maxMin(this, dim, keepdim, false); }
  min(): Tensor;
  /** With a dim: the minima and their positions, as `.values` / `.indices` or `const [values, indices] = x.min(1)`. */
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): any { return red.maxMin(this, dim, keepdim, true); }
  amax(dim?: number | number[] | null, keepdim = false): Tensor { return red.amaxAmin(this, dim, keepdim, false); }
  amin(dim?: number | number[] | null, keepdim = false): Tensor { return red.amaxAmin(this, dim, keepdim, true); }
  argmax(dim?: number, keepdim = false): Tensor { return red.argMaxMin(this, dim, keepdim, false); }
  argmin(dim?: number, keepdim = false): Tensor { return red.argMaxMin(this, dim, keepdim, true); }
  norm(p: number = 2): Tensor { return red.norm(this, p); }
  /** Running sums along dim (required, as in PyTorch). */
  cumsum(dim: number): Tensor { return cumsum(this, dim); }

  // ---- ordering and sampling ----
  /** Sorted values and their positions along dim (stable: equal values keep their order). */
  sort(dim = -1, descending = false): ValuesIndices { return order.sort(this, dim, descending); }
  /** The positions that sort this tensor along dim (int32). */
  argsort(dim = -1, descending = false): Tensor { return order.argsort(this, dim, descending); }
  /** The k largest (largest = false: smallest) values along dim and their positions. */
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesIndices { return order.topk(this, k, dim, largest, sorted); }
  /** numSamples category indices (int32) drawn from each row of these weights (1-D or 2-D), seeded by manualSeed. */
  multinomial(numSamples: number, replacement = false): Tensor { return multinomial(this, numSamples, replacement); }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }
  mm(other: Tensor): Tensor { return mm.matmul(this, other); }
  dot(other: Tensor): Tensor { return mm.matmul(this, other); }

  // ---- views and shape ----
  reshape(...shape: (number | number[])[]): Tensor { return views.reshape(this, flatArgs(shape)); }
  view(...shape: (number | number[])[]): Tensor { return views.view(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return views.flatten(this, startDim, endDim); }
  transpose(dim0 = 0, dim1 = 1): Tensor { return views.transpose(this, dim0, dim1); }
  get T(): Tensor { return views.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  t(): Tensor {
    if (this.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dims, got shape [${this.shape}]`);
    return this.ndim < 2 ? this : views.transpose(this, 0, 1);
  }
  permute(...dims: (number | number[])[]): Tensor { return views.permute(this, flatArgs(dims)); }
  squeeze(dim?: number): Tensor { return views.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return views.unsqueeze(this, dim); }
  expand(...shape: (number | number[])[]): Tensor { return views.expand(this, flatArgs(shape)); }
  expandAs(other: Tensor): Tensor { return views.expand(this, other.shape); }
  narrow(dim: number, start: number, length: number): Tensor { return views.narrow(this, dim, start, length); }
  /** Slice along one dim like x[start:end:step] on that dim (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return views.slice(this, dim, start, end, step); }
  select(dim: number, index: number): Tensor { return views.select(this, dim, index); }
  /** x[i] (first dim). */
  at(index: number): Tensor { return views.select(this, 0, index); }
  chunk(chunks: number, dim = 0): Tensor[] { return views.chunk(this, chunks, dim); }
  split(splitSize: number | number[], dim = 0): Tensor[] { return views.split(this, splitSize, dim); }
  contiguous(): Tensor { return this.isContiguous() ? this : views.contiguous(this); }

  // ---- indexing ----
  indexSelect(dim: number, index: Tensor | number[]): Tensor { return idx.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); }
  /** value where mask is 1 (a 0/1 mask such as x.gt(0), broadcast with this tensor), this tensor elsewhere. */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return maskedFill(this, mask, value); }
}

function flatArgs(args: (number | number[] | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}

Object.defineProperty(Tensor.prototype, '_isTensor', { value: true });

// Every op method runs as a library frame (src/lifetime.ts): temporaries it makes are freed at its
// end. Lifetime, autograd entry points and read-backs stay plain (backward() is a frame of its own).
const PLAIN = new Set(['constructor', '_view', '_release', '_registerFinalizer', '_check', 'ptr', '_writePtr', 'size', 'numel', 'dim', 'sizeAt',
  'isContiguous', 'dispose', '_disposeBy', 'keep', 'requiresGrad_', 'retainGrad', 'backward', 'data', 'dataSync',
  'toArray', 'tolist', 'item', 'toString']);
for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
  const d = Object.getOwnPropertyDescriptor(Tensor.prototype, name)!;
  if (!PLAIN.has(name) && typeof d.value === 'function') Object.defineProperty(Tensor.prototype, name, { ...d, value: framed(d.value) });
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
