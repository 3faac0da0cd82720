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

// dst[i] = 1 with probability p[i] (clamped to [0,1]; NaN gives 0), else 0.
// The RBM's hot loop, so it runs four xoshiro128** streams side by side in the lanes of a v128.
// Each call seeds those lane streams from the scalar generator (splitmix of its next outputs), so
// the whole generator state stays the four scalar words: rng_get_state/rng_set_state and manualSeed
// cover it, and results are a pure function of that state (integer ops only: identical everywhere).
export function rng_bernoulli(p: usize, dst: usize, n: i32): void {
  if (n <= 0) return;
  // Lane streams never start from the all-zero state (odd first word).
  let a = v128.or(laneSeeds(), i32x4.splat(1)), b = laneSeeds(), c = laneSeeds(), d = laneSeeds();
  const one = f32x4.splat(1), unit = f32x4.splat(1.0 / 16777216.0), five = i32x4.splat(5), nine = i32x4.splat(9);
  for (let i = 0; i < n; i += 4) {
    // xoshiro128** in each lane, exactly as nextU32; then 24-bit uniforms in [0, 1) as nextUnit.
    const r = i32x4.mul(vrotl(i32x4.mul(b, five), 7), nine);
    const t = i32x4.shl(b, 9);
    c = v128.xor(c, a); d = v128.xor(d, b); b = v128.xor(b, c); a = v128.xor(a, d);
    c = v128.xor(c, t);
    d = vrotl(d, 11);
    const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(r, 8)), unit);
    const o = <usize>i << 2;
    if (i + 4 <= n) {
      v128.store(dst + o, v128.and(f32x4.lt(u, v128.load(p + o)), one));
    } else { // the last 1-3 units: no reads or writes past the arrays
      store<f32>(dst + o, f32x4.extract_lane(u, 0) < load<f32>(p + o) ? 1.0 : 0.0);
      if (i + 1 < n) store<f32>(dst + o, f32x4.extract_lane(u, 1) < load<f32>(p + o, 4) ? 1.0 : 0.0, 4);
      if (i + 2 < n) store<f32>(dst + o, f32x4.extract_lane(u, 2) < load<f32>(p + o, 8) ? 1.0 : 0.0, 8);
    }
  }
}

@inline function vrotl(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

// One state word for each of the four lane streams, expanded from the scalar generator by splitmix.
@inline function laneSeeds(): v128 {
  let w = i32x4.splat(splitmix(nextU32()));
  w = i32x4.replace_lane(w, 1, splitmix(nextU32()));
  w = i32x4.replace_lane(w, 2, splitmix(nextU32()));
  return i32x4.replace_lane(w, 3, splitmix(nextU32()));
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
