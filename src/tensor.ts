/// <reference lib="esnext.disposable" preserve="true" />
// Tensor: shape, strides and an offset into a refcounted block of wasm memory, plus autograd state
// and lifetime hooks. A leaf module: it imports no op. The op methods (x.add, x.relu, x.reshape, ...)
// are attached by src/ops/tensor-methods.ts, which src/index.ts loads.
import { backend, requireReady } from './runtime/backend.js';
export { Storage } from './storage.js';
import { created, exposed, finalizer, gens, inLibrary, letGo } from './lifetime.js';
import { isGradEnabled } from './autograd/grad-mode.js';
import { Storage, type Block } from './storage.js';
import type { Node } from './autograd/node.js';
import { formatTensor } from './format.js';
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

  // ---- read-back (the rest of the method surface is attached by src/ops/tensor-methods.ts) ----
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) throw new Error(`item: expected a tensor with one element, got shape [${this.shape}]`);
    const p = this.ptr('item') / 4;
    return this.dtype === 'int32' ? backend.i32[p] : backend.f32[p];
  }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

Object.defineProperty(Tensor.prototype, '_isTensor', { value: true });

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
