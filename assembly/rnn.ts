// Fused recurrent-cell kernels. Elman RNN and GRU: one time step, whole batch; the TS layer does the
// GEMMs: gi = x·W_ihᵀ + b_ih, gh = h_prev·W_hhᵀ + b_hh, with PyTorch gate order stacked along the row.
// Everything there is elementwise: one pass over [B, H], SIMD over the hidden dim, scalar tails;
// sigmoid/tanh come from simd-math.ts (|rel err| ~3e-7); tails run the same code on one lane.
// LSTM runs a whole sequence per call, recurrent product included (see below).
import { vsigmoid, vtanh, sigmoid1, tanh1 } from './simd-math';

@inline function f32p(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

@inline function ld(base: usize, i: i32): v128 {
  return v128.load(f32p(base, i));
}

@inline function st(base: usize, i: i32, v: v128): void {
  v128.store(f32p(base, i), v);
}

@inline function lds(base: usize, i: i32): f32 {
  return load<f32>(f32p(base, i));
}

@inline function sts(base: usize, i: i32, v: f32): void {
  store<f32>(f32p(base, i), v);
}

// ---- Elman RNN ----

// rnn_elman_fwd(gi, gh, B, H, relu, h)
//   gi, gh f32 [B, H]; h f32 [B, H] OVERWRITTEN with act(gi + gh), act = relu if relu else tanh.
//   h may alias gi or gh.
export function rnn_elman_fwd(gi: usize, gh: usize, B: i32, H: i32, relu: bool, h: usize): void {
  const n = B * H; // rows are contiguous: one flat pass
  let i = 0;
  if (relu) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) st(h, i, f32x4.max(f32x4.add(ld(gi, i), ld(gh, i)), z));
    for (; i < n; i++) sts(h, i, max<f32>(lds(gi, i) + lds(gh, i), 0));
  } else {
    for (; i + 4 <= n; i += 4) st(h, i, vtanh(f32x4.add(ld(gi, i), ld(gh, i))));
    for (; i < n; i++) sts(h, i, tanh1(lds(gi, i) + lds(gh, i)));
  }
}

// rnn_elman_bwd(dh, h, B, H, relu, dpre)
//   dh: total gradient wrt this step's h [B, H]; h: this step's output [B, H].
//   dpre [B, H] OVERWRITTEN with the gradient wrt the pre-activation (= dgi = dgh):
//   dh * (1 - h²) for tanh, dh * (h > 0) for relu. dpre may alias dh.
export function rnn_elman_bwd(dh: usize, h: usize, B: i32, H: i32, relu: bool, dpre: usize): void {
  const n = B * H;
  let i = 0;
  if (relu) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) st(dpre, i, v128.and(ld(dh, i), f32x4.gt(ld(h, i), z)));
    for (; i < n; i++) sts(dpre, i, lds(h, i) > 0 ? lds(dh, i) : 0);
  } else {
    const one = f32x4.splat(1.0);
    for (; i + 4 <= n; i += 4) {
      const y = ld(h, i);
      st(dpre, i, f32x4.mul(ld(dh, i), f32x4.sub(one, f32x4.mul(y, y))));
    }
    for (; i < n; i++) {
      const y = lds(h, i);
      sts(dpre, i, lds(dh, i) * (1 - y * y));
    }
  }
}

// ---- LSTM (gates i, f, g, o stacked along 4H) ----

