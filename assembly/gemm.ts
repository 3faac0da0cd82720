// SGEMM: C = op(A)·op(B) + beta·C, then bias and activation, row-major float32.
//
// Goto/BLIS structure: the K dimension is cut into KC-deep slabs; for each slab a KC×NC panel of
// op(B) is packed into NR-wide column strips and an MC×KC block of op(A) into MR-tall row strips.
// The micro-kernel then multiplies one A strip by one B strip with an MR×NR tile of C held in
// v128 registers. Transposes are absorbed by the packing routines: the kernel only ever sees
// packed data, so all four trans combinations run the same inner loop.
//
// Pointers are byte offsets into linear memory; leading dimensions are in elements. Nothing here
// allocates: packed panels live in the caller's `work` block (size from gemm_workspace_bytes).

// Register tile. Relaxed build: relaxed_madd is one fused instruction, so 6×8 uses 12 accumulators
// + 2 B vectors + 1 A splat = 15 of the 16 xmm registers. Plain build: mul+add needs a temporary
// and V8 reserves one xmm as scratch, so 6×8 spills; MR=5 (10 accumulators) is the largest that fits.
import { sigmoid1, tanh1, vsigmoid, vtanh } from './simd-math';
import { ACT_NONE, ACT_RELU, ACT_LEAKY_RELU, ACT_SIGMOID, ACT_TANH, BIAS_NONE, BIAS_PER_COLUMN, BIAS_PER_ROW } from './protocol.generated';

const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR: i32 = 8;
// Cache blocking for Zen 4 (L1d 32K, L2 1M): an A strip (MR·KC·4 = 6K) and a B strip
// (NR·KC·4 = 8K) sit in L1 together; the packed A block (MC·KC·4 ≈ 240–290K) stays in L2 while
// the B panel (KC·NC·4 ≤ 4M) streams from L3.
const KC: i32 = 256;
const MC: i32 = MR * 48;
const NC: i32 = 4096;
const ALIGN: i32 = 64;
// Elements of a C block (MC×NC) the epilogue handles in one pass (256 KB: a quarter of Zen 4's L2).
const EPILOGUE_BLOCK_ELEMENTS: i32 = 65536;
// op(B) is read in place, not packed, for M up to this (see gemmCore).
const IN_PLACE_B_MAX_M: i32 = 128;

// ---------------------------------------------------------------------------------------------
// small helpers

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
@inline function roundUp(x: i32, m: i32): i32 { return (x + m - 1) / m * m; }
@inline function alignPtr(p: usize): usize { return (p + <usize>(ALIGN - 1)) & ~<usize>(ALIGN - 1); }

// Splits n into ceil(n/max) near-equal blocks (avoids a thin last block), rounded up to `mult`.
@inline function blockSize(n: i32, max: i32, mult: i32): i32 {
  const blocks = (n + max - 1) / max;
  return imin(max, roundUp((n + blocks - 1) / blocks, mult));
}

// Stores one C row segment of 8 floats: beta = 0 never reads C (it may hold NaN garbage).
@inline function storeRow(p: usize, c0: v128, c1: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(p, c0);
    v128.store(p, c1, 16);
  } else if (beta == 1) {
    v128.store(p, f32x4.add(v128.load(p), c0));
    v128.store(p, f32x4.add(v128.load(p, 16), c1), 16);
  } else {
    const vb = f32x4.splat(beta);
    v128.store(p, madd(vb, v128.load(p), c0));
    v128.store(p, madd(vb, v128.load(p, 16), c1), 16);
  }
}

// ---------------------------------------------------------------------------------------------
// micro-kernel: tile[MR×NR] (at C, row stride ldcB bytes) = beta·tile + Apanel·Bpanel.
// pa: kc steps of MR floats (one column of the A strip); pb: kc steps of NR floats, sb bytes apart
// (NR·4 in a packed strip; B's row stride when B is read in place).
// Rows beyond MR are compiled out (MR is a compile-time constant).

