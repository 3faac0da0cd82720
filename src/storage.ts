// Storage: the bytes behind a tensor and its views. They live in a wasm block, or, after the step
// generations (src/lifetime.ts) moved them out, in a JS byte array, or nowhere at all when a recipe
// can rebuild them (rows a DataLoader gathered from a dataset tensor that has not changed since).
import { backend } from './runtime/backend.js';
import { gens, setMemoryGauge, type Movable } from './lifetime.js';

// The wasm block and its reference count: all the finalizer holds, so a dropped tensor's moved-out
// bytes (on the Storage) are never kept alive by a pending finalizer entry.
export class Block {
  refs = 1;
  /** Set while recipes gather from these bytes: frozen before they go. */
  snap: Snapshot | null = null;
  /** Bytes moved out to the Storage's JS array: counted in movedOut until the last holder goes. */
  moved = 0;
  constructor(public ptr: number, readonly bytes: number) {}
  releaseRef(): void {
    if (this.refs === 1 && this.snap) { this.snap.freeze(); this.snap = null; }
    if (--this.refs !== 0 || !backend.ready) return;
    if (this.ptr >= 0) { backend.alloc.release(this.ptr, this.bytes); this.ptr = -1; }
    // The holders' finalizers tell when moved bytes became garbage: no registry entry per spill.
    if (this.moved) { backend.alloc.movedOut(-this.moved); this.moved = 0; }
  }
}

/**
 * A source's bytes as the recipes of moved-out batches see them: the live storage while it is
 * unchanged, or a copy taken just before it was first written or freed while recipes depended on it.
 */
class Snapshot {
  /** Recipes moved out against this snapshot (an over-count once such batches are dropped). */
  pending = 0;
  frozen: Uint8Array | null = null;
  constructor(public live: Storage | null) {}
  freeze(): void {
    if (this.live && this.pending > 0) this.frozen = this.live._copyBytes();
    this.live = null;
  }
}

/** Rows of a contiguous source gathered along dim 0, in order (a DataLoader batch). */
export class RowsRecipe {
  constructor(private readonly snap: Snapshot, private readonly offset: number, private readonly rowBytes: number,
              private readonly rows: Int32Array) {}
  get snapshot(): Snapshot { return this.snap; }
  /** False once the source changed or went while nothing depended on it (then the batch is copied). */
  get usable(): boolean { return this.snap.live !== null || this.snap.frozen !== null; }
  rebuild(dst: number): void {
    const { rowBytes, rows, offset } = this;
    const frozen = this.snap.frozen;
    if (frozen) {
      const u8 = backend.u8;
      for (let i = 0; i < rows.length; i++) u8.set(frozen.subarray(offset + rows[i] * rowBytes, offset + (rows[i] + 1) * rowBytes), dst + i * rowBytes);
      return;
    }
    const base = this.snap.live!.ptr + offset; // may move the source back into wasm memory first
    const u8 = backend.u8;
    for (let i = 0; i < rows.length; i++) u8.copyWithin(dst + i * rowBytes, base + rows[i] * rowBytes, base + (rows[i] + 1) * rowBytes);
  }
}

export class Storage implements Movable {
  gen = 0;
  pinned = false;
  tracked = false;
  /** @internal */ readonly block: Block;
  // Int32 words, not bytes: Int32Array.slice copied 2.5 KB in 1.7 us here, Uint8Array.slice in 4.1 us.
  // Small ranges go to a plain array of numbers in the JS heap instead (see movedWords).
  private moved: Int32Array | number[] | null = null;
  private rebuildWith: RowsRecipe | null = null;
  /** @internal Holders that user code cannot reach (intermediates, graph-owned): while any is alive, every byte counts. */
  hidden = 0;
  /** @internal Byte range that tensors user code can reach have covered. */
  lo = Infinity;
  hi = 0;
  private movedAt = 0;
  /** @internal How to rebuild these bytes without a copy (dropped on the first write). */
  recipe: RowsRecipe | null = null;
  /** @internal Autograd's version counter: in-place writes so far (Tensor._writePtr), shared by every view. */
  version = 0;
  constructor(ptr: number, readonly bytes: number) { this.block = new Block(ptr, bytes); }

  /** Tensors (views included) still holding this storage. */
  get refs(): number { return this.block.refs; }
  set refs(n: number) { this.block.refs = n; }

  /** Byte address in wasm memory, moving the bytes back in first if they were moved out. */
  get ptr(): number {
    if (this.block.ptr < 0 && this.spilled) this.restore();
    return this.block.ptr;
  }
  get spilled(): boolean { return this.moved !== null || this.rebuildWith !== null; }

