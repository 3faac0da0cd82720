// The allocator under shapes that change every step: freed blocks are cached by size class, and a
// request that fits no cached class used to fail once the bump pointer reached the limit, with most
// of the memory free (fitLikelihood on Spam Assassin: 54 MB refused with 211 MB in use of 2 GB).
import { describe, expect, it } from 'vitest';
import { Allocator, OutOfMemoryError, sizeClass } from '../../src/runtime/allocator.js';

const MB = 1 << 20;

function allocator(limitMB: number): Allocator {
  return new Allocator(new WebAssembly.Memory({ initial: 1, maximum: (limitMB * MB) / 65536 }), 1024, limitMB * MB);
}

describe('allocator', () => {
  it('a request no cached class fits is cut from merged free blocks instead of failing', () => {
    const a = allocator(16);
    // Fill 15 MB with blocks of ten different sizes, then free them all: every class is cached.
    const blocks: [number, number][] = [];
    for (let i = 0; ; i++) {
      const bytes = (0.3 + (i % 10) * 0.07) * MB;
      if (a.reserved + sizeClass(bytes) > 15 * MB) break;
      blocks.push([a.alloc(bytes), bytes]);
    }
    const live = a.alloc(64); // one small live block at the top keeps trimTop from giving the space back
    for (const [p, b] of blocks) a.release(p, b);
    expect(a.inUse).toBe(sizeClass(64));
    // 6 MB fits no cached class and not under the limit above the bump pointer.
    const big = a.alloc(6 * MB);
    expect(big).toBeGreaterThanOrEqual(blocks[0][0]);
    expect(big + 6 * MB).toBeLessThanOrEqual(live);
    expect(a.inUse).toBe(sizeClass(64) + 6 * MB);
    // The rest of the merged block stays free and is handed out again.
    const second = a.alloc(6 * MB);
    expect(second === big).toBe(false);
    expect(Math.abs(second - big)).toBeGreaterThanOrEqual(6 * MB);
    a.release(big, 6 * MB);
    a.release(second, 6 * MB);
    a.release(live, 64);
    expect(a.inUse).toBe(0);
    // All of it can be had again as one block.
    const all = a.alloc(14 * MB);
    expect(all).toBe(blocks[0][0]);
  });

  it('still refuses what does not fit, with the figures', () => {
    const a = allocator(4);
    const p = a.alloc(3 * MB);
    expect(() => a.alloc(2 * MB)).toThrow(OutOfMemoryError);
    expect(() => a.alloc(2 * MB)).toThrow(/cannot allocate 2097152 bytes: 3145728 bytes in use, limit 4194304 bytes/);
    a.release(p, 3 * MB);
    expect(a.alloc(2 * MB)).toBe(p);
  });
});