// One step of the cell's backward for B rows (rnn_lstm_seq_bwd's per-step body):
//   dh f32 [B, H]: total grad wrt this step's h; dc f32 [B, H]: grad flowing into c from step t+1
//   (required); gates [B, 4H] as left by rnn_lstm_seq_fwd; cPrev, c [B, H] this step's states.
//   tanh(c) is recomputed with rtanh, as the forward computed it.
//   OVERWRITES dpre [B, 4H] with d(pre-activations) (i, f, g, o order) and dcPrev [B, H] with the
//   grad into cPrev. dpre may alias gates; dcPrev may alias dc.
@inline function lstmBwdRows(
  dh: usize, dc: usize, gates: usize, cPrev: usize, c: usize, B: i32, H: i32, dpre: usize, dcPrev: usize,
): void {
  const G = 4 * H;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const gt = f32p(gates, b * G), dp = f32p(dpre, b * G);
    const dhb = f32p(dh, b * H), dcb = f32p(dc, b * H);
    const cp = f32p(cPrev, b * H), cc = f32p(c, b * H), dcp = f32p(dcPrev, b * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const ig = ld(gt, j), fg = ld(gt, H + j), gg = ld(gt, 2 * H + j), og = ld(gt, 3 * H + j);
      const g = ld(dhb, j);
      const tc = rtanh(ld(cc, j));
      const dct = f32x4.add(f32x4.mul(f32x4.mul(g, og), f32x4.sub(one, f32x4.mul(tc, tc))), ld(dcb, j));
      st(dp, j, f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(ig, f32x4.sub(one, ig))));
      st(dp, H + j, f32x4.mul(f32x4.mul(dct, ld(cp, j)), f32x4.mul(fg, f32x4.sub(one, fg))));
      st(dp, 2 * H + j, f32x4.mul(f32x4.mul(dct, ig), f32x4.sub(one, f32x4.mul(gg, gg))));
      st(dp, 3 * H + j, f32x4.mul(f32x4.mul(g, tc), f32x4.mul(og, f32x4.sub(one, og))));
      st(dcp, j, f32x4.mul(dct, fg));
    }
    for (; j < H; j++) {
      const ig = lds(gt, j), fg = lds(gt, H + j), gg = lds(gt, 2 * H + j), og = lds(gt, 3 * H + j);
      const g = lds(dhb, j);
      const tc = rtanh1(lds(cc, j));
      const dct = g * og * (1 - tc * tc) + lds(dcb, j);
      sts(dp, j, dct * gg * ig * (1 - ig));
      sts(dp, H + j, dct * lds(cp, j) * fg * (1 - fg));
      sts(dp, 2 * H + j, dct * ig * (1 - gg * gg));
      sts(dp, 3 * H + j, g * tc * og * (1 - og));
      sts(dcp, j, dct * fg);
    }
  }
}

// ---- GRU (gates r, z, n stacked along 3H) ----

// rnn_gru_fwd(gi, gh, hPrev, B, H, saved, h)
//   gi, gh f32 [B, 3H] pre-activations (b_ih in gi, b_hh in gh, as PyTorch); hPrev f32 [B, H].
//   r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r*gh_n), h = (1-z)*n + z*hPrev.
//   OVERWRITES saved f32 [B, 4H] with rows (r, z, n, gh_n) and h [B, H]. h may alias hPrev.
export function rnn_gru_fwd(gi: usize, gh: usize, hPrev: usize, B: i32, H: i32, saved: usize, h: usize): void {
  const G = 3 * H;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const xi = f32p(gi, b * G), hi = f32p(gh, b * G), sv = f32p(saved, b * 4 * H);
    const hp = f32p(hPrev, b * H), hh = f32p(h, b * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = vsigmoid(f32x4.add(ld(xi, j), ld(hi, j)));
      const z = vsigmoid(f32x4.add(ld(xi, H + j), ld(hi, H + j)));
      const hn = ld(hi, 2 * H + j);
      const n = vtanh(f32x4.add(ld(xi, 2 * H + j), f32x4.mul(r, hn)));
      const y = f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, ld(hp, j)));
      st(sv, j, r); st(sv, H + j, z); st(sv, 2 * H + j, n); st(sv, 3 * H + j, hn);
      st(hh, j, y);
    }
    for (; j < H; j++) {
      const r: f32 = sigmoid1(lds(xi, j) + lds(hi, j));
      const z: f32 = sigmoid1(lds(xi, H + j) + lds(hi, H + j));
      const hn = lds(hi, 2 * H + j);
      const n: f32 = tanh1(lds(xi, 2 * H + j) + r * hn);
      const y: f32 = (1 - z) * n + z * lds(hp, j);
      sts(sv, j, r); sts(sv, H + j, z); sts(sv, 2 * H + j, n); sts(sv, 3 * H + j, hn);
      sts(hh, j, y);
    }
  }
}

