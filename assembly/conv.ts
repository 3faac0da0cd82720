// Convolution helpers, NCHW. Dense conv is im2col + gemm (gemm.ts): the TS layer lays the columns
// of a whole (sub)batch side by side ([C*kH*kW, N*outH*outW], one im2col call per image with a row
// stride) so each group is ONE GEMM; conv_scatter_nchw / conv_gather_act_backward move the GEMM's
// [O, N*outH*outW] result / gradient to and from NCHW. col2im is im2col's adjoint for the input gradient.
// Depthwise (groups == channels) has direct kernels: im2col would multiply by a 1-row matrix.
// All pointers are byte offsets into the imported memory; tensors are float32, row-major.
import { ceilDiv, f32p, highOut, lowOut } from './windows';
import { ACT_NONE, ACT_RELU, ACT_LEAKY_RELU, ACT_SIGMOID, ACT_TANH, BIAS_NONE, BIAS_PER_ROW } from './protocol.generated';
import { gemm, gemm_workspace_bytes } from './gemm';
import { actGradFromOutput1, sigmoid1, tanh1, vactGradFromOutput, vsigmoid, vtanh } from './simd-math';

// ---- small SIMD row primitives (contiguous f32 runs, scalar tails) ----

// a*b + c; one fused op in the relaxed-SIMD build (last-bit differences between builds are expected).
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function rowZero(d: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), 0);
}

@inline function rowCopy(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(d + o, v128.load(s + o));
    v128.store(d + o, v128.load(s + o, 16), 16);
  }
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
}