function kernel(pa: usize, pb: usize, sb: usize, kc: i32, C: usize, ldcB: usize, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  // Rows go last-to-first: TurboFan then emits each splat right before its two FMAs, so one
  // register holds the A value. In first-to-last order it hoists all six splats ahead of the
  // FMAs and spills four accumulators (measured: 25 vs 50 GFLOP/s). For the same reason the
  // loop is not unrolled: the scheduler interleaves the copies and spills again.
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a: v128;
    if (MR > 5) {
      a = v128.load32_splat(pa, 20);
      c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    }
    if (MR > 4) {
      a = v128.load32_splat(pa, 16);
      c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    }
    if (MR > 3) {
      a = v128.load32_splat(pa, 12);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    }
    if (MR > 2) {
      a = v128.load32_splat(pa, 8);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    }
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    pa += <usize>(MR << 2);
    pb += sb;
  }
  storeRow(C, c00, c01, beta);
  storeRow(C + ldcB, c10, c11, beta);
  if (MR > 2) storeRow(C + 2 * ldcB, c20, c21, beta);
  if (MR > 3) storeRow(C + 3 * ldcB, c30, c31, beta);
  if (MR > 4) storeRow(C + 4 * ldcB, c40, c41, beta);
  if (MR > 5) storeRow(C + 5 * ldcB, c50, c51, beta);
}

// The last row strip of an M that is not a multiple of MR (M = 64: 10 strips of 6 and one of 4) with
// up to 4 valid rows, stored straight into C: the full kernel would compute MR rows into the edge
// buffer and merge them element by element. Each element sees the same madds in the same order as
// in `kernel`, so results do not depend on which kernel computed them.
function kernel4(pa: usize, pb: usize, sb: usize, kc: i32, C: usize, ldcB: usize, beta: f32, mr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    pa += <usize>(MR << 2);
    pb += sb;
  }
  storeRow(C, c00, c01, beta);
  if (mr > 1) storeRow(C + ldcB, c10, c11, beta);
  if (mr > 2) storeRow(C + 2 * ldcB, c20, c21, beta);
  if (mr > 3) storeRow(C + 3 * ldcB, c30, c31, beta);
}

// ---------------------------------------------------------------------------------------------
// packing. Strips are zero-padded to full MR / NR so the kernel never needs a bounds check;
// only the valid part of the source is ever read.

// 4×4 transpose of rows r0..r3, stored as 4 vectors at dst, dst+stride, ... (stride in bytes).
@inline function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// Packs a w-wide strip (w = MR or NR lanes per k, `cnt` of them valid) from a source where the
// strip's lanes are rows of memory with k contiguous (A without trans, B with trans):
// dst[k*w + r] = src[r*ld + k]. Groups of 4 lanes go through a 4×4 SIMD transpose.
function packTransposed(src: usize, ldB: usize, cnt: i32, kc: i32, dst: usize, w: i32): void {
  const wB = <usize>(w << 2);
  let r = 0;
  for (; r + 4 <= cnt; r += 4) {
    const s0 = src + <usize>r * ldB;
    const s1 = s0 + ldB, s2 = s1 + ldB, s3 = s2 + ldB;
    const d = dst + <usize>(r << 2);
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>(k << 2);
      transpose4Store(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o),
                      d + <usize>k * wB, wB);
    }
    for (; k < kc; k++) {
      const o = <usize>(k << 2), q = d + <usize>k * wB;
      store<f32>(q, load<f32>(s0 + o));
      store<f32>(q, load<f32>(s1 + o), 4);
      store<f32>(q, load<f32>(s2 + o), 8);
      store<f32>(q, load<f32>(s3 + o), 12);
    }
  }
  // Two rows left (MR = 6: a third of every A strip): interleave 4 k-values of each and store
  // the (row r, row r + 1) pairs as 8-byte lanes instead of element by element.
  if (r + 2 <= cnt) {
    const s0 = src + <usize>r * ldB, s1 = s0 + ldB;
    const d = dst + <usize>(r << 2);
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>(k << 2), a = v128.load(s0 + o), b = v128.load(s1 + o), q = d + <usize>k * wB;
      const lo = f32x4.shuffle(a, b, 0, 4, 1, 5), hi = f32x4.shuffle(a, b, 2, 6, 3, 7);
      v128.store64_lane(q, lo, 0);
      v128.store64_lane(q + wB, lo, 1);
      v128.store64_lane(q + 2 * wB, hi, 0);
      v128.store64_lane(q + 3 * wB, hi, 1);
    }
    for (; k < kc; k++) {
      const o = <usize>(k << 2), q = d + <usize>k * wB;
      store<f32>(q, load<f32>(s0 + o));
      store<f32>(q, load<f32>(s1 + o), 4);
    }
    r += 2;
  }
  for (; r < cnt; r++) {
    const s = src + <usize>r * ldB;
    const d = dst + <usize>(r << 2);
    for (let k = 0; k < kc; k++) store<f32>(d + <usize>k * wB, load<f32>(s + (<usize>k << 2)));
  }
  for (; r < w; r++) {
    const d = dst + <usize>(r << 2);
    for (let k = 0; k < kc; k++) store<f32>(d + <usize>k * wB, 0);
  }
}