// rnn_gru_bwd(dh, saved, hPrev, B, H, dgi, dgh, dhPrev)
//   dh f32 [B, H]: total grad wrt this step's h; saved [B, 4H] from rnn_gru_fwd; hPrev [B, H].
//   OVERWRITES dgi [B, 3H] (grad wrt gi = x·W_ihᵀ + b_ih), dgh [B, 3H] (grad wrt gh = h·W_hhᵀ + b_hh;
//   r and z parts equal dgi's, n part is dgi_n * r) and dhPrev [B, H] with only the direct
//   term z*dh: the caller then ACCUMULATES dgh·W_hh into dhPrev (gemm with beta = 1).
//   dhPrev may alias dh.
export function rnn_gru_bwd(dh: usize, saved: usize, hPrev: usize, B: i32, H: i32, dgi: usize, dgh: usize, dhPrev: usize): void {
  const G = 3 * H;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const sv = f32p(saved, b * 4 * H), di = f32p(dgi, b * G), dg = f32p(dgh, b * G);
    const dhb = f32p(dh, b * H), hp = f32p(hPrev, b * H), dhp = f32p(dhPrev, b * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = ld(sv, j), z = ld(sv, H + j), n = ld(sv, 2 * H + j), hn = ld(sv, 3 * H + j);
      const g = ld(dhb, j);
      const dn = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dz = f32x4.mul(f32x4.mul(g, f32x4.sub(ld(hp, j), n)), f32x4.mul(z, f32x4.sub(one, z)));
      const dr = f32x4.mul(f32x4.mul(dn, hn), f32x4.mul(r, f32x4.sub(one, r)));
      st(di, j, dr); st(di, H + j, dz); st(di, 2 * H + j, dn);
      st(dg, j, dr); st(dg, H + j, dz); st(dg, 2 * H + j, f32x4.mul(dn, r));
      st(dhp, j, f32x4.mul(g, z));
    }
    for (; j < H; j++) {
      const r = lds(sv, j), z = lds(sv, H + j), n = lds(sv, 2 * H + j), hn = lds(sv, 3 * H + j);
      const g = lds(dhb, j);
      const dn = g * (1 - z) * (1 - n * n);
      const dz = g * (lds(hp, j) - n) * z * (1 - z);
      const dr = dn * hn * r * (1 - r);
      sts(di, j, dr); sts(di, H + j, dz); sts(di, 2 * H + j, dn);
      sts(dg, j, dr); sts(dg, H + j, dz); sts(dg, 2 * H + j, dn * r);
      sts(dhp, j, g * z);
    }
  }
}

// ---- LSTM over a whole sequence (one wasm call per direction, per thread) ----
//
// The time loop runs here, so JS is not entered per step: each step multiplies h_prev by W_hhᵀ and
// applies the cell in the same pass. Rows of the batch never interact, so a call takes a slice of
// rows [r0, r0+rows) through every step: two threads run two slices with no per-step barrier, and
// every element sees the same operations in the same order whatever the slicing (bit-identical).
// The products use a 2-row × 16-column register tile (8 accumulators), A read in place (h_prev rows
// are short and stay in L1) and B packed in 16-wide strips so one strip (K × 64 bytes) stays in L1
// while every row pair of the slice passes over it.

const STRIP: i32 = 16; // columns per packed strip: 4 vectors

@inline function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// The sequence kernels' tanh: Eigen's / MLAS's odd rational p(x)/q(x) of degrees 13/6, clamped at
// ±7.9053 where tanh rounds to ±1 in f32. |rel err| <= 4e-7 (fused or not), like vtanh's 3e-7, at
// about a third of its work (no exp, one division); the cell evaluates five of these per element,
// which made it nearly as slow as the recurrent product. NaN propagates (f32x4.min/max), -0 stays -0.
@inline function rtanh(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(7.90531110763549805)), f32x4.splat(-7.90531110763549805));
  const z = f32x4.mul(x, x);
  let p = madd4(f32x4.splat(-2.76076847742355e-16), z, f32x4.splat(2.00018790482477e-13));
  p = madd4(p, z, f32x4.splat(-8.60467152213735e-11));
  p = madd4(p, z, f32x4.splat(5.12229709037114e-08));
  p = madd4(p, z, f32x4.splat(1.48572235717979e-05));
  p = madd4(p, z, f32x4.splat(6.37261928875436e-04));
  p = madd4(p, z, f32x4.splat(4.89352455891786e-03));
  let q = madd4(f32x4.splat(1.19825839466702e-06), z, f32x4.splat(1.18534705686654e-04));
  q = madd4(q, z, f32x4.splat(2.26843463243900e-03));
  q = madd4(q, z, f32x4.splat(4.89352518554385e-03));
  return f32x4.div(f32x4.mul(p, x), q);
}