// rowCopy for the short rows of im2col (d and s do not overlap): whole vectors, the last one
// overlapping the one before it instead of a scalar tail.
@inline function rowCopyShort(d: usize, s: usize, n: i32): void {
  if (n < 4) {
    for (let i = 0; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
    return;
  }
  let i = 0;
  for (; i + 4 < n; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
  const o = <usize>(n - 4) << 2;
  v128.store(d + o, v128.load(s + o));
}

// d[i] += s[i]
@inline function rowAdd(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
  }
}

// d[i] += a * s[i]
@inline function rowAxpy(d: usize, s: usize, a: f32, n: i32): void {
  let i = 0;
  const va = f32x4.splat(a);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, madd(va, v128.load(s + o), v128.load(d + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(d + o, load<f32>(d + o) + a * load<f32>(s + o));
  }
}

// sum a[i] * b[i]
@inline function rowDot(a: usize, b: usize, n: i32): f32 {
  let i = 0;
  let acc = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc = madd(v128.load(a + o), v128.load(b + o), acc);
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
          f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

// ---- im2col / col2im ----

// im2col and col2im (its adjoint) walk the same taps: for channel c and tap (ki, kj), column-matrix
// row (c*kH + ki)*kW + kj, the output rows oh in [ohLo, ohHi) and columns ow in [lo, hi) whose input
// position (oh*strideH + offH, ow*strideW + offW) lies inside the image.
//   im2col (adjoint false): cols[row, oh*outW + ow] = img[c, ih, iw], and 0 at the padding taps.
//   col2im (adjoint true):  img[c, ih, iw] += cols[row, oh*outW + ow]; padding taps are dropped.
// Inlined with a constant `adjoint`, each caller compiles to its own loop without the branch.
@inline function im2colTaps(
  img: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, cols: usize, ld: i32, adjoint: bool,
): void {
  const L = outH * outW;
  const ldBytes = <usize>ld << 2;
  if (kH == 1 && kW == 1 && padH == 0 && padW == 0 && strideH == 1 && strideW == 1 && outH == H && outW == W) {
    // 1x1 conv: the column matrix is the image itself
    if (ld == L) {
      if (adjoint) rowAdd(img, cols, C * L);
      else rowCopy(cols, img, C * L);
    } else {
      for (let c = 0; c < C; c++) {
        if (adjoint) rowAdd(f32p(img, c * L), cols + <usize>c * ldBytes, L);
        else rowCopy(cols + <usize>c * ldBytes, f32p(img, c * L), L);
      }
    }
    return;
  }
  if (strideH == 1 && strideW == 1 && outW == W) {
    // Each column row is the plane shifted by (offH, offW): one contiguous copy of all its valid
    // rows, then zeros where a row's shift wrapped around (ow < lo or ow >= hi) and in the rows
    // outside the image. Beats a short copy per output row (rows of 14 on MNIST's second conv).
    // col2im adds the same span back after zeroing the wrapped entries of cols (they are padding
    // taps, dropped anyway), so they add 0 to the image.
    let dRow = cols;
    for (let c = 0; c < C; c++) {
      const plane = f32p(img, c * H * W);
      for (let ki = 0; ki < kH; ki++) {
        const offH = ki * dilH - padH;
        const ohLo = lowOut(offH, 1, outH);
        const ohHi = highOut(offH, 1, H, ohLo, outH);
        for (let kj = 0; kj < kW; kj++) {
          const offW = kj * dilW - padW;
          const lo = lowOut(offW, 1, outW);
          const hi = highOut(offW, 1, W, lo, outW);
          const first = ohLo * outW + lo, last = (ohHi - 1) * outW + hi; // valid span [first, last)
          const src = f32p(plane, (ohLo + offH) * W + lo + offW);
          if (adjoint) {
            if (ohLo < ohHi && lo < hi) {
              for (let oh = ohLo + 1; oh < ohHi; oh++) { // the wrapped entries inside the span
                const r = f32p(dRow, oh * outW);
                for (let ow = 0; ow < lo; ow++) store<f32>(f32p(r, ow), 0);
                for (let ow = hi; ow < outW; ow++) store<f32>(f32p(r, ow - outW), 0);
              }
              rowAdd(src, f32p(dRow, first), last - first);
            }
          } else {
            rowZero(dRow, ohLo * outW);
            if (ohLo < ohHi && lo < hi) {
              rowCopy(f32p(dRow, first), src, last - first);
              for (let oh = ohLo; oh < ohHi; oh++) {
                const r = f32p(dRow, oh * outW);
                for (let ow = 0; ow < lo; ow++) store<f32>(f32p(r, ow), 0);
                for (let ow = hi; ow < outW; ow++) store<f32>(f32p(r, ow), 0);
              }
            } else {
              rowZero(f32p(dRow, ohLo * outW), (ohHi - ohLo) * outW);
            }
            rowZero(f32p(dRow, ohHi * outW), (outH - ohHi) * outW);
          }
          dRow += ldBytes;
        }
      }
    }
    return;
  }
  let rowStart = cols;
  const rowBytes = <usize>outW << 2;
  for (let c = 0; c < C; c++) {
    const plane = f32p(img, c * H * W);
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dilH - padH;
      const ohLo = lowOut(offH, strideH, outH);
      const ohHi = highOut(offH, strideH, H, ohLo, outH);
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dilW - padW;
        const lo = lowOut(offW, strideW, outW);
        const hi = highOut(offW, strideW, W, lo, outW);
        let d = rowStart;
        if (!adjoint) rowZero(d, ohLo * outW);
        d += <usize>ohLo * rowBytes;
        for (let oh = ohLo; oh < ohHi; oh++) {
          const row = f32p(plane, (oh * strideH + offH) * W);
          if (adjoint) {
            if (strideW == 1) {
              rowAdd(f32p(row, lo + offW), f32p(d, lo), hi - lo);
            } else {
              for (let ow = lo; ow < hi; ow++) {
                const p = f32p(row, ow * strideW + offW);
                store<f32>(p, load<f32>(p) + load<f32>(f32p(d, ow)));
              }
            }
          } else {
            rowZero(d, lo);
            if (strideW == 1) {
              rowCopyShort(f32p(d, lo), f32p(row, lo + offW), hi - lo);
            } else {
              for (let ow = lo; ow < hi; ow++) store<f32>(f32p(d, ow), load<f32>(f32p(row, ow * strideW + offW)));
            }
            rowZero(f32p(d, hi), outW - hi);
          }
          d += rowBytes;
        }
        if (!adjoint) rowZero(d, (outH - ohHi) * outW);
        rowStart += ldBytes;
      }
    }
  }
}

// conv_im2col(src, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dst, ldDst)
//   src: f32 [C, H, W] (one image). dst: f32 [C*kH*kW rows, outH*outW columns] with row stride
//   ldDst >= outH*outW (elements), OVERWRITTEN (only the outH*outW columns of each row are touched,
//   so a batch's images can sit side by side in one wider matrix).
//   Row r = (c*kH + ki)*kW + kj (PyTorch weight order), column oh*outW + ow holds
//   src[c, oh*strideH - padH + ki*dilH, ow*strideW - padW + kj*dilW], or 0 outside (zero padding).
//   outH/outW are the caller's conv output size (floor((H + 2p - dil*(k-1) - 1)/s) + 1).
export function conv_im2col(
  src: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, ldDst: i32,
): void {
  im2colTaps(src, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dst, ldDst, false);
}

// conv_im2col_images(src, imageStride, count, C, ..., dst, ldDst): conv_im2col of `count` images
//   (src advancing by imageStride elements) into column blocks side by side (dst advancing by
//   outH*outW columns); a thread slice of a batch is one call.
export function conv_im2col_images(
  src: usize, imageStride: i32, count: i32, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, ldDst: i32,
): void {
  for (let i = 0; i < count; i++) {
    conv_im2col(f32p(src, i * imageStride), C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW,
      f32p(dst, i * outH * outW), ldDst);
  }
}

// conv_col2im(src, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dst, ldSrc)
//   Adjoint of conv_im2col: src f32 [C*kH*kW rows, outH*outW columns] (column gradients) with row
//   stride ldSrc >= outH*outW (elements); dst f32 [C, H, W] is ACCUMULATED into (caller zeroes it);
//   padding taps are dropped (src's entries at some of them may be overwritten with 0).
export function conv_col2im(
  src: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, ldSrc: i32,
): void {
  im2colTaps(dst, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, src, ldSrc, true);
}

// ---- batched-GEMM layout <-> NCHW ----

// conv_col2im_images(src, count, C, ..., dst, ldSrc, imageStride): conv_col2im for `count` images
//   whose column blocks sit side by side in src (advancing by outH*outW columns), accumulating into
//   dst images imageStride elements apart; a thread slice of a batch is one call.
export function conv_col2im_images(
  src: usize, count: i32, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, ldSrc: i32, imageStride: i32,
): void {
  for (let i = 0; i < count; i++) {
    conv_col2im(f32p(src, i * outH * outW), C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW,
      f32p(dst, i * imageStride), ldSrc);
  }
}

// conv_scatter_nchw(src, O, o0, oCount, N, L, dst)
//   src f32 [O, N*L] (the batched GEMM's output: image n at columns n*L..n*L+L-1)
//   -> dst f32 [N, O, L] (NCHW), channels [o0, o0 + oCount) OVERWRITTEN (a thread's slice).
export function conv_scatter_nchw(src: usize, O: i32, o0: i32, oCount: i32, N: i32, L: i32, dst: usize): void {
  const ld = <usize>(N * L) << 2, lb = <usize>L << 2;
  for (let n = 0; n < N; n++) {
    let s = src + <usize>o0 * ld + <usize>n * lb;
    let d = dst + (<usize>(n * O + o0) * lb);
    for (let o = 0; o < oCount; o++) {
      rowCopy(d, s, L);
      d += lb;
      s += ld;
    }
  }
}

// conv_gather_act_backward(act, dy, y, N, O, o0, oCount, L, slope, dst, ldDst, dbias)
//   dy, y f32 [N, O, L] (NCHW: output gradient and the saved output act(z)); for each element
//   d = dy * act'(z) computed from y (act: GEMM epilogue code, 0 = none: d = dy, y unused), written to
//   dst[o*ldDst + n*L + l] (ldDst = N*L gives the batched GEMM's [O, N*L] layout; N = 1, ldDst = L
//   keeps NCHW) and, when dbias != 0, ACCUMULATED into dbias[o] (caller zeroes it). Channels
//   [o0, o0 + oCount) only (a thread's slice: each channel's bias sum runs over n in order as on one thread).
export function conv_gather_act_backward(
  act: i32, dy: usize, y: usize, N: i32, O: i32, o0: i32, oCount: i32, L: i32, slope: f32, dst: usize, ldDst: i32, dbias: usize,
): void {
  const zero = f32x4.splat(0), sl = f32x4.splat(slope);
  const lb = <usize>L << 2, ldb = <usize>ldDst << 2;
  for (let n = 0; n < N; n++) {
    for (let o = o0; o < o0 + oCount; o++) {
      const src = <usize>(n * O + o) * lb;
      const g = dy + src, v = y + src;
      const d = dst + <usize>o * ldb + <usize>n * lb;
      let acc = zero;
      let l = 0;
      for (; l + 4 <= L; l += 4) {
        const off = <usize>l << 2;
        const gv = v128.load(g + off);
        const r = act == ACT_NONE ? gv : vactGradFromOutput(gv, v128.load(v + off), act, sl);
        v128.store(d + off, r);
        acc = f32x4.add(acc, r);
      }
      let sum: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
                     f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; l < L; l++) {
        const off = <usize>l << 2;
        const gv = load<f32>(g + off);
        const r = act == ACT_NONE ? gv : actGradFromOutput1(gv, load<f32>(v + off), act, slope);
        store<f32>(d + off, r);
        sum += r;
      }
      if (dbias) {
        const bp = f32p(dbias, o);
        store<f32>(bp, load<f32>(bp) + sum);
      }
    }
  }
}

