// The memory manager: 64-byte-aligned blocks in the wasm linear memory, size-class free lists,
// growth on demand up to a configurable limit. JS owns everything above the module's heap base.

const ALIGN = 64;
const PAGE = 65536;

export class OutOfMemoryError extends RangeError {
  constructor(readonly requested: number, readonly inUse: number, readonly limit: number) {
    super(`wasmgrad memory: cannot allocate ${requested} bytes: ${inUse} bytes in use, limit ${limit} bytes ` +
      `(raise it with init({ memoryLimitMB }) or free tensors with dispose()/tidy())`);
    this.name = 'OutOfMemoryError';
  }
}

// Size classes: 64-byte steps up to 1 KiB, then 8 classes per power of two (<= 12.5% waste).
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 1024) return b;
  const top = 2 ** Math.floor(Math.log2(b));
  const step = top / 8;
  return Math.ceil(b / step) * step;
}

export class Allocator {
  private top: number;              // bump pointer: first byte never handed out
  private readonly free = new Map<number, number[]>(); // class size -> free block addresses
  private freeBytes = 0;
  inUse = 0;                        // bytes in live blocks (class-rounded)
  liveBlocks = 0;
  peakInUse = 0;
  /** Bytes of tensors moved out of wasm memory into JS arrays (src/lifetime.ts), not yet collected. */
  movedOutBytes = 0;

  constructor(private readonly memory: WebAssembly.Memory, base: number, public limitBytes: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  get reserved(): number { return this.top; }
  get cachedFreeBytes(): number { return this.freeBytes; }

  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`wasmgrad memory: invalid allocation size ${bytes}`);
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let ptr: number;
    if (list && list.length) {
      ptr = list.pop()!;
      this.freeBytes -= size;
    } else {
      ptr = this.bump(size);
    }
    this.inUse += size;
    this.liveBlocks++;
    if (this.inUse > this.peakInUse) this.peakInUse = this.inUse;
    return ptr;
  }

  release(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
    this.inUse -= size;
    this.liveBlocks--;
  }

  private bump(size: number): number {
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.limitBytes) {
      // Before failing, give back the cached free blocks that sit at the top of the heap; then merge
      // neighbouring free blocks and cut the block from the smallest that holds it. Without this, work
      // whose shapes change every step leaves its free memory cached in many size classes, none of them
      // the one asked for, and runs out of address space with most of it free.
      if (this.trimTop() && this.top + size <= this.limitBytes) return this.bump(size);
      this.coalesce();
      if (this.trimTop() && this.top + size <= this.limitBytes) return this.bump(size);
      const cut = this.cutFromFree(size);
      if (cut !== null) return cut;
      throw new OutOfMemoryError(size, this.inUse, this.limitBytes);
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      // Grow geometrically (at least 1/8 of the current size) so growth is rare, but never past the limit.
      const want = Math.max(pages, Math.ceil(have / PAGE / 8));
      const maxPages = Math.floor(this.limitBytes / PAGE) - have / PAGE;
      try {
        this.memory.grow(Math.min(want, Math.max(pages, maxPages)));
      } catch {
        try { this.memory.grow(pages); } catch { throw new OutOfMemoryError(size, this.inUse, this.limitBytes); }
      }
    }
    this.top = end;
    return ptr;
  }

  // Returns cached free blocks adjacent to the bump pointer to the unallocated region.
  private trimTop(): boolean {
    const blocks: [number, number][] = [];
    for (const [size, list] of this.free) for (const p of list) blocks.push([p, size]);
    blocks.sort((a, b) => b[0] - a[0]);
    const removed = new Set<number>();
    for (const [p, size] of blocks) {
      if (p + size !== this.top) break;
      this.top = p;
      removed.add(p);
      this.freeBytes -= size;
    }
    if (!removed.size) return false;
    for (const [size, list] of this.free) this.free.set(size, list.filter((p) => !removed.has(p)));
    return true;
  }

  // Merges runs of adjacent cached free blocks into single free blocks (kept under their own size,
  // which need not be a size class: cutFromFree takes any block at least as large).
  private coalesce(): void {
    const blocks: [number, number][] = [];
    for (const [size, list] of this.free) for (const p of list) blocks.push([p, size]);
    if (blocks.length < 2) return;
    blocks.sort((a, b) => a[0] - b[0]);
    this.free.clear();
    let [start, size] = blocks[0];
    const keep = (p: number, n: number) => { let l = this.free.get(n); if (!l) this.free.set(n, (l = [])); l.push(p); };
    for (let i = 1; i < blocks.length; i++) {
      const [p, n] = blocks[i];
      if (start + size === p) size += n;
      else { keep(start, size); start = p; size = n; }
    }
    keep(start, size);
  }

  // A block of `size` bytes from the front of the smallest cached free block that holds it; the rest
  // stays free. null if none does. The bytes stay counted as cached-free until handed out (alloc adds them to inUse).
  private cutFromFree(size: number): number | null {
    let best = Infinity;
    for (const [n, list] of this.free) if (list.length && n >= size && n < best) best = n;
    if (best === Infinity) return null;
    const p = this.free.get(best)!.pop()!;
    this.freeBytes -= best;
    if (best > size) {
      let l = this.free.get(best - size);
      if (!l) this.free.set(best - size, (l = []));
      l.push(p + size);
      this.freeBytes += best - size;
    }
    return p;
  }

  movedOut(bytes: number): void { this.movedOutBytes += bytes; }

  stats() {
    return { inUse: this.inUse, movedOut: this.movedOutBytes, reserved: this.top, cachedFree: this.freeBytes, limit: this.limitBytes,
             wasmBytes: this.memory.buffer.byteLength, liveBlocks: this.liveBlocks, peakInUse: this.peakInUse };
  }
}