// σ(x) = (1 + tanh(x/2)) / 2: |abs err| <= 2e-7 (relative accuracy is lost only where σ < ~1e-6).
@inline function rsigmoid(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return madd4(half, rtanh(f32x4.mul(x, half)), half);
}

// One value through the vector code (tails get exactly what a full vector's lane would).
@inline function rtanh1(x: f32): f32 { return f32x4.extract_lane(rtanh(f32x4.splat(x)), 0); }
@inline function rsigmoid1(x: f32): f32 { return f32x4.extract_lane(rsigmoid(f32x4.splat(x)), 0); }

// tile[0..3] (row a0) and, when two, tile[4..7] (row a1) = Σ_k a[k] · strip[k][0..15] for k < kc.
// a0, a1: row starts (k contiguous); pb: kc × 16 floats. Each output element is the same sequence
// of multiply-adds in k order with one row or two.
function tile2x16(a0: usize, a1: usize, two: bool, pb: usize, kc: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  if (two) {
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
    for (let k = 0; k < kc; k++) {
      const o = <usize>k << 2;
      const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
      let a = v128.load32_splat(a1 + o);
      c10 = madd4(a, b0, c10); c11 = madd4(a, b1, c11); c12 = madd4(a, b2, c12); c13 = madd4(a, b3, c13);
      a = v128.load32_splat(a0 + o);
      c00 = madd4(a, b0, c00); c01 = madd4(a, b1, c01); c02 = madd4(a, b2, c02); c03 = madd4(a, b3, c03);
      pb += <usize>(STRIP << 2);
    }
    v128.store(tile, c10, 64); v128.store(tile, c11, 80); v128.store(tile, c12, 96); v128.store(tile, c13, 112);
  } else {
    for (let k = 0; k < kc; k++) {
      const a = v128.load32_splat(a0 + (<usize>k << 2));
      c00 = madd4(a, v128.load(pb), c00); c01 = madd4(a, v128.load(pb, 16), c01);
      c02 = madd4(a, v128.load(pb, 32), c02); c03 = madd4(a, v128.load(pb, 48), c03);
      pb += <usize>(STRIP << 2);
    }
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c02, 32); v128.store(tile, c03, 48);
}

// Bytes of rnn_lstm_pack_fwd's or rnn_lstm_pack_bwd's output for hidden size H (the larger of the
// two: the forward pads H to a multiple of 4 units, the backward to a multiple of 16 columns).
export function rnn_lstm_packed_bytes(H: i32): i32 {
  const fwd = ((H + 3) >> 2) * STRIP * H, bwd = ((H + STRIP - 1) / STRIP) * 4 * H * STRIP;
  return 4 * max(fwd, bwd);
}

// rnn_lstm_pack_fwd(whh, H, dst): W_hh [4H, H] (PyTorch layout, rows i,f,g,o) as the forward's
// B = W_hhᵀ in strips of 4 hidden units × 4 gates: dst[(u4·H + k)·16 + g·4 + l] = W_hh[g·H + 4·u4 + l][k]
// (zero past H). One strip then yields all four gates of 4 hidden units.
export function rnn_lstm_pack_fwd(whh: usize, H: i32, dst: usize): void {
  const units = (H + 3) >> 2;
  for (let u4 = 0; u4 < units; u4++) {
    for (let k = 0; k < H; k++) {
      const d = f32p(dst, (u4 * H + k) * STRIP);
      for (let g = 0; g < 4; g++) {
        for (let l = 0; l < 4; l++) {
          const j = 4 * u4 + l;
          sts(d, g * 4 + l, j < H ? lds(whh, (g * H + j) * H + k) : 0);
        }
      }
    }
  }
}