// ---- depthwise (groups == C, one filter per channel, channel multiplier 1) ----

// conv_depthwise_fwd(src, weight, bias, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dst)
//   src f32 [C, H, W]; weight f32 [C, 1, kH, kW]; bias f32 [C] or 0 for none.
//   dst f32 [C, outH, outW] is OVERWRITTEN with bias[c] + sum_{ki,kj} w[c,ki,kj] * src[c, ih, iw] (zero padding).
export function conv_depthwise_fwd(
  src: usize, weight: usize, bias: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize,
): void {
  // Output columns whose whole kernel row lies inside the input: no bounds checks there.
  const inLo = lowOut(-padW, strideW, outW);
  const inHi = highOut((kW - 1) * dilW - padW, strideW, W, inLo, outW);
  const is3x3 = kH == 3 && kW == 3;
  for (let c = 0; c < C; c++) {
    const plane = f32p(src, c * H * W);
    const wc = f32p(weight, c * kH * kW);
    const b: f32 = bias ? load<f32>(f32p(bias, c)) : 0;
    const out = f32p(dst, c * outH * outW);
    let w0 = f32x4.splat(0), w1 = w0, w2 = w0, w3 = w0, w4 = w0, w5 = w0, w6 = w0, w7 = w0, w8 = w0;
    if (is3x3) {
      w0 = v128.load32_splat(wc); w1 = v128.load32_splat(wc, 4); w2 = v128.load32_splat(wc, 8);
      w3 = v128.load32_splat(wc, 12); w4 = v128.load32_splat(wc, 16); w5 = v128.load32_splat(wc, 20);
      w6 = v128.load32_splat(wc, 24); w7 = v128.load32_splat(wc, 28); w8 = v128.load32_splat(wc, 32);
    }
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padH;
      const kiLo = max(ceilDiv(-ih0, dilH), 0);
      const kiHi = min(ceilDiv(H - ih0, dilH), kH);
      const orow = f32p(out, oh * outW);
      // interior, 4 outputs at a time (stride 1 only: contiguous loads)
      let ow = inLo;
      if (strideW == 1) {
        const vb = f32x4.splat(b);
        if (is3x3 && kiLo == 0 && kiHi == 3) {
          // 3x3, all rows inside: weights stay in registers, 9 FMAs per 4 outputs
          const r0 = f32p(plane, ih0 * W - padW), r1 = r0 + (<usize>(dilH * W) << 2), r2 = r1 + (<usize>(dilH * W) << 2);
          const d1 = <usize>dilW << 2, d2 = <usize>dilW << 3;
          for (; ow + 4 <= inHi; ow += 4) {
            const o = <usize>ow << 2;
            let acc = madd(w0, v128.load(r0 + o), vb);
            acc = madd(w1, v128.load(r0 + o + d1), acc);
            acc = madd(w2, v128.load(r0 + o + d2), acc);
            acc = madd(w3, v128.load(r1 + o), acc);
            acc = madd(w4, v128.load(r1 + o + d1), acc);
            acc = madd(w5, v128.load(r1 + o + d2), acc);
            acc = madd(w6, v128.load(r2 + o), acc);
            acc = madd(w7, v128.load(r2 + o + d1), acc);
            acc = madd(w8, v128.load(r2 + o + d2), acc);
            v128.store(f32p(orow, ow), acc);
          }
        }
        for (; ow + 4 <= inHi; ow += 4) {
          let acc = vb;
          for (let ki = kiLo; ki < kiHi; ki++) {
            const irow = f32p(plane, (ih0 + ki * dilH) * W + ow - padW);
            const wr = f32p(wc, ki * kW);
            for (let kj = 0; kj < kW; kj++) {
              acc = madd(v128.load32_splat(f32p(wr, kj)), v128.load(f32p(irow, kj * dilW)), acc);
            }
          }
          v128.store(f32p(orow, ow), acc);
        }
      }
      for (; ow < inHi; ow++) {
        let acc = b;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const irow = f32p(plane, (ih0 + ki * dilH) * W + ow * strideW - padW);
          const wr = f32p(wc, ki * kW);
          for (let kj = 0; kj < kW; kj++) acc += load<f32>(f32p(wr, kj)) * load<f32>(f32p(irow, kj * dilW));
        }
        store<f32>(f32p(orow, ow), acc);
      }
      // border columns: clip the kernel row
      for (let o = 0; o < outW; o++) {
        if (o >= inLo && o < inHi) { o = inHi - 1; continue; }
        const iw0 = o * strideW - padW;
        const kjLo = max(ceilDiv(-iw0, dilW), 0);
        const kjHi = min(ceilDiv(W - iw0, dilW), kW);
        let acc = b;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const irow = f32p(plane, (ih0 + ki * dilH) * W + iw0);
          const wr = f32p(wc, ki * kW);
          for (let kj = kjLo; kj < kjHi; kj++) acc += load<f32>(f32p(wr, kj)) * load<f32>(f32p(irow, kj * dilW));
        }
        store<f32>(f32p(orow, o), acc);
      }
    }
  }
}

