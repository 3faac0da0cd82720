// init({ memoryLimitMB }) caps wasm memory: allocating past it throws OutOfMemoryError (a
// RangeError naming the bytes requested, in use and the limit) and leaves the library usable.
// The limit is fixed at init, hence a file (and process) of its own.
import { beforeAll, expect, it } from 'vitest';
import { init, backendInfo, zeros, ones, tidy, OutOfMemoryError, type Tensor } from '../../src/index.js';

const LIMIT = 64 * 1024 * 1024;

beforeAll(async () => { await init({ memoryLimitMB: 64 }); });

it('reports the configured limit', () => {
  expect(backendInfo().memory.limit).toBe(LIMIT);
});

it('throws OutOfMemoryError past the limit, then recovers once tensors are freed', () => {
  const before = backendInfo().memory.inUse;
  const held: Tensor[] = [];
  let error: unknown;
  try {
    // 8 MiB each, all in use every iteration (tensors held but unused would move out of wasm memory).
    for (let i = 0; i < 100; i++) { held.push(zeros([2 * 1024 * 1024])); for (const t of held) t.fill_(0); }
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OutOfMemoryError);
  expect(error).toBeInstanceOf(RangeError);
  const oom = error as OutOfMemoryError;
  expect(held.length).toBeGreaterThan(3);
  expect(held.length).toBeLessThan(8);
  expect(oom.requested).toBe(8 * 1024 * 1024);
  expect(oom.limit).toBe(LIMIT);
  expect(oom.inUse).toBe(backendInfo().memory.inUse);
  expect(oom.message).toMatch(new RegExp(`cannot allocate ${8 * 1024 * 1024} bytes: ${oom.inUse} bytes in use, limit ${LIMIT} bytes`));
  expect(oom.message).toMatch(/memoryLimitMB/);

  // The failed allocation left nothing behind and existing tensors still work.
  // (tidy: the narrow view would otherwise keep its base's 8 MiB alive after dispose below.)
  expect(tidy(() => held[0].narrow(0, 0, 1000).add(1).sum().item())).toBe(1000);
  for (const t of held) t.dispose();
  expect(backendInfo().memory.inUse).toBe(before);

  // Freed blocks are reused: the same amount fits again, and computing works.
  const again = Array.from({ length: held.length }, () => ones([2 * 1024 * 1024]));
  expect(again[again.length - 1].mean().item()).toBe(1);
  for (const t of again) t.dispose();
});

it('a single request larger than the limit fails cleanly', () => {
  const before = backendInfo().memory.inUse;
  expect(() => zeros([32 * 1024 * 1024])).toThrow(OutOfMemoryError);
  expect(() => zeros([32 * 1024 * 1024])).toThrow(/cannot allocate 134217728 bytes/);
  expect(backendInfo().memory.inUse).toBe(before);
  expect(ones([4]).sum().item()).toBe(4);
});
