// Pooling kernels, NCHW, over NC = N*C independent planes per call. float32 data, int32 indices.
// Output sizes come from the caller (pool_out_size below implements PyTorch's rule).
// Windows are short (2-3 taps), so loops are scalar with window bounds clipped once per output.
import { ceilDiv, f32p, highOut, lowOut } from './windows';

// floor(a / b) for b > 0 and any sign of a.
@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// pool_out_size(in, k, pad, stride, dil, ceilMode) -> i32
//   PyTorch pooling_output_shape: floor-or-ceil((in + 2*pad - dil*(k-1) - 1) / stride) + 1,
//   and in ceil mode the last window must start inside the input or left padding
//   (if (out-1)*stride >= in + pad, drop it). For avg pool pass dil = 1.
export function pool_out_size(inSize: i32, k: i32, pad: i32, stride: i32, dil: i32, ceilMode: bool): i32 {
  const span = inSize + 2 * pad - dil * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = floorDiv(span, stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

// First / one-past-last tap k with 0 <= base + k*d < size (no division in the common d == 1 case).
@inline function tapLo(base: i32, d: i32): i32 {
  return d == 1 ? max(-base, 0) : max(ceilDiv(-base, d), 0);
}
@inline function tapHi(base: i32, d: i32, size: i32, K: i32): i32 {
  return min(d == 1 ? size - base : ceilDiv(size - base, d), K);
}

// 4 outputs' taps: contiguous for stride 1, even lanes of 8 floats for stride 2.
@inline function ld4(p: usize, stride2: bool): v128 {
  return stride2 ? v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6) : v128.load(p);
}

// One max-pool output with the window clipped to taps [kiLo, kiHi) x [kjLo, kjHi).
@inline function maxOne(
  plane: usize, W: i32, ih0: i32, kiLo: i32, kiHi: i32, dilH: i32, iw0: i32, kjLo: i32, kjHi: i32, dilW: i32,
  out: usize, ind: usize, o: i32,
): void {
  let m = -Infinity as f32;
  let mi = -1;
  for (let ki = kiLo; ki < kiHi; ki++) {
    const r = (ih0 + ki * dilH) * W + iw0;
    for (let kj = kjLo; kj < kjHi; kj++) {
      const i = r + kj * dilW;
      const v = load<f32>(f32p(plane, i));
      if (v > m || v != v || mi < 0) { m = v; mi = i; }
    }
  }
  store<f32>(f32p(out, o), m);
  store<i32>(f32p(ind, o), mi);
}

// 4 adjacent interior max-pool outputs (stride 1 or 2), same tap order and tie/NaN rules as maxOne.
@inline function maxBlock(
  plane: usize, W: i32, ih0: i32, kiLo: i32, kiHi: i32, dilH: i32, iw0: i32, kW: i32, dilW: i32,
  out: usize, ind: usize, o: i32, stride2: bool,
): void {
  const lanes = stride2 ? i32x4(0, 2, 4, 6) : i32x4(0, 1, 2, 3);
  const r0 = (ih0 + kiLo * dilH) * W + iw0;
  let m = ld4(f32p(plane, r0), stride2);
  let mi = i32x4.add(i32x4.splat(r0), lanes);
  for (let ki = kiLo; ki < kiHi; ki++) {
    const r = (ih0 + ki * dilH) * W + iw0;
    for (let kj = select(1, 0, ki == kiLo); kj < kW; kj++) {
      const i = r + kj * dilW;
      const v = ld4(f32p(plane, i), stride2);
      const take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
      m = v128.bitselect(v, m, take);
      mi = v128.bitselect(i32x4.add(i32x4.splat(i), lanes), mi, take);
    }
  }
  v128.store(f32p(out, o), m);
  v128.store(f32p(ind, o), mi);
}

// The common 2x2 window, stride 2, no padding or dilation, with outputs 2*outH <= H, 2*outW <= W and
// outW >= 4: every window lies inside the plane, so each output row is whole 4-lane vectors (the
// last one overlaps the one before and rewrites the same values).
@inline function isPlain2x2(
  H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
): bool {
  return kH == 2 && kW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0 && dilH == 1 && dilW == 1 &&
    2 * outH <= H && 2 * outW <= W && outW >= 4;
}

// The four taps are the even and odd lanes of two input rows, taken in maxBlock's order with its
// tie and NaN rules.
function maxPool2x2(src: usize, NC: i32, H: i32, W: i32, outH: i32, outW: i32, dst: usize, idx: usize): void {
  const HW = H * W, OL = outH * outW;
  const even = i32x4(0, 2, 4, 6);
  for (let p = 0; p < NC; p++) {
    const plane = f32p(src, p * HW), out = f32p(dst, p * OL), ind = f32p(idx, p * OL);
    for (let oh = 0; oh < outH; oh++) {
      const r0 = 2 * oh * W, orow = oh * outW;
      const top = f32p(plane, r0), bottom = f32p(plane, r0 + W);
      for (let ow0 = 0; ow0 < outW; ow0 += 4) {
        const ow = min(ow0, outW - 4);
        const t0 = v128.load(f32p(top, 2 * ow)), t1 = v128.load(f32p(top, 2 * ow), 16);
        const b0 = v128.load(f32p(bottom, 2 * ow)), b1 = v128.load(f32p(bottom, 2 * ow), 16);
        let m = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
        let mi = i32x4.add(i32x4.splat(r0 + 2 * ow), even);
        let v = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
        let take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
        m = v128.bitselect(v, m, take);
        const i1 = i32x4.add(mi, i32x4.splat(1));
        mi = v128.bitselect(i1, mi, take);
        v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
        m = v128.bitselect(v, m, take);
        const i2 = i32x4.add(i1, i32x4.splat(W - 1));
        mi = v128.bitselect(i2, mi, take);
        v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
        m = v128.bitselect(v, m, take);
        mi = v128.bitselect(i32x4.add(i2, i32x4.splat(1)), mi, take);
        v128.store(f32p(out, orow + ow), m);
        v128.store(f32p(ind, orow + ow), mi);
      }
    }
  }
}

// pool_max2d_fwd(src, NC, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dst, idx)
//   src f32 [NC, H, W]; dst f32 [NC, outH, outW] and idx i32 [NC, outH, outW] are OVERWRITTEN.
//   Padding counts as -inf. idx is the flat h*W + w within the plane (PyTorch's return_indices);
//   ties keep the first tap in row-major window order; NaN wins (propagates) like PyTorch.
//   A window with no tap inside the input (only possible with dilation > 1) gives -inf and idx -1
//   (PyTorch writes an out-of-plane index there).
export function pool_max2d_fwd(
  src: usize, NC: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, idx: usize,
): void {
  if (isPlain2x2(H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW)) {
    maxPool2x2(src, NC, H, W, outH, outW, dst, idx);
    return;
  }
  const HW = H * W;
  const OL = outH * outW;
  const lastOff = (kW - 1) * dilW - padW;
  const inLo = lowOut(-padW, strideW, outW);
  const inHi = highOut(lastOff, strideW, W, inLo, outW);
  for (let p = 0; p < NC; p++) {
    const plane = f32p(src, p * HW);
    const out = f32p(dst, p * OL);
    const ind = f32p(idx, p * OL);
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padH;
      const kiLo = tapLo(ih0, dilH);
      const kiHi = tapHi(ih0, dilH, H, kH);
      const o0 = oh * outW;
      let ow = 0;
      for (; ow < inLo; ow++) {
        const iw0 = ow * strideW - padW;
        maxOne(plane, W, ih0, kiLo, kiHi, dilH, iw0, tapLo(iw0, dilW), tapHi(iw0, dilW, W, kW), dilW, out, ind, o0 + ow);
      }
      if (kiLo < kiHi) {
        if (strideW == 1) {
          for (; ow + 4 <= inHi; ow += 4) maxBlock(plane, W, ih0, kiLo, kiHi, dilH, ow - padW, kW, dilW, out, ind, o0 + ow, false);
        } else if (strideW == 2) {
          for (; ow + 4 <= inHi && 2 * ow + lastOff + 8 <= W; ow += 4) {
            maxBlock(plane, W, ih0, kiLo, kiHi, dilH, 2 * ow - padW, kW, dilW, out, ind, o0 + ow, true);
          }
        }
      }
      for (; ow < inHi; ow++) maxOne(plane, W, ih0, kiLo, kiHi, dilH, ow * strideW - padW, 0, kW, dilW, out, ind, o0 + ow);
      for (; ow < outW; ow++) {
        const iw0 = ow * strideW - padW;
        maxOne(plane, W, ih0, kiLo, kiHi, dilH, iw0, tapLo(iw0, dilW), tapHi(iw0, dilW, W, kW), dilW, out, ind, o0 + ow);
      }
    }
  }
}