// The two depthwise backward passes walk the same taps in the same order: for channel c and tap
// (ki, kj), the output rows oh in [ohLo, ohHi) and columns ow in [lo, hi) whose input position
// (oh*strideH + offH, ow*strideW + offW) lies inside the image. Per tap run:
//   input gradient (weightGrad false): x[c, ih, iw] += w[c, ki, kj] * dy[c, oh, ow]  (x = dx, k = weight)
//   weight gradient (weightGrad true):  k[c, ki, kj] += sum x[c, ih, iw] * dy[c, oh, ow]  (x = src, k = dw)
// Inlined with a constant weightGrad, each caller compiles to its own loop without the branch.
@inline function depthwiseBackwardTaps(
  x: usize, dy: usize, k: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, weightGrad: bool,
): void {
  for (let c = 0; c < C; c++) {
    const plane = f32p(x, c * H * W);
    const g = f32p(dy, c * outH * outW);
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dilH - padH;
      const ohLo = lowOut(offH, strideH, outH);
      const ohHi = highOut(offH, strideH, H, ohLo, outH);
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dilW - padW;
        const lo = lowOut(offW, strideW, outW);
        const hi = highOut(offW, strideW, W, lo, outW);
        const kp = f32p(k, (c * kH + ki) * kW + kj);
        const w: f32 = weightGrad ? 0 : load<f32>(kp);
        let acc: f32 = 0;
        for (let oh = ohLo; oh < ohHi; oh++) {
          const row = f32p(plane, (oh * strideH + offH) * W);
          const grow = f32p(g, oh * outW);
          if (weightGrad) {
            if (strideW == 1) {
              acc += rowDot(f32p(row, lo + offW), f32p(grow, lo), hi - lo);
            } else {
              for (let ow = lo; ow < hi; ow++) acc += load<f32>(f32p(row, ow * strideW + offW)) * load<f32>(f32p(grow, ow));
            }
          } else if (strideW == 1) {
            rowAxpy(f32p(row, lo + offW), f32p(grow, lo), w, hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) {
              const p = f32p(row, ow * strideW + offW);
              store<f32>(p, load<f32>(p) + w * load<f32>(f32p(grow, ow)));
            }
          }
        }
        if (weightGrad) store<f32>(kp, load<f32>(kp) + acc);
      }
    }
  }
}

// conv_depthwise_bwd_input(dy, weight, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dx)
//   dy f32 [C, outH, outW]; weight f32 [C, 1, kH, kW]; dx f32 [C, H, W] is ACCUMULATED into.
export function conv_depthwise_bwd_input(
  dy: usize, weight: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dx: usize,
): void {
  depthwiseBackwardTaps(dx, dy, weight, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, false);
}

// conv_depthwise_bwd_weight(src, dy, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dw)
//   src f32 [C, H, W] (forward input); dy f32 [C, outH, outW];
//   dw f32 [C, 1, kH, kW] is ACCUMULATED into (sum over images without a temp). Bias grad is a plain sum of dy.
export function conv_depthwise_bwd_weight(
  src: usize, dy: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dw: usize,
): void {
  depthwiseBackwardTaps(src, dy, dw, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, true);
}

// The depthwise kernels over `count` images (image strides in elements), for a slice of channels:
// channels are independent, so threads split C and each keeps the one-thread order within its
// channels (dw accumulates over the images in order).
export function conv_depthwise_fwd_images(
  src: usize, weight: usize, bias: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dst: usize, count: i32, srcStride: i32, dstStride: i32,
): void {
  for (let i = 0; i < count; i++) {
    conv_depthwise_fwd(f32p(src, i * srcStride), weight, bias, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW,
      outH, outW, f32p(dst, i * dstStride));
  }
}

export function conv_depthwise_bwd_input_images(
  dy: usize, weight: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dx: usize, count: i32, dyStride: i32, dxStride: i32,
): void {
  for (let i = 0; i < count; i++) {
    conv_depthwise_bwd_input(f32p(dy, i * dyStride), weight, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW,
      outH, outW, f32p(dx, i * dxStride));
  }
}

export function conv_depthwise_bwd_weight_images(
  src: usize, dy: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, padH: i32, padW: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, dw: usize, count: i32, srcStride: i32, dyStride: i32,
): void {
  for (let i = 0; i < count; i++) {
    conv_depthwise_bwd_weight(f32p(src, i * srcStride), f32p(dy, i * dyStride), C, H, W, kH, kW, padH, padW, strideH, strideW,
      dilH, dilW, outH, outW, dw);
  }
}

