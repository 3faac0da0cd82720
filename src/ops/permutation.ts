// Random orders for shuffling and splitting, drawn with the wasm PRNG (rng_shuffle_i32). With a seed,
// the draw uses its own stream keyed by (seed, stream) and restores the global generator afterwards,
// so the order depends on nothing else the program draws.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { getRngState, setRngState } from './creation.js';

export function checkSeed(op: string, seed: unknown): void {
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new Error(`${op}: seed must be an integer, got ${seed}`);
  }
}

/** Fills an int32 tensor of length n with 0..n-1 (no shuffle). */
export function identityOrder(t: Tensor): void {
  const base = t.ptr('order') >> 2, i32 = backend.i32;
  for (let i = 0; i < t.numel(); i++) i32[base + i] = i;
}

/** Shuffles an int32 tensor in place: from the global generator, or from stream `stream` of `seed`. */
export function shuffleInPlace(t: Tensor, seed?: number, stream = 0): void {
  if (t.numel() < 2) return;
  const k = backend.k;
  if (seed === undefined) { k.rng_shuffle_i32(t.ptr('shuffle'), t.numel()); return; }
  const saved = getRngState();
  try {
    const s = BigInt.asUintN(64, BigInt(seed));
    // Mixing the stream number into the high word gives each epoch an unrelated, reproducible order.
    k.rng_seed(Number(s & 0xffffffffn), (Number(s >> 32n) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
    k.rng_shuffle_i32(t.ptr('shuffle'), t.numel());
  } finally {
    setRngState(saved);
  }
}

/** A random permutation of 0..n-1 as an int32 tensor owned by the caller. */
export function permutation(n: number, seed?: number, stream = 0): Tensor {
  const t = Tensor._empty([n], 'int32');
  identityOrder(t);
  shuffleInPlace(t, seed, stream);
  return t;
}