// pool_max2d_bwd(dy, idx, NC, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dx)
//   dy f32 [NC, outH, outW], idx i32 [NC, outH, outW] from pool_max2d_fwd with the same window;
//   dx f32 [NC, H, W] is OVERWRITTEN: each plane is zeroed, then dx[p, idx] += dy (while the plane
//   is in L1: no separate fill pass over dx). Indices outside [0, H*W) are skipped.
export function pool_max2d_bwd(
  dy: usize, idx: usize, NC: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dx: usize,
): void {
  if (isPlain2x2(H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW)) {
    maxUnpool2x2(dy, idx, NC, H, W, outH, outW, dx);
    return;
  }
  const HW = H * W;
  const OL = outH * outW;
  const zero = f32x4.splat(0);
  for (let p = 0; p < NC; p++) {
    const g = f32p(dy, p * OL);
    const ind = f32p(idx, p * OL);
    const plane = f32p(dx, p * HW);
    let z = 0;
    for (; z + 4 <= HW; z += 4) v128.store(f32p(plane, z), zero);
    for (; z < HW; z++) store<f32>(f32p(plane, z), 0);
    for (let o = 0; o < OL; o++) {
      const i = load<i32>(f32p(ind, o));
      if (<u32>i < <u32>HW) {
        const q = f32p(plane, i);
        store<f32>(q, load<f32>(q) + load<f32>(f32p(g, o)));
      }
    }
  }
}