// ---- one input channel (an image's first conv): direct kernels without im2col ----
// With C = 1 the column matrix has only kH*kW rows, and the GEMM's packing, edge tiles and NCHW
// scatter cost more than the arithmetic. Stride 1, dilation 1 only. The image is first copied into a
// zero-bordered plane P [outH + kH - 1, roundUp(outW, 4) + kW - 1] (work memory), so that every
// output row is whole 4-lane vectors with no border cases: P[r, c] = img[r - padT, c - padL] or 0.
// Each output is 0 + w[t] * P[oh + ki, ow + kj] summed over taps t = ki*kW + kj in that order, then
// + bias, then the activation: the order of the im2col + GEMM path (its K loop, then its epilogue).

@inline function roundUp4(n: i32): i32 { return (n + 3) & ~3; }

// Zero-bordered copy of one [H, W] image into P [Hp, Wp] (row stride Wp) at offset (padT, padL).
function padPlane(img: usize, H: i32, W: i32, padT: i32, padL: i32, P: usize, Hp: i32, Wp: i32): void {
  rowZero(P, Hp * Wp);
  const r0 = max(padT, 0), r1 = min(H + padT, Hp), c0 = max(padL, 0), c1 = min(W + padL, Wp);
  if (c0 >= c1) return;
  for (let r = r0; r < r1; r++) rowCopy(f32p(P, r * Wp + c0), f32p(img, (r - padT) * W + c0 - padL), c1 - c0);
}

@inline function actVec(v: v128, act: i32, vslope: v128): v128 {
  const zero = f32x4.splat(0);
  if (act == ACT_RELU) return v128.bitselect(zero, v, f32x4.lt(v, zero));
  if (act == ACT_LEAKY_RELU) return v128.bitselect(f32x4.mul(v, vslope), v, f32x4.lt(v, zero));
  if (act == ACT_SIGMOID) return vsigmoid(v);
  if (act == ACT_TANH) return vtanh(v);
  return v;
}

// Floats of work memory conv_single_fwd_images and conv_single_bwd_weight need per call (per thread).
export function conv_single_work_floats(O: i32, kH: i32, kW: i32, outH: i32, outW: i32): i32 {
  const Wp = roundUp4(outW) + kW - 1, Hp = outH + kH - 1;
  return Hp * Wp + outH * roundUp4(outW) + O * (kH * kW + 1) * 4;
}

// conv_single_fwd_images(src, weight, bias, O, H, W, kH, kW, padT, padL, outH, outW, act, slope, dst, count, srcStride, work)
//   src: `count` images f32 [1, H, W], srcStride elements apart; weight f32 [O, 1, kH, kW]; bias f32 [O] or 0.
//   dst f32 [count, O, outH, outW] (NCHW) is OVERWRITTEN with act(conv(src, weight[o]) + bias[o]), act an
//   EpilogueAct code. Needs outW >= 4 (the last vector of a row overlaps the one before it and
//   rewrites the same values). work: conv_single_work_floats floats.
export function conv_single_fwd_images(
  src: usize, weight: usize, bias: usize, O: i32, H: i32, W: i32, kH: i32, kW: i32, padT: i32, padL: i32,
  outH: i32, outW: i32, act: i32, slope: f32, dst: usize, count: i32, srcStride: i32, work: usize,
): void {
  const L = outH * outW, kk = kH * kW;
  const Wp = roundUp4(outW) + kW - 1, Hp = outH + kH - 1;
  const vslope = f32x4.splat(slope), zero = f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    padPlane(f32p(src, i * srcStride), H, W, padT, padL, work, Hp, Wp);
    for (let o = 0; o < O; o++) {
      const wo = f32p(weight, o * kk);
      const vb = f32x4.splat(bias ? load<f32>(f32p(bias, o)) : 0);
      const out = f32p(dst, (i * O + o) * L);
      if (kH == 3 && kW == 3) {
        // the 9 weights stay in registers
        const w0 = v128.load32_splat(wo), w1 = v128.load32_splat(wo, 4), w2 = v128.load32_splat(wo, 8);
        const w3 = v128.load32_splat(wo, 12), w4 = v128.load32_splat(wo, 16), w5 = v128.load32_splat(wo, 20);
        const w6 = v128.load32_splat(wo, 24), w7 = v128.load32_splat(wo, 28), w8 = v128.load32_splat(wo, 32);
        const rb = <usize>Wp << 2;
        let oh = 0;
        // Two output rows at a time: two independent accumulator chains, and the two input rows they
        // share are loaded once. Each output still sums its taps in order t = 0..8.
        for (; oh + 2 <= outH; oh += 2) {
          const r0 = f32p(work, oh * Wp), r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb, orow = f32p(out, oh * outW);
          const orow1 = orow + (<usize>outW << 2);
          for (let ow0 = 0; ow0 < outW; ow0 += 4) {
            const o = <usize>min(ow0, outW - 4) << 2;
            let x = v128.load(r1 + o);
            let a = madd(w0, v128.load(r0 + o), zero);
            let b = madd(w0, x, zero);
            a = madd(w1, v128.load(r0 + o, 4), a);
            a = madd(w2, v128.load(r0 + o, 8), a);
            a = madd(w3, x, a);
            x = v128.load(r1 + o, 4);
            b = madd(w1, x, b);
            a = madd(w4, x, a);
            x = v128.load(r1 + o, 8);
            b = madd(w2, x, b);
            a = madd(w5, x, a);
            x = v128.load(r2 + o);
            b = madd(w3, x, b);
            a = madd(w6, x, a);
            x = v128.load(r2 + o, 4);
            b = madd(w4, x, b);
            a = madd(w7, x, a);
            x = v128.load(r2 + o, 8);
            b = madd(w5, x, b);
            a = madd(w8, x, a);
            b = madd(w6, v128.load(r3 + o), b);
            b = madd(w7, v128.load(r3 + o, 4), b);
            b = madd(w8, v128.load(r3 + o, 8), b);
            v128.store(orow + o, actVec(f32x4.add(a, vb), act, vslope));
            v128.store(orow1 + o, actVec(f32x4.add(b, vb), act, vslope));
          }
        }
        for (; oh < outH; oh++) {
          const r0 = f32p(work, oh * Wp), r1 = r0 + rb, r2 = r1 + rb, orow = f32p(out, oh * outW);
          for (let ow0 = 0; ow0 < outW; ow0 += 4) {
            const o = <usize>min(ow0, outW - 4) << 2;
            let acc = madd(w0, v128.load(r0 + o), zero);
            acc = madd(w1, v128.load(r0 + o, 4), acc);
            acc = madd(w2, v128.load(r0 + o, 8), acc);
            acc = madd(w3, v128.load(r1 + o), acc);
            acc = madd(w4, v128.load(r1 + o, 4), acc);
            acc = madd(w5, v128.load(r1 + o, 8), acc);
            acc = madd(w6, v128.load(r2 + o), acc);
            acc = madd(w7, v128.load(r2 + o, 4), acc);
            acc = madd(w8, v128.load(r2 + o, 8), acc);
            v128.store(orow + o, actVec(f32x4.add(acc, vb), act, vslope));
          }
        }
        continue;
      }
      for (let oh = 0; oh < outH; oh++) {
        const prow = f32p(work, oh * Wp), orow = f32p(out, oh * outW);
        for (let ow0 = 0; ow0 < outW; ow0 += 4) {
          const ow = min(ow0, outW - 4);
          let acc = zero;
          for (let ki = 0; ki < kH; ki++) {
            const wr = f32p(wo, ki * kW), ir = f32p(prow, ki * Wp + ow);
            for (let kj = 0; kj < kW; kj++) acc = madd(v128.load32_splat(f32p(wr, kj)), v128.load(f32p(ir, kj)), acc);
          }
          v128.store(f32p(orow, ow), actVec(f32x4.add(acc, vb), act, vslope));
        }
      }
    }
  }
}

