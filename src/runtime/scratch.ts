// Small persistent scratch blocks for kernel metadata (shapes, strides) and GEMM workspaces.
// Each is written and consumed within one synchronous kernel call, so one block per purpose suffices.
import { backend } from './backend.js';

const blocks = new Map<string, { ptr: number; bytes: number }>();

export function scratch(purpose: string, bytes: number): number {
  let b = blocks.get(purpose);
  if (!b || b.bytes < bytes) {
    if (b) backend.alloc.release(b.ptr, b.bytes);
    const size = Math.max(bytes, 256);
    b = { ptr: backend.alloc.alloc(size), bytes: size };
    blocks.set(purpose, b);
  }
  return b.ptr;
}

/** Writes int32 values into the metadata block and returns its address. */
export function writeMeta(values: number[], extraInts = 0): number {
  const ptr = scratch('meta', (values.length + extraInts) * 4);
  backend.i32.set(values, ptr >> 2);
  return ptr;
}

/** Bytes held by scratch blocks (counted in backendInfo's inUse but owned by no tensor). */
export function scratchBytes(): number {
  let n = 0;
  for (const b of blocks.values()) n += b.bytes;
  return n;
}

/** writeMeta for the common 1-D case (shape, stride a, stride b + one scratch word), without arrays. */
export function writeMeta3(n: number, sa: number, sb: number): number {
  const ptr = scratch('meta', 64);
  const i32 = backend.i32, at = ptr >> 2;
  i32[at] = n; i32[at + 1] = sa; i32[at + 2] = sb;
  return ptr;
}