// Packs a strip whose lanes are contiguous in memory for each k (A with trans, B without):
// dst[k*w + r] = src[k*ld + r].
function packDirect(src: usize, ldB: usize, cnt: i32, kc: i32, dst: usize, w: i32): void {
  const wB = <usize>(w << 2);
  if (cnt == w) {
    for (let k = 0; k < kc; k++) {
      const s = src + <usize>k * ldB, d = dst + <usize>k * wB;
      let r = 0;
      for (; r + 4 <= w; r += 4) v128.store(d + <usize>(r << 2), v128.load(s + <usize>(r << 2)));
      if (r + 2 <= w) { store<u64>(d + <usize>(r << 2), load<u64>(s + <usize>(r << 2))); r += 2; } // MR = 6
      for (; r < w; r++) store<f32>(d + <usize>(r << 2), load<f32>(s + <usize>(r << 2)));
    }
  } else {
    for (let k = 0; k < kc; k++) {
      const s = src + <usize>k * ldB, d = dst + <usize>k * wB;
      let r = 0;
      for (; r < cnt; r++) store<f32>(d + <usize>(r << 2), load<f32>(s + <usize>(r << 2)));
      for (; r < w; r++) store<f32>(d + <usize>(r << 2), 0);
    }
  }
}

// op(A)[i0:i0+mc, p0:p0+kc] -> MR-tall strips.
function packA(transA: i32, A: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const ldB = <usize>lda << 2;
  for (let i = 0; i < mc; i += MR) {
    const cnt = imin(MR, mc - i);
    if (transA) packDirect(A + (<usize>p0 * <usize>lda + <usize>(i0 + i)) * 4, ldB, cnt, kc, dst, MR);
    else packTransposed(A + (<usize>(i0 + i) * <usize>lda + <usize>p0) * 4, ldB, cnt, kc, dst, MR);
    dst += <usize>(MR * kc) << 2;
  }
}

// op(B)[p0:p0+kc, j0:j0+nc] -> NR-wide strips.
function packB(transB: i32, B: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const ldB = <usize>ldb << 2;
  for (let j = 0; j < nc; j += NR) {
    const cnt = imin(NR, nc - j);
    if (transB) packTransposed(B + (<usize>(j0 + j) * <usize>ldb + <usize>p0) * 4, ldB, cnt, kc, dst, NR);
    else packDirect(B + (<usize>p0 * <usize>ldb + <usize>(j0 + j)) * 4, ldB, cnt, kc, dst, NR);
    dst += <usize>(NR * kc) << 2;
  }
}

// ---------------------------------------------------------------------------------------------
// epilogue: bias and activation on a C tile that holds final values (applied once, after the
// whole K reduction, while the tile is still in L1).