// conv_single_bwd_weight(src, dy, y, act, slope, O, n0, nCount, groupSize, H, W, kH, kW, padT, padL, outH, outW, partialW, partialB, work)
//   The weight and bias gradient of conv_single_fwd_images, in partial sums over fixed groups of
//   images: images [n0, n0 + nCount) (n0 a multiple of groupSize), group g = images
//   [g*groupSize, (g+1)*groupSize). src f32 [N, 1, H, W]; dy, y f32 [N, O, outH, outW] (y: the saved
//   output act(z), not read for act none). Group g's O*kH*kW weight sums go to partialW at float
//   offset g*O*kH*kW and its O bias sums to partialB at g*O, OVERWRITTEN (so [groups, ...] rows that
//   red_sum adds up). work: conv_single_work_floats floats. A group's sums run over its images in
//   order in the same lanes whichever call computes them, so the sum of the groups in order is the
//   same bits for any split of the groups across threads (threads take whole groups of images, as
//   the forward takes images: each core rereads what it wrote).
export function conv_single_bwd_weight(
  src: usize, dy: usize, y: usize, act: i32, slope: f32, O: i32, n0: i32, nCount: i32, groupSize: i32, H: i32, W: i32,
  kH: i32, kW: i32, padT: i32, padL: i32, outH: i32, outW: i32, partialW: usize, partialB: usize, work: usize,
): void {
  const L = outH * outW, kk = kH * kW, HW = H * W;
  const W4 = roundUp4(outW), Wp = W4 + kW - 1, Hp = outH + kH - 1;
  const P = work, G = f32p(work, Hp * Wp), accs = f32p(G, outH * W4); // accs: [O, kk + 1] vectors
  const sl = f32x4.splat(slope);
  rowZero(G, outH * W4); // the columns past outW stay 0: whole vectors add nothing there
  const nEnd = n0 + nCount;
  for (let n = n0; n < nEnd; n++) {
    if (n == n0 || n % groupSize == 0) rowZero(accs, O * (kk + 1) * 4);
    padPlane(f32p(src, n * HW), H, W, padT, padL, P, Hp, Wp);
    for (let oi = 0; oi < O; oi++) {
      const plane = (n * O + oi) * L;
      const gp = f32p(dy, plane), yp = f32p(y, plane);
      const acc = accs + (<usize>(oi * (kk + 1)) << 4);
      // G = dy * act'(z) from y, and its sum (the bias gradient) in the last accumulator.
      const bp = acc + (<usize>kk << 4);
      let bsum = v128.load(bp);
      for (let oh = 0; oh < outH; oh++) {
        const grow = f32p(G, oh * W4);
        let l = 0;
        for (; l + 4 <= outW; l += 4) {
          const off = <usize>(oh * outW + l) << 2;
          const gv = v128.load(gp + off);
          const r = act == ACT_NONE ? gv : vactGradFromOutput(gv, v128.load(yp + off), act, sl);
          v128.store(f32p(grow, l), r);
          bsum = f32x4.add(bsum, r);
        }
        const tail = l < outW;
        for (; l < outW; l++) {
          const off = <usize>(oh * outW + l) << 2;
          const gv = load<f32>(gp + off);
          const r = act == ACT_NONE ? gv : actGradFromOutput1(gv, load<f32>(yp + off), act, slope);
          store<f32>(f32p(grow, l), r);
        }
        // the tail's lanes go into the bias sum as a vector too (zeros past outW)
        if (tail) bsum = f32x4.add(bsum, v128.load(f32p(grow, outW & ~3)));
      }
      v128.store(bp, bsum);
      // dW[t] += sum G[oh, ow] * P[oh + ki, ow + kj], one accumulator vector per tap
      if (kH == 3 && kW == 3) {
        // all 9 taps per G vector: 9 independent accumulator chains in registers
        let a0 = v128.load(acc), a1 = v128.load(acc, 16), a2 = v128.load(acc, 32);
        let a3 = v128.load(acc, 48), a4 = v128.load(acc, 64), a5 = v128.load(acc, 80);
        let a6 = v128.load(acc, 96), a7 = v128.load(acc, 112), a8 = v128.load(acc, 128);
        const rb = <usize>Wp << 2, gb = <usize>W4 << 2;
        let oh = 0;
        // Two G rows per pass: the plane rows they share (r1, r2) are loaded once. Each accumulator
        // still takes G row oh before row oh + 1 at every column vector l (a fixed order, whatever
        // the thread count).
        for (; oh + 2 <= outH; oh += 2) {
          const grow = f32p(G, oh * W4), r0 = f32p(P, oh * Wp), r1 = r0 + rb, r2 = r1 + rb, r3 = r2 + rb;
          for (let l = 0; l < W4; l += 4) {
            const o = <usize>l << 2;
            const g0 = v128.load(grow + o), g1 = v128.load(grow + gb + o);
            let x = v128.load(r0 + o);
            a0 = madd(g0, x, a0);
            x = v128.load(r0 + o, 4); a1 = madd(g0, x, a1);
            x = v128.load(r0 + o, 8); a2 = madd(g0, x, a2);
            x = v128.load(r1 + o); a3 = madd(g0, x, a3); a0 = madd(g1, x, a0);
            x = v128.load(r1 + o, 4); a4 = madd(g0, x, a4); a1 = madd(g1, x, a1);
            x = v128.load(r1 + o, 8); a5 = madd(g0, x, a5); a2 = madd(g1, x, a2);
            x = v128.load(r2 + o); a6 = madd(g0, x, a6); a3 = madd(g1, x, a3);
            x = v128.load(r2 + o, 4); a7 = madd(g0, x, a7); a4 = madd(g1, x, a4);
            x = v128.load(r2 + o, 8); a8 = madd(g0, x, a8); a5 = madd(g1, x, a5);
            a6 = madd(g1, v128.load(r3 + o), a6);
            a7 = madd(g1, v128.load(r3 + o, 4), a7);
            a8 = madd(g1, v128.load(r3 + o, 8), a8);
          }
        }
        for (; oh < outH; oh++) {
          const grow = f32p(G, oh * W4), r0 = f32p(P, oh * Wp), r1 = r0 + rb, r2 = r1 + rb;
          for (let l = 0; l < W4; l += 4) {
            const o = <usize>l << 2;
            const gv = v128.load(grow + o);
            a0 = madd(gv, v128.load(r0 + o), a0);
            a1 = madd(gv, v128.load(r0 + o, 4), a1);
            a2 = madd(gv, v128.load(r0 + o, 8), a2);
            a3 = madd(gv, v128.load(r1 + o), a3);
            a4 = madd(gv, v128.load(r1 + o, 4), a4);
            a5 = madd(gv, v128.load(r1 + o, 8), a5);
            a6 = madd(gv, v128.load(r2 + o), a6);
            a7 = madd(gv, v128.load(r2 + o, 4), a7);
            a8 = madd(gv, v128.load(r2 + o, 8), a8);
          }
        }
        v128.store(acc, a0); v128.store(acc, a1, 16); v128.store(acc, a2, 32);
        v128.store(acc, a3, 48); v128.store(acc, a4, 64); v128.store(acc, a5, 80);
        v128.store(acc, a6, 96); v128.store(acc, a7, 112); v128.store(acc, a8, 128);
        continue;
      }
      for (let t = 0; t < kk; t++) {
        const ki = t / kW, kj = t - ki * kW;
        const ap = acc + (<usize>t << 4);
        let a = v128.load(ap);
        for (let oh = 0; oh < outH; oh++) {
          const grow = f32p(G, oh * W4), prow = f32p(P, (oh + ki) * Wp + kj);
          for (let l = 0; l < W4; l += 4) a = madd(v128.load(f32p(grow, l)), v128.load(f32p(prow, l)), a);
        }
        v128.store(ap, a);
      }
    }
    // The group's last image: its sums go to the group's partials.
    if (n + 1 == nEnd || (n + 1) % groupSize == 0) {
      const grp = n / groupSize;
      for (let oi = 0; oi < O; oi++) {
        const acc = accs + (<usize>(oi * (kk + 1)) << 4);
        for (let t = 0; t <= kk; t++) {
          const v = v128.load(acc + (<usize>t << 4));
          const sum = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
          if (t < kk) store<f32>(f32p(partialW, (grp * O + oi) * kk + t), sum);
          else store<f32>(f32p(partialB, grp * O + oi), sum);
        }
      }
    }
  }
}

