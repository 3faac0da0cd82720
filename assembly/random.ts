// Seedable PRNG shared by init, dropout and RBM sampling: xoshiro128** (fast, 128-bit state,
// identical bit streams on every runtime because it is pure integer arithmetic).
let s0: u32 = 0x9e3779b9;
let s1: u32 = 0x243f6a88;
let s2: u32 = 0xb7e15162;
let s3: u32 = 0x3c6ef372;

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

@inline function nextU32(): u32 {
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

// Uniform in [0, 1) with 24 bits, exactly representable in f32.
@inline function nextUnit(): f32 {
  return <f32>(nextU32() >>> 8) * (1.0 / 16777216.0);
}

// splitmix32 expands one seed into a full state so nearby seeds give unrelated streams.
@inline function splitmix(x: u32): u32 {
  x += 0x9e3779b9;
  x = (x ^ (x >>> 16)) * 0x85ebca6b;
  x = (x ^ (x >>> 13)) * 0xc2b2ae35;
  return x ^ (x >>> 16);
}

export function rng_seed(lo: u32, hi: u32): void {
  s0 = splitmix(lo);
  s1 = splitmix(s0 ^ hi);
  s2 = splitmix(s1 ^ 0x6a09e667);
  s3 = splitmix(s2 ^ 0xbb67ae85);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

// State is exported/imported as four u32 so JS can fork and restore generators.
export function rng_get_state(dst: usize): void {
  store<u32>(dst, s0); store<u32>(dst, s1, 4); store<u32>(dst, s2, 8); store<u32>(dst, s3, 12);
}
export function rng_set_state(src: usize): void {
  s0 = load<u32>(src); s1 = load<u32>(src, 4); s2 = load<u32>(src, 8); s3 = load<u32>(src, 12);
}

export function rng_uniform(dst: usize, n: i32, low: f32, high: f32): void {
  const span = high - low;
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), low + span * nextUnit());
}

// Box-Muller, both outputs used; Mathf is software so results match across engines.
export function rng_normal(dst: usize, n: i32, mean: f32, std: f32): void {
  let i = 0;
  while (i < n) {
    let u1 = nextUnit();
    const u2 = nextUnit();
    if (u1 < 1e-30) u1 = 1e-30;
    const r = Mathf.sqrt(-2.0 * Mathf.log(u1));
    const th = <f32>(2.0 * Math.PI) * u2;
    store<f32>(dst + (<usize>i << 2), mean + std * r * Mathf.cos(th));
    i++;
    if (i < n) {
      store<f32>(dst + (<usize>i << 2), mean + std * r * Mathf.sin(th));
      i++;
    }
  }
}

// dst[i] = 1 with probability p[i] (clamped to [0,1]), else 0.
export function rng_bernoulli(p: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, nextUnit() < load<f32>(p + o) ? 1.0 : 0.0);
  }
}

// dst[i] = 1 with fixed probability p (dropout masks, scaled by `scale` when kept).
export function rng_bernoulli_scalar(dst: usize, n: i32, p: f32, scale: f32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), nextUnit() < p ? scale : 0.0);
}

// Integers in [low, high) by Lemire's multiply-shift (bias < 2^-32 per draw, fine for ML use).
export function rng_randint(dst: usize, n: i32, low: i32, high: i32): void {
  const span = <u64>(<u32>(high - low));
  for (let i = 0; i < n; i++) {
    const r = <i32>((<u64>nextU32() * span) >>> 32);
    store<i32>(dst + (<usize>i << 2), low + r);
  }
}

// Fisher-Yates shuffle of an int32 array (DataLoader epochs).
export function rng_shuffle_i32(ptr: usize, n: i32): void {
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>((<u64>nextU32() * <u64>(i + 1)) >>> 32);
    const a = ptr + (<usize>i << 2), b = ptr + (<usize>j << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
}