// rnn_lstm_pack_bwd(whh, H, dst): W_hh [4H, H] as the backward's B (dh_prev = dgates · W_hh, K = 4H)
// in 16-column strips: dst[(s·4H + k)·16 + l] = W_hh[k][16·s + l] (zero past H).
export function rnn_lstm_pack_bwd(whh: usize, H: i32, dst: usize): void {
  const strips = (H + STRIP - 1) / STRIP, K = 4 * H;
  for (let s = 0; s < strips; s++) {
    for (let k = 0; k < K; k++) {
      const d = f32p(dst, (s * K + k) * STRIP);
      for (let l = 0; l < STRIP; l++) {
        const j = STRIP * s + l;
        sts(d, l, j < H ? lds(whh, k * H + j) : 0);
      }
    }
  }
}

// One row's cell for hidden units j..j+n (n <= 4) of one strip: acc = that row's 4 gate vectors of
// h_prev·W_hhᵀ (tile). pre = gi + (acc + b_hh); gates written over gi; c, h written.
@inline function lstmCellStrip(acc: usize, git: usize, bhh: usize, cp: usize, cc: usize, hh: usize, H: i32, j: i32, n: i32): void {
  if (n == 4) {
    let pi = f32x4.add(ld(acc, 0), bhh ? ld(bhh, j) : f32x4.splat(0));
    let pf = f32x4.add(ld(acc, 4), bhh ? ld(bhh, H + j) : f32x4.splat(0));
    let pg = f32x4.add(ld(acc, 8), bhh ? ld(bhh, 2 * H + j) : f32x4.splat(0));
    let po = f32x4.add(ld(acc, 12), bhh ? ld(bhh, 3 * H + j) : f32x4.splat(0));
    const ig = rsigmoid(f32x4.add(ld(git, j), pi));
    const fg = rsigmoid(f32x4.add(ld(git, H + j), pf));
    const gg = rtanh(f32x4.add(ld(git, 2 * H + j), pg));
    const og = rsigmoid(f32x4.add(ld(git, 3 * H + j), po));
    const cn = f32x4.add(f32x4.mul(fg, ld(cp, j)), f32x4.mul(ig, gg));
    st(git, j, ig); st(git, H + j, fg); st(git, 2 * H + j, gg); st(git, 3 * H + j, og);
    st(cc, j, cn);
    st(hh, j, f32x4.mul(og, rtanh(cn)));
  } else {
    for (let l = 0; l < n; l++) {
      const q = j + l;
      const ig = rsigmoid1(lds(git, q) + (lds(acc, l) + (bhh ? lds(bhh, q) : 0)));
      const fg = rsigmoid1(lds(git, H + q) + (lds(acc, 4 + l) + (bhh ? lds(bhh, H + q) : 0)));
      const gg = rtanh1(lds(git, 2 * H + q) + (lds(acc, 8 + l) + (bhh ? lds(bhh, 2 * H + q) : 0)));
      const og = rsigmoid1(lds(git, 3 * H + q) + (lds(acc, 12 + l) + (bhh ? lds(bhh, 3 * H + q) : 0)));
      const cn = fg * lds(cp, q) + ig * gg;
      sts(git, q, ig); sts(git, H + q, fg); sts(git, 2 * H + q, gg); sts(git, 3 * H + q, og);
      sts(cc, q, cn);
      sts(hh, q, og * rtanh1(cn));
    }
  }
}

// rnn_lstm_seq_fwd(T, B, r0, rows, H, reverse, gi, whhPacked, bhh, states, work)
//   gi f32 [T, B, 4H]: x·W_ihᵀ for every step, OVERWRITTEN with the activated gates
//   (σ(i), σ(f), tanh(g), σ(o)) that rnn_lstm_seq_bwd reads. whhPacked from rnn_lstm_pack_fwd;
//   bhh [4H] or 0: the bias added to h·W_hhᵀ (the op passes b_ih + b_hh). states f32: h slots [T+1, B, H] then c slots [T+1, B, H]; forward reads slot t
//   and writes slot t+1 at step t, reverse (t from T-1 down) reads slot t+1 and writes slot t, so the
//   initial state must be in slot 0 (forward) or T (reverse). Only rows [r0, r0+rows) are touched.
//   work: 128 bytes, 16-byte aligned, private to the calling thread.
export function rnn_lstm_seq_fwd(T: i32, B: i32, r0: i32, rows: i32, H: i32, reverse: bool,
                                 gi: usize, whhPacked: usize, bhh: usize, states: usize, work: usize): void {
  const G = 4 * H, BH = B * H, units = (H + 3) >> 2;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t, out = reverse ? t : t + 1;
    const hPrev = f32p(states, prev * BH), hOut = f32p(states, out * BH);
    const cPrev = f32p(states, (T + 1 + prev) * BH), cOut = f32p(states, (T + 1 + out) * BH);
    const giT = f32p(gi, t * B * G);
    for (let u4 = 0; u4 < units; u4++) {
      const pb = f32p(whhPacked, u4 * H * STRIP), j = u4 * 4, n = min(4, H - j);
      for (let r = r0; r < r0 + rows; r += 2) {
        const two = r + 1 < r0 + rows;
        tile2x16(f32p(hPrev, r * H), f32p(hPrev, (r + 1) * H), two, pb, H, work);
        lstmCellStrip(work, f32p(giT, r * G), bhh, f32p(cPrev, r * H), f32p(cOut, r * H), f32p(hOut, r * H), H, j, n);
        if (two) lstmCellStrip(work + 64, f32p(giT, (r + 1) * G), bhh, f32p(cPrev, (r + 1) * H), f32p(cOut, (r + 1) * H), f32p(hOut, (r + 1) * H), H, j, n);
      }
    }
  }
}