// Tile C[i0:i0+rows, j0:j0+cols] at Cp (its top-left element). Sigmoid and tanh live in their own
// function: inlined here, their SIMD bodies made every call of the common bias/ReLU case slow.
function epilogue(Cp: usize, ldc: i32, i0: i32, j0: i32, rows: i32, cols: i32,
                  bias: usize, biasKind: i32, act: i32, slope: f32): void {
  if (act == ACT_SIGMOID || act == ACT_TANH) { epilogueSmooth(Cp, ldc, i0, j0, rows, cols, bias, biasKind, act); return; }
  const vslope = f32x4.splat(slope), zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = Cp + ((<usize>r * <usize>ldc) << 2);
    const rowBias: f32 = biasKind == BIAS_PER_ROW ? load<f32>(bias + (<usize>(i0 + r) << 2)) : 0;
    const colBias = bias + (<usize>j0 << 2);
    let j = 0;
    const vrb = f32x4.splat(rowBias);
    for (; j + 4 <= cols; j += 4) {
      const p = row + (<usize>j << 2);
      let v = v128.load(p);
      if (biasKind == BIAS_PER_COLUMN) v = f32x4.add(v, v128.load(colBias + (<usize>j << 2)));
      else if (biasKind == BIAS_PER_ROW) v = f32x4.add(v, vrb);
      if (act == ACT_RELU) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
      else if (act == ACT_LEAKY_RELU) v = v128.bitselect(f32x4.mul(v, vslope), v, f32x4.lt(v, zero));
      v128.store(p, v);
    }
    for (; j < cols; j++) {
      const p = row + (<usize>j << 2);
      let x = load<f32>(p);
      if (biasKind == BIAS_PER_COLUMN) x += load<f32>(colBias + (<usize>j << 2));
      else if (biasKind == BIAS_PER_ROW) x += rowBias;
      if (act == ACT_RELU) x = x < 0 ? 0 : x; // NaN passes through, as in PyTorch
      else if (act == ACT_LEAKY_RELU) x = x < 0 ? x * slope : x;
      store<f32>(p, x);
    }
  }
}

function epilogueSmooth(Cp: usize, ldc: i32, i0: i32, j0: i32, rows: i32, cols: i32,
                        bias: usize, biasKind: i32, act: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = Cp + ((<usize>r * <usize>ldc) << 2);
    const rowBias: f32 = biasKind == BIAS_PER_ROW ? load<f32>(bias + (<usize>(i0 + r) << 2)) : 0;
    const colBias = bias + (<usize>j0 << 2);
    let j = 0;
    const vrb = f32x4.splat(rowBias);
    for (; j + 4 <= cols; j += 4) {
      const p = row + (<usize>j << 2);
      let v = v128.load(p);
      if (biasKind == BIAS_PER_COLUMN) v = f32x4.add(v, v128.load(colBias + (<usize>j << 2)));
      else if (biasKind == BIAS_PER_ROW) v = f32x4.add(v, vrb);
      v128.store(p, act == ACT_SIGMOID ? vsigmoid(v) : vtanh(v));
    }
    for (; j < cols; j++) {
      const p = row + (<usize>j << 2);
      let x = load<f32>(p);
      if (biasKind == BIAS_PER_COLUMN) x += load<f32>(colBias + (<usize>j << 2));
      else if (biasKind == BIAS_PER_ROW) x += rowBias;
      store<f32>(p, act == ACT_SIGMOID ? sigmoid1(x) : tanh1(x)); // the SIMD formula, so fused and unfused activations agree bit for bit
    }
  }
}

// ---------------------------------------------------------------------------------------------
// public ABI

