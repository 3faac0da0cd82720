// A small seeded uniform generator in [0, 1) (mulberry32) for preparing data in JavaScript: the
// same stream on every machine and engine, independent of the wasm generator that wg.manualSeed
// seeds (splitting ratings must not shift the random numbers a model's training draws).
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