  spill(): void {
    const b = this.block;
    if (this.spilled || b.refs <= 0 || b.ptr < 0) return;
    if (this.recipe?.usable) {
      // Rebuildable: no copy at all.
      this.rebuildWith = this.recipe;
      this.recipe.snapshot.pending++;
    } else {
      // Once only user-reachable views hold the storage, bytes none of them covers are dead
      // (an LSTM's outputs leave its cell states out): only the covered range moves.
      const partial = this.hidden === 0 && this.lo < this.hi && (this.lo > 0 || this.hi < this.bytes);
      this.movedAt = partial ? this.lo : 0;
      const from = (b.ptr + this.movedAt) >> 2, to = (b.ptr + (partial ? this.hi : this.bytes)) >> 2;
      this.moved = movedWords(from, to);
      b.moved = (to - from) * 4;
      backend.alloc.movedOut(b.moved);
    }
    backend.alloc.release(b.ptr, this.bytes);
    b.ptr = -1;
  }

  private restore(): void {
    const b = this.block;
    b.ptr = backend.alloc.alloc(this.bytes);
    if (this.rebuildWith) {
      this.rebuildWith.rebuild(b.ptr);
      this.rebuildWith.snapshot.pending--;
      this.rebuildWith = null;
    } else {
      backend.i32.set(this.moved!, (b.ptr + this.movedAt) >> 2);
      this.dropMoved();
    }
    gens.track(this, false);
  }

  private dropMoved(): void {
    backend.alloc.movedOut(-this.block.moved);
    this.block.moved = 0;
    this.moved = null;
  }

  /** @internal Widens the user-reachable range by a tensor's elements. */
  _see(offset: number, shape: readonly number[], strides: readonly number[]): void {
    let min = offset, max = offset;
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 0) return;
      const span = (shape[d] - 1) * strides[d];
      if (span < 0) min += span; else max += span;
    }
    if (min * 4 < this.lo) this.lo = min * 4;
    if (max * 4 + 4 > this.hi) this.hi = max * 4 + 4;
  }

  /** @internal A copy of the bytes, wherever they are. */
  _copyBytes(): Uint8Array {
    if (!this.moved) return backend.u8.slice(this.ptr, this.ptr + this.bytes);
    const all = new Uint8Array(this.bytes);
    const words = this.moved instanceof Int32Array ? this.moved : Int32Array.from(this.moved);
    all.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength), this.movedAt);
    return all;
  }

  /** @internal The snapshot that recipes gathering from this storage read. */
  _snapshot(): Snapshot { return this.block.snap ?? (this.block.snap = new Snapshot(this)); }

  /** @internal Called before anything writes these bytes in place: recipes no longer hold. */
  _written(): void {
    this.recipe = null;
    const snap = this.block.snap;
    if (snap) { snap.freeze(); this.block.snap = null; }
  }

  /** @internal One holder let go (dispose, tidy, using, the library). */
  releaseRef(): void {
    this.block.releaseRef();   // counts moved bytes out of movedOut when the last holder goes
    if (this.block.refs !== 0) return;
    this.moved = null;
    if (this.rebuildWith) { this.rebuildWith.snapshot.pending--; this.rebuildWith = null; }
  }
}

setMemoryGauge(() => (backend.ready ? backend.alloc.inUse : 0));

/**
 * A copy of the int32 words [from, to) of wasm memory. Up to SMALL_MOVE words go into a plain array of
 * numbers, allocated in the JS heap's young generation: a fresh off-heap ArrayBuffer of 2.5 KB (the
 * MNIST MLP's logits, moved out every step) took ~20 us inside a training loop against ~2 us in a
 * tight loop, its memory released by the garbage collector on another thread. Int32 values (not
 * float32) keep NaN payloads bit for bit.
 */
const SMALL_MOVE = 1024;
function movedWords(from: number, to: number): Int32Array | number[] {
  const i32 = backend.i32;
  if (to - from > SMALL_MOVE) return i32.slice(from, to);
  const out = new Array<number>(to - from).fill(0.5);   // double elements from the start: no transitions
  for (let i = 0; i < out.length; i++) out[i] = i32[from + i];
  return out;
}

/**
 * Lets a gathered batch be rebuilt from its source instead of copied out: `batch` holds the rows
 * `rows` of `source` along dim 0 (both contiguous, same dtype).
 */
export function gatheredRows(batch: { storage: Storage; offset: number; isContiguous(): boolean },
                             source: { storage: Storage; offset: number; shape: number[]; numel(): number; isContiguous(): boolean },
                             rows: Int32Array): void {
  if (!rows.length || !source.shape[0] || source.storage.pinned || !source.isContiguous() || !batch.isContiguous() || batch.offset !== 0) return;
  const rowBytes = (source.numel() / source.shape[0]) * 4;
  if (batch.storage.bytes !== rows.length * rowBytes) return;
  batch.storage.recipe = new RowsRecipe(source.storage._snapshot(), source.offset * 4, rowBytes, rows);
}