// Bytes of `work` gemm needs for these sizes: the packed A block, the packed B panel and one
// edge tile, each 64-byte aligned (plus slack so an unaligned `work` is also fine).
export function gemm_workspace_bytes(M: i32, N: i32, K: i32): i32 {
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  const kc = blockSize(K, KC, 1);
  const mc = blockSize(M, MC, MR);
  const nc = blockSize(N, NC, NR);
  return ALIGN + roundUp(mc * kc * 4, ALIGN) + roundUp(nc * kc * 4, ALIGN) + MR * NR * 4;
}

// A whole op(B) [K×N] packed once, in the order gemm reads its panels, serves every later product
// with the same B (an RNN's recurrent weight at each time step): gemm_prepacked skips packB.
// Panel (jc, pc) sits at float offset jc·K + pc·roundUp(nc, NR) (all NC blocks but the last are full).
export function gemm_packed_b_bytes(N: i32, K: i32): i32 {
  return N <= 0 || K <= 0 ? 0 : roundUp(N, NR) * K * 4;
}

export function gemm_pack_b(transB: i32, N: i32, K: i32, B: usize, ldb: i32, dst: usize): void {
  if (N <= 0 || K <= 0) return;
  const KCb = blockSize(K, KC, 1), NCb = blockSize(N, NC, NR);
  for (let jc = 0; jc < N; jc += NCb) {
    const nc = imin(NCb, N - jc);
    for (let pc = 0; pc < K; pc += KCb) {
      packB(transB, B, ldb, pc, jc, imin(KCb, K - pc), nc, dst + (<usize>(jc * K + pc * roundUp(nc, NR)) << 2));
    }
  }
}

// gemm with B given packed by gemm_pack_b (same N and K).
export function gemm_prepacked(transA: i32, M: i32, N: i32, K: i32, A: usize, lda: i32, packedB: usize,
                               C: usize, ldc: i32, beta: f32, bias: usize, biasKind: i32, act: i32, actParam: f32, work: usize): void {
  gemmCore(transA, 0, M, N, K, A, lda, packedB, 0, true, C, ldc, beta, bias, biasKind, act, actParam, work);
}

export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32,
                     A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32,
                     beta: f32, bias: usize, biasKind: i32, act: i32, actParam: f32, work: usize): void {
  gemmCore(transA, transB, M, N, K, A, lda, B, ldb, false, C, ldc, beta, bias, biasKind, act, actParam, work);
}

