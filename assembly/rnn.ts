// Fused recurrent-cell kernels (one time step, whole batch). The TS layer does the GEMMs:
//   gi = x·W_ihᵀ + b_ih, gh = h_prev·W_hhᵀ + b_hh, with PyTorch gate order stacked along the row.
// Everything here is elementwise: one pass over [B, H], SIMD over the hidden dim, scalar tails.
// sigmoid/tanh come from simd-math.ts (|rel err| ~3e-7); tails run the same code on one lane.
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

// rnn_lstm_fwd(gi, gh, cPrev, B, H, gates, c, h)
//   gi, gh f32 [B, 4H] pre-activations (biases already added); cPrev f32 [B, H].
//   OVERWRITES gates [B, 4H] with the activated (σ(i), σ(f), tanh(g), σ(o)) — gates may alias gi or gh —
//   c [B, H] = f*cPrev + i*g and h [B, H] = o*tanh(c). c may alias cPrev only if backward does not need cPrev.
export function rnn_lstm_fwd(gi: usize, gh: usize, cPrev: usize, B: i32, H: i32, gates: usize, c: usize, h: usize): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const xi = f32p(gi, b * G), hi = f32p(gh, b * G), gt = f32p(gates, b * G);
    const cp = f32p(cPrev, b * H), cc = f32p(c, b * H), hh = f32p(h, b * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const ig = vsigmoid(f32x4.add(ld(xi, j), ld(hi, j)));
      const fg = vsigmoid(f32x4.add(ld(xi, H + j), ld(hi, H + j)));
      const gg = vtanh(f32x4.add(ld(xi, 2 * H + j), ld(hi, 2 * H + j)));
      const og = vsigmoid(f32x4.add(ld(xi, 3 * H + j), ld(hi, 3 * H + j)));
      const cn = f32x4.add(f32x4.mul(fg, ld(cp, j)), f32x4.mul(ig, gg));
      st(gt, j, ig); st(gt, H + j, fg); st(gt, 2 * H + j, gg); st(gt, 3 * H + j, og);
      st(cc, j, cn);
      st(hh, j, f32x4.mul(og, vtanh(cn)));
    }
    for (; j < H; j++) {
      const ig = sigmoid1(lds(xi, j) + lds(hi, j));
      const fg = sigmoid1(lds(xi, H + j) + lds(hi, H + j));
      const gg = tanh1(lds(xi, 2 * H + j) + lds(hi, 2 * H + j));
      const og = sigmoid1(lds(xi, 3 * H + j) + lds(hi, 3 * H + j));
      const cn = fg * lds(cp, j) + ig * gg;
      sts(gt, j, ig); sts(gt, H + j, fg); sts(gt, 2 * H + j, gg); sts(gt, 3 * H + j, og);
      sts(cc, j, cn);
      sts(hh, j, og * tanh1(cn));
    }
  }
}

// rnn_lstm_bwd(dh, dc, gates, cPrev, c, B, H, dpre, dcPrev)
//   dh f32 [B, H]: total grad wrt this step's h; dc f32 [B, H]: grad flowing into c from step t+1
//   (pass 0 for none/zero); gates [B, 4H] saved by rnn_lstm_fwd; cPrev, c [B, H] this step's states.
//   OVERWRITES dpre [B, 4H] with d(pre-activations) (i, f, g, o order; = dgi = dgh) and
//   dcPrev [B, H] with the grad into cPrev. dpre may alias gates; dcPrev may alias dc.
export function rnn_lstm_bwd(
  dh: usize, dc: usize, gates: usize, cPrev: usize, c: usize, B: i32, H: i32, dpre: usize, dcPrev: usize,
): void {
  const G = 4 * H;
  const one = f32x4.splat(1.0);
  const hasDc = dc != 0;
  for (let b = 0; b < B; b++) {
    const gt = f32p(gates, b * G), dp = f32p(dpre, b * G);
    const dhb = f32p(dh, b * H), dcb = f32p(dc, b * H);
    const cp = f32p(cPrev, b * H), cc = f32p(c, b * H), dcp = f32p(dcPrev, b * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const ig = ld(gt, j), fg = ld(gt, H + j), gg = ld(gt, 2 * H + j), og = ld(gt, 3 * H + j);
      const g = ld(dhb, j);
      const tc = vtanh(ld(cc, j));
      let dct = f32x4.mul(f32x4.mul(g, og), f32x4.sub(one, f32x4.mul(tc, tc)));
      if (hasDc) dct = f32x4.add(dct, ld(dcb, j));
      st(dp, j, f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(ig, f32x4.sub(one, ig))));
      st(dp, H + j, f32x4.mul(f32x4.mul(dct, ld(cp, j)), f32x4.mul(fg, f32x4.sub(one, fg))));
      st(dp, 2 * H + j, f32x4.mul(f32x4.mul(dct, ig), f32x4.sub(one, f32x4.mul(gg, gg))));
      st(dp, 3 * H + j, f32x4.mul(f32x4.mul(g, tc), f32x4.mul(og, f32x4.sub(one, og))));
      st(dcp, j, f32x4.mul(dct, fg));
    }
    for (; j < H; j++) {
      const ig = lds(gt, j), fg = lds(gt, H + j), gg = lds(gt, 2 * H + j), og = lds(gt, 3 * H + j);
      const g = lds(dhb, j);
      const tc = tanh1(lds(cc, j));
      let dct = g * og * (1 - tc * tc);
      if (hasDc) dct += lds(dcb, j);
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