// The backward of maxPool2x2: windows do not overlap, so each input gets its window's gradient if
// it was the argmax and 0 otherwise, written as whole rows instead of a zero fill and a scatter.
// `+ 0` keeps the scatter's bits (0 + -0 is +0). An index outside its window (not from
// maxPool2x2) matches no tap and contributes nothing. Rows and columns no window covers (odd H or
// W) are zeroed.
function maxUnpool2x2(dy: usize, idx: usize, NC: i32, H: i32, W: i32, outH: i32, outW: i32, dx: usize): void {
  const HW = H * W, OL = outH * outW;
  const zero = f32x4.splat(0);
  const even = i32x4(0, 2, 4, 6), one = i32x4.splat(1), vW = i32x4.splat(W), vW1 = i32x4.splat(W + 1);
  for (let p = 0; p < NC; p++) {
    const g = f32p(dy, p * OL), ind = f32p(idx, p * OL), plane = f32p(dx, p * HW);
    for (let oh = 0; oh < outH; oh++) {
      const r0 = 2 * oh * W, top = f32p(plane, r0), bottom = f32p(plane, r0 + W);
      for (let ow0 = 0; ow0 < outW; ow0 += 4) {
        const ow = min(ow0, outW - 4);
        const gv = v128.load(f32p(g, oh * outW + ow));
        const rel = i32x4.sub(v128.load(f32p(ind, oh * outW + ow)), i32x4.add(i32x4.splat(r0 + 2 * ow), even));
        const tl = f32x4.add(v128.and(gv, i32x4.eq(rel, zero)), zero);
        const tr = f32x4.add(v128.and(gv, i32x4.eq(rel, one)), zero);
        const bl = f32x4.add(v128.and(gv, i32x4.eq(rel, vW)), zero);
        const br = f32x4.add(v128.and(gv, i32x4.eq(rel, vW1)), zero);
        const t = f32p(top, 2 * ow), b = f32p(bottom, 2 * ow);
        v128.store(t, v128.shuffle<f32>(tl, tr, 0, 4, 1, 5));
        v128.store(t, v128.shuffle<f32>(tl, tr, 2, 6, 3, 7), 16);
        v128.store(b, v128.shuffle<f32>(bl, br, 0, 4, 1, 5));
        v128.store(b, v128.shuffle<f32>(bl, br, 2, 6, 3, 7), 16);
      }
      for (let c = 2 * outW; c < W; c++) { store<f32>(f32p(top, c), 0); store<f32>(f32p(bottom, c), 0); }
    }
    for (let r = 2 * outH; r < H; r++) for (let c = 0; c < W; c++) store<f32>(f32p(plane, r * W + c), 0);
  }
}