@inline function gemmCore(transA: i32, transB: i32, M: i32, N: i32, K: i32,
                          A: usize, lda: i32, B: usize, ldb: i32, prepacked: bool, C: usize, ldc: i32,
                          beta: f32, bias: usize, biasKind: i32, act: i32, actParam: f32, work: usize): void {
  if (M <= 0 || N <= 0) return;
  const ldcB = <usize>ldc << 2;
  const hasEpilogue = biasKind != BIAS_NONE || act != ACT_NONE;
  if (K <= 0) { // C = beta·C, then bias and activation
    for (let i = 0; i < M; i++) {
      const row = C + <usize>i * ldcB;
      for (let j = 0; j < N; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, beta == 0 ? <f32>0 : beta * load<f32>(p));
      }
    }
    if (hasEpilogue) epilogue(C, ldc, 0, 0, M, N, bias, biasKind, act, actParam);
    return;
  }

  const KCb = blockSize(K, KC, 1);
  const MCb = blockSize(M, MC, MR);
  const NCb = blockSize(N, NC, NR);
  const packedA = alignPtr(work);
  const packedB = packedA + <usize>roundUp(MCb * KCb * 4, ALIGN);
  const edge = packedB + <usize>roundUp(NCb * KCb * 4, ALIGN);
  // Bias and activation go on final values. Over a whole MC×NC block at a time when it fits in L2:
  // called per 6×8 tile instead, the epilogue cost 2.2 ns an element on the MLP's 64×64 layer (9 us,
  // 8x the block pass). Larger blocks keep the per-tile pass, while each tile is still in L1.
  const blockEpilogue = hasEpilogue && MCb * NCb <= EPILOGUE_BLOCK_ELEMENTS;
  const tileEpilogue = hasEpilogue && !blockEpilogue;
  // When few row strips read each B strip (a conv's O = 16 output channels, an MLP's batch of 64),
  // packing B copies it for fewer uses than it saves: the kernel reads op(B) in place, one row of NR
  // floats per k. Not when rows are a multiple of 1024 floats apart unless M is tiny: all of a
  // strip's rows then fall into one L1 set and evict each other (0.77-0.80x at M = 64 with rows of
  // 1024-4096; 1.04-1.26x with rows of 128-6272 floats otherwise; 1.23-1.41x at M = 16 whatever the
  // stride; 0.97x at M = 144).
  const inPlaceB = !prepacked && transB == 0 && (M <= 4 * MR || (M <= IN_PLACE_B_MAX_M && ldb % 1024 != 0));
  const ldbB = <usize>ldb << 2;

  for (let jc = 0; jc < N; jc += NCb) {
    const nc = imin(NCb, N - jc);
    for (let pc = 0; pc < K; pc += KCb) {
      const kc = imin(KCb, K - pc);
      const b: f32 = pc == 0 ? beta : 1; // later K slabs accumulate onto the first
      const last = pc + kc == K;
      let panel = packedB;
      if (prepacked) panel = B + (<usize>(jc * K + pc * roundUp(nc, NR)) << 2);
      else if (inPlaceB) { // only a last, partial strip is packed (zero-padded)
        const full = nc & ~(NR - 1);
        if (full < nc) packB(0, B, ldb, pc, jc + full, kc, nc - full, packedB);
      } else packB(transB, B, ldb, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < M; ic += MCb) {
        const mc = imin(MCb, M - ic);
        packA(transA, A, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = imin(NR, nc - jr);
          let pb = panel + (<usize>(jr * kc) << 2), sb = <usize>(NR << 2);
          if (inPlaceB && nr == NR) { pb = B + (<usize>pc * <usize>ldb + <usize>(jc + jr)) * 4; sb = ldbB; }
          else if (inPlaceB) pb = packedB;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = imin(MR, mc - ir);
            const pa = packedA + (<usize>(ir * kc) << 2);
            const Cp = C + <usize>(ic + ir) * ldcB + (<usize>(jc + jr) << 2);
            if (mr == MR && nr == NR) {
              kernel(pa, pb, sb, kc, Cp, ldcB, b);
            } else if (nr == NR && mr <= 4) {
              kernel4(pa, pb, sb, kc, Cp, ldcB, b, mr);
            } else { // partial tile: compute into the edge buffer, merge the valid part
              kernel(pa, pb, sb, kc, edge, <usize>(NR << 2), 0);
              mergeEdge(edge, Cp, ldcB, mr, nr, b);
            }
            if (last && tileEpilogue) epilogue(Cp, ldc, ic + ir, jc + jr, mr, nr, bias, biasKind, act, actParam);
          }
        }
        if (last && blockEpilogue) epilogue(C + <usize>ic * ldcB + (<usize>jc << 2), ldc, ic, jc, mc, nc, bias, biasKind, act, actParam);
      }
    }
  }
}

// Each element is merged with the same operation storeRow applies to a full tile (beta·C + acc as
// one madd), so an element's value does not depend on whether it fell in an edge tile: thread
// slices may then start anywhere and still reproduce the one-thread result bit for bit.
function mergeEdge(edge: usize, Cp: usize, ldcB: usize, mr: i32, nr: i32, beta: f32): void {
  const vb = f32x4.splat(beta);
  for (let r = 0; r < mr; r++) {
    const src = edge + (<usize>(r * NR) << 2), dst = Cp + <usize>r * ldcB;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(src + o);
      let out = v;
      if (beta == 1) out = load<f32>(dst + o) + v;
      else if (beta != 0) out = f32x4.extract_lane(madd(vb, f32x4.splat(load<f32>(dst + o)), f32x4.splat(v)), 0);
      store<f32>(dst + o, out);
    }
  }
}