// ---- dense conv by fixed groups of images, each group whole on one thread ----
// A thread's im2col, GEMM and NCHW scatter (and in backward: gather, weight-gradient GEMM, column
// gradient GEMM and col2im) all touch the same images, the images the pooling and activation ops
// around the conv give that thread, so what a core reads was written by that core. The weight and
// bias gradients are partial sums per group, added up in group order by the caller (red_sum): the
// same bits for any split of the groups across threads.

// Bytes of work memory conv_gemm_fwd_groups / conv_gemm_bwd_groups need per call (per thread) for
// groups of G images: a column block [Kg, G*L] (the columns, or backward's column gradient), an
// [O, G*L] block (forward's output before the scatter, backward's gathered dY) and the GEMM's workspace.
export function conv_gemm_work_bytes(Kg: i32, O: i32, L: i32, G: i32): i32 {
  const NL = G * L;
  const ws = imax(gemm_workspace_bytes(O, NL, Kg), imax(gemm_workspace_bytes(Kg, NL, O),
    imax(gemm_workspace_bytes(Kg, O, NL), gemm_workspace_bytes(O, Kg, NL))));
  return Kg * NL * 4 + O * NL * 4 + ws + 64;
}

// The work block's layout: [Kg, G*L] columns, [O, G*L], then the GEMM's workspace (64-byte aligned).
@inline function groupColsBlock(work: usize): usize { return (work + 63) & ~(<usize>63); }
@inline function groupOutBlock(work: usize, Kg: i32, G: i32, L: i32): usize { return groupColsBlock(work) + (<usize>(Kg * G * L) << 2); }
@inline function groupGemmWork(work: usize, Kg: i32, O: i32, G: i32, L: i32): usize { return groupOutBlock(work, Kg, G, L) + (<usize>(O * G * L) << 2); }