// PyTorch avg_pool2d divisor for a window starting at (ih0, iw0): the window clipped to the
// padded input when countIncludePad, else clipped to the input; a non-zero divisorOverride wins
// (negative ones too, as in PyTorch; 0 means none).
@inline function avgDivisor(
  ih0: i32, iw0: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  countIncludePad: bool, divisorOverride: i32,
): i32 {
  if (divisorOverride != 0) return divisorOverride;
  if (countIncludePad) return (min(ih0 + kH, H + padH) - ih0) * (min(iw0 + kW, W + padW) - iw0);
  return (min(ih0 + kH, H) - max(ih0, 0)) * (min(iw0 + kW, W) - max(iw0, 0));
}

// Window sum over rows [hLo, hHi) x cols [wLo, wHi), row-major (PyTorch's order).
@inline function avgSum(plane: usize, W: i32, hLo: i32, hHi: i32, wLo: i32, wHi: i32): f32 {
  let s: f32 = 0;
  for (let ih = hLo; ih < hHi; ih++) {
    const row = f32p(plane, ih * W);
    for (let iw = wLo; iw < wHi; iw++) s += load<f32>(f32p(row, iw));
  }
  return s;
}

// pool_avg2d_fwd(src, NC, H, W, kH, kW, padH, padW, strideH, strideW, outH, outW, countIncludePad, divisorOverride, dst)
//   src f32 [NC, H, W]; dst f32 [NC, outH, outW] OVERWRITTEN with the window sum / divisor, where the
//   divisor follows PyTorch exactly (divisorOverride 0 means none); an all-padding window gives 0.
//   ceilMode only changes outH/outW (pool_out_size); its clipped last windows are handled here.
export function pool_avg2d_fwd(
  src: usize, NC: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, countIncludePad: bool, divisorOverride: i32, dst: usize,
): void {
  const HW = H * W;
  const OL = outH * outW;
  const lastOff = kW - 1 - padW;
  const inLo = lowOut(-padW, strideW, outW);
  const inHi = highOut(lastOff, strideW, W, inLo, outW);
  for (let p = 0; p < NC; p++) {
    const plane = f32p(src, p * HW);
    const out = f32p(dst, p * OL);
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padH;
      const hLo = max(ih0, 0), hHi = min(ih0 + kH, H);
      const orow = f32p(out, oh * outW);
      let ow = 0;
      if (hLo < hHi && inLo < inHi) {
        // interior columns: full kernel width, so the divisor depends on the row only
        const div = <f32>avgDivisor(ih0, inLo * strideW - padW, H, W, kH, kW, padH, padW, countIncludePad, divisorOverride);
        const vdiv = f32x4.splat(div);
        ow = inLo;
        if (strideW == 1 || strideW == 2) {
          const s2 = strideW == 2;
          for (; ow + 4 <= inHi && (!s2 || 2 * ow + lastOff + 8 <= W); ow += 4) {
            const iw0 = ow * strideW - padW;
            let acc = f32x4.splat(0);
            for (let ih = hLo; ih < hHi; ih++) {
              const row = f32p(plane, ih * W + iw0);
              for (let kj = 0; kj < kW; kj++) {
                acc = f32x4.add(acc, s2 ? ld4(f32p(row, kj), true) : ld4(f32p(row, kj), false));
              }
            }
            v128.store(f32p(orow, ow), f32x4.div(acc, vdiv));
          }
        }
        for (; ow < inHi; ow++) {
          const iw0 = ow * strideW - padW;
          store<f32>(f32p(orow, ow), avgSum(plane, W, hLo, hHi, iw0, iw0 + kW) / div);
        }
        ow = 0;
      }
      for (; ow < outW; ow++) {
        if (ow == inLo && inLo < inHi && hLo < hHi) { ow = inHi - 1; continue; } // done above
        const iw0 = ow * strideW - padW;
        const wLo = max(iw0, 0), wHi = min(iw0 + kW, W);
        let r: f32 = 0;
        if (hLo < hHi && wLo < wHi) {
          r = avgSum(plane, W, hLo, hHi, wLo, wHi) /
            <f32>avgDivisor(ih0, iw0, H, W, kH, kW, padH, padW, countIncludePad, divisorOverride);
        }
        store<f32>(f32p(orow, ow), r);
      }
    }
  }
}