// rnn_lstm_seq_bwd(T, B, r0, rows, H, reverse, gates, states, gStates, whhPacked, dgates, dh, dc, work)
//   Backward through time over rows [r0, r0+rows). gates [T, B, 4H] and states as left by
//   rnn_lstm_seq_fwd; gStates: the gradient of the states block (same layout; its h slots give
//   dL/dh_t directly, the c slots are not read); whhPacked from rnn_lstm_pack_bwd.
//   OVERWRITES dgates [T, B, 4H] with d(pre-activations) of every step. dh [B, H]: in, 0 or the
//   gradient already reaching the last state from outside (ignored: pass zeros), out: grad wrt h0.
//   dc [B, H]: in, grad wrt the final c; out, grad wrt c0. work as for the forward.
export function rnn_lstm_seq_bwd(T: i32, B: i32, r0: i32, rows: i32, H: i32, reverse: bool, gates: usize, states: usize,
                                 gStates: usize, whhPacked: usize, dgates: usize, dh: usize, dc: usize, work: usize): void {
  const G = 4 * H, BH = B * H, strips = (H + STRIP - 1) / STRIP;
  const sliceH = f32p(dh, r0 * H), sliceC = f32p(dc, r0 * H), n = rows * H;
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t, out = reverse ? t : t + 1;
    // dh_t = dL/dh_t (direct) + what step t+1 sent back
    const gh = f32p(gStates, out * BH + r0 * H);
    let i = 0;
    for (; i + 4 <= n; i += 4) st(sliceH, i, f32x4.add(ld(sliceH, i), ld(gh, i)));
    for (; i < n; i++) sts(sliceH, i, lds(sliceH, i) + lds(gh, i));
    const dgT = f32p(dgates, t * B * G);
    lstmBwdRows(sliceH, sliceC, f32p(gates, (t * B + r0) * G), f32p(states, (T + 1 + prev) * BH + r0 * H),
                f32p(states, (T + 1 + out) * BH + r0 * H), rows, H, f32p(dgT, r0 * G), sliceC);
    // dh_prev = dgates_t · W_hh, one 16-column strip at a time
    for (let sc = 0; sc < strips; sc++) {
      const pb = f32p(whhPacked, sc * G * STRIP), j = sc * STRIP, w = min(STRIP, H - j);
      for (let r = r0; r < r0 + rows; r += 2) {
        const two = r + 1 < r0 + rows;
        tile2x16(f32p(dgT, r * G), f32p(dgT, (r + 1) * G), two, pb, G, work);
        const nRows: i32 = two ? 2 : 1;
        for (let q = 0; q < nRows; q++) {
          const d = f32p(dh, (r + q) * H + j), tl = work + <usize>(q * 64);
          if (w == STRIP) {
            v128.store(d, v128.load(tl)); v128.store(d, v128.load(tl, 16), 16);
            v128.store(d, v128.load(tl, 32), 32); v128.store(d, v128.load(tl, 48), 48);
          } else {
            for (let l = 0; l < w; l++) sts(d, l, lds(tl, l));
          }
        }
      }
    }
  }
}