@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }

// conv_gemm_fwd_groups(src, weight, bias, act, slope, C, H, W, kH, kW, padH, padW, strideH, strideW,
//                      dilH, dilW, outH, outW, O, N, G, g0, gCount, kept, work, dst)
//   Groups [g0, g0 + gCount) of G images (the last group of the batch may be shorter) of a groups=1
//   conv: src f32 [N, C, H, W], weight f32 [O, C*kH*kW], bias f32 [O] or 0; dst f32 [N, O, outH, outW]
//   OVERWRITTEN with act(conv + bias) (act: an EpilogueAct code). kept != 0: each group's columns are
//   written to kept at float offset n0*Kg*L as [Kg, nc*L] (for the weight gradient) instead of work.
//   work: conv_gemm_work_bytes bytes.
export function conv_gemm_fwd_groups(
  src: usize, weight: usize, bias: usize, act: i32, slope: f32, C: i32, H: i32, W: i32, kH: i32, kW: i32,
  padH: i32, padW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  O: i32, N: i32, G: i32, g0: i32, gCount: i32, kept: usize, work: usize, dst: usize,
): void {
  const L = outH * outW, Kg = C * kH * kW, HW = H * W;
  const colsWork = groupColsBlock(work), out = groupOutBlock(work, Kg, G, L), ws = groupGemmWork(work, Kg, O, G, L);
  for (let q = g0; q < g0 + gCount; q++) {
    const n0 = q * G, nc = imin(G, N - n0), NL = nc * L;
    const cols = kept ? f32p(kept, n0 * Kg * L) : colsWork;
    conv_im2col_images(f32p(src, n0 * C * HW), C * HW, nc, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW,
      outH, outW, cols, NL);
    // One image's [O, L] result already is its NCHW block.
    const y = nc == 1 ? f32p(dst, n0 * O * L) : out;
    gemm(0, 0, O, NL, Kg, weight, Kg, cols, NL, y, NL, 0, bias, bias ? BIAS_PER_ROW : BIAS_NONE, act, slope, ws);
    if (nc > 1) conv_scatter_nchw(out, O, 0, O, nc, L, f32p(dst, n0 * O * L));
  }
}

// conv_gemm_bwd_groups(src, weight, dy, y, act, slope, C, H, W, kH, kW, padH, padW, strideH, strideW,
//                      dilH, dilW, outH, outW, O, N, G, g0, gCount, kept, work, dx, partialW, partialB, transW)
//   Backward of conv_gemm_fwd_groups for groups [g0, g0 + gCount): dy, y f32 [N, O, outH, outW] (y the
//   saved output act(z), unread for act none). Per group q (images n0 = q*G ..):
//   partialB != 0: partialB[q*O ..] OVERWRITTEN with the group's bias gradient;
//   partialW != 0: the group's weight gradient OVERWRITTEN at float offset q*O*Kg, as [O, Kg], or
//     as its transpose [Kg, O] when transW (fewer wasted lanes for small O); columns from kept (as
//     the forward wrote them) or, when kept == 0, made again from src;
//   dx != 0: the group's images of dx f32 [N, C, H, W] OVERWRITTEN with the input gradient.
export function conv_gemm_bwd_groups(
  src: usize, weight: usize, dy: usize, y: usize, act: i32, slope: f32, C: i32, H: i32, W: i32, kH: i32, kW: i32,
  padH: i32, padW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  O: i32, N: i32, G: i32, g0: i32, gCount: i32, kept: usize, work: usize, dx: usize, partialW: usize, partialB: usize, transW: i32,
): void {
  const L = outH * outW, Kg = C * kH * kW, HW = H * W;
  const colsWork = groupColsBlock(work), gy = groupOutBlock(work, Kg, G, L), ws = groupGemmWork(work, Kg, O, G, L);
  for (let q = g0; q < g0 + gCount; q++) {
    const n0 = q * G, nc = imin(G, N - n0), NL = nc * L;
    const db = partialB ? f32p(partialB, q * O) : 0;
    if (db) rowZero(db, O);
    conv_gather_act_backward(act, f32p(dy, n0 * O * L), y ? f32p(y, n0 * O * L) : 0, nc, O, 0, O, L, slope, gy, NL, db);
    if (partialW) {
      let cols = colsWork;
      if (kept) cols = f32p(kept, n0 * Kg * L);
      else conv_im2col_images(f32p(src, n0 * C * HW), C * HW, nc, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW,
        outH, outW, cols, NL);
      const pw = f32p(partialW, q * O * Kg);
      if (transW) gemm(0, 1, Kg, O, NL, cols, NL, gy, NL, pw, O, 0, 0, BIAS_NONE, ACT_NONE, 0, ws);
      else gemm(0, 1, O, Kg, NL, gy, NL, cols, NL, pw, Kg, 0, 0, BIAS_NONE, ACT_NONE, 0, ws);
    }
    if (dx) {
      // In the work's column block: the weight gradient above has finished with columns made there.
      const dcols = colsWork;
      gemm(1, 0, Kg, NL, O, weight, Kg, gy, NL, dcols, NL, 0, 0, BIAS_NONE, ACT_NONE, 0, ws);
      const dxp = f32p(dx, n0 * C * HW);
      rowZero(dxp, nc * C * HW);
      conv_col2im_images(dcols, nc, C, H, W, kH, kW, padH, padW, strideH, strideW, dilH, dilW, outH, outW, dxp, NL, C * HW);
    }
  }
}