// pool_avg2d_bwd(dy, NC, H, W, kH, kW, padH, padW, strideH, strideW, outH, outW, countIncludePad, divisorOverride, dx)
//   Same parameters as the forward; dx f32 [NC, H, W] is ACCUMULATED into: every in-input tap of a
//   window gets dy / divisor.
export function pool_avg2d_bwd(
  dy: usize, NC: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, countIncludePad: bool, divisorOverride: i32, dx: usize,
): void {
  const HW = H * W;
  const OL = outH * outW;
  const lastOff = kW - 1 - padW;
  const inLo = lowOut(-padW, strideW, outW);
  const inHi = highOut(lastOff, strideW, W, inLo, outW);
  const zero = f32x4.splat(0);
  for (let p = 0; p < NC; p++) {
    const plane = f32p(dx, p * HW);
    const g = f32p(dy, p * OL);
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padH;
      const hLo = max(ih0, 0), hHi = min(ih0 + kH, H);
      if (hLo >= hHi) continue;
      const grow = f32p(g, oh * outW);
      let ow = 0;
      if (inLo < inHi) {
        const div = <f32>avgDivisor(ih0, inLo * strideW - padW, H, W, kH, kW, padH, padW, countIncludePad, divisorOverride);
        const vdiv = f32x4.splat(div);
        ow = inLo;
        if (strideW == 1) {
          for (; ow + 4 <= inHi; ow += 4) {
            const v = f32x4.div(v128.load(f32p(grow, ow)), vdiv);
            for (let ih = hLo; ih < hHi; ih++) {
              const row = f32p(plane, ih * W + ow - padW);
              for (let kj = 0; kj < kW; kj++) {
                const q = f32p(row, kj);
                v128.store(q, f32x4.add(v128.load(q), v));
              }
            }
          }
        } else if (strideW == 2) {
          // 4 outputs hit the even lanes of 8 inputs; odd lanes get + 0
          for (; ow + 4 <= inHi && 2 * ow + lastOff + 8 <= W; ow += 4) {
            const v = f32x4.div(v128.load(f32p(grow, ow)), vdiv);
            const lo = v128.shuffle<f32>(v, zero, 0, 4, 1, 4);
            const hi = v128.shuffle<f32>(v, zero, 2, 4, 3, 4);
            for (let ih = hLo; ih < hHi; ih++) {
              const row = f32p(plane, ih * W + 2 * ow - padW);
              for (let kj = 0; kj < kW; kj++) {
                const q = f32p(row, kj);
                v128.store(q, f32x4.add(v128.load(q), lo));
                v128.store(q, f32x4.add(v128.load(q, 16), hi), 16);
              }
            }
          }
        }
        for (; ow < inHi; ow++) {
          const v = load<f32>(f32p(grow, ow)) / div;
          const iw0 = ow * strideW - padW;
          for (let ih = hLo; ih < hHi; ih++) {
            const row = f32p(plane, ih * W);
            for (let iw = iw0; iw < iw0 + kW; iw++) {
              const q = f32p(row, iw);
              store<f32>(q, load<f32>(q) + v);
            }
          }
        }
        ow = 0;
      }
      for (; ow < outW; ow++) {
        if (ow == inLo && inLo < inHi) { ow = inHi - 1; continue; } // done above
        const iw0 = ow * strideW - padW;
        const wLo = max(iw0, 0), wHi = min(iw0 + kW, W);
        if (wLo >= wHi) continue;
        const v = load<f32>(f32p(grow, ow)) /
          <f32>avgDivisor(ih0, iw0, H, W, kH, kW, padH, padW, countIncludePad, divisorOverride);
        for (let ih = hLo; ih < hHi; ih++) {
          const row = f32p(plane, ih * W);
          for (let iw = wLo; iw < wHi; iw++) {
            const q = f32p(row, iw);
            store<f32>(q, load<f32>(q) + v);
          }
        }
      }
    }
  }
}

// PyTorch's adaptive window of output i when an axis of In inputs is split into Out:
// [floor(i*In/Out), ceil((i+1)*In/Out)).
@inline function adaptiveStart(i: i32, In: i32, Out: i32): i32 {
  return (i * In) / Out;
}
@inline function adaptiveEnd(i: i32, In: i32, Out: i32): i32 {
  return ((i + 1) * In + Out - 1) / Out;
}

// Both adaptive-average passes visit the same windows in the same order: forward (backward false)
// sums x's window into y's element as a mean; backward adds y's element / window size to every
// tap of x's window. Inlined with a constant `backward`, each caller compiles to its own loop.
@inline function adaptiveAvgWindows(x: usize, y: usize, NC: i32, H: i32, W: i32, outH: i32, outW: i32, backward: bool): void {
  const HW = H * W;
  const OL = outH * outW;
  for (let p = 0; p < NC; p++) {
    const plane = f32p(x, p * HW);
    const out = f32p(y, p * OL);
    for (let oh = 0; oh < outH; oh++) {
      const hLo = adaptiveStart(oh, H, outH), hHi = adaptiveEnd(oh, H, outH);
      for (let ow = 0; ow < outW; ow++) {
        const wLo = adaptiveStart(ow, W, outW), wHi = adaptiveEnd(ow, W, outW);
        const size = <f32>((hHi - hLo) * (wHi - wLo));
        const yp = f32p(out, oh * outW + ow);
        const v: f32 = backward ? load<f32>(yp) / size : 0;
        let s: f32 = 0;
        for (let ih = hLo; ih < hHi; ih++) {
          const row = f32p(plane, ih * W);
          for (let iw = wLo; iw < wHi; iw++) {
            const q = f32p(row, iw);
            if (backward) store<f32>(q, load<f32>(q) + v);
            else s += load<f32>(q);
          }
        }
        if (!backward) store<f32>(yp, s / size);
      }
    }
  }
}

// pool_adaptive_avg2d_fwd(src, NC, H, W, outH, outW, dst)
//   src f32 [NC, H, W]; dst f32 [NC, outH, outW] OVERWRITTEN with window means, windows
//   [floor(i*In/Out), ceil((i+1)*In/Out)) per axis (PyTorch).
export function pool_adaptive_avg2d_fwd(src: usize, NC: i32, H: i32, W: i32, outH: i32, outW: i32, dst: usize): void {
  adaptiveAvgWindows(src, dst, NC, H, W, outH, outW, false);
}

// pool_adaptive_avg2d_bwd(dy, NC, H, W, outH, outW, dx)
//   dy f32 [NC, outH, outW]; dx f32 [NC, H, W] ACCUMULATED into: each window tap gets dy / window size.
export function pool_adaptive_avg2d_bwd(dy: usize, NC: i32, H: i32, W: i32, outH: i32, outW: i32, dx: usize): void {
  adaptiveAvgWindows(dx, dy, NC, H, W, outH, outW, true);
}
