// Plain float64 JavaScript references for the property suites: straightforward loops over
// row-major arrays, written for clarity, with PyTorch's semantics (broadcasting, NaN propagation,
// window arithmetic). Where a float32 result has an error bound that depends on the data, the
// reference also returns the magnitude that bound scales with (Σ|terms|).

export type Shape = readonly number[];

export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export function contiguousStrides(s: Shape): number[] {
  const st = new Array<number>(s.length);
  for (let d = s.length - 1, acc = 1; d >= 0; d--) { st[d] = acc; acc *= s[d]; }
  return st;
}

/** Row-major flat index -> multi-index. */
export function unravel(i: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return idx;
}

/** Flat index in a (right-aligned) broadcast source for a multi-index of the output. */
export function broadcastIndex(idx: readonly number[], src: Shape, srcStrides: readonly number[]): number {
  const off = idx.length - src.length;
  let o = 0;
  for (let d = 0; d < src.length; d++) if (src[d] !== 1) o += idx[d + off] * srcStrides[d];
  return o;
}

export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

// ---------------------------------------------------------------- elementwise

export function binary(a: Float64Array, aShape: Shape, b: Float64Array, bShape: Shape, f: (x: number, y: number) => number): { values: Float64Array; shape: number[] } {
  const shape = broadcastShapes(aShape, bShape);
  const out = new Float64Array(size(shape));
  const sa = contiguousStrides(aShape), sb = contiguousStrides(bShape);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(a[broadcastIndex(idx, aShape, sa)], b[broadcastIndex(idx, bShape, sb)]);
  }
  return { values: out, shape };
}

/** C's powf semantics (what PyTorch computes), where JS's Math.pow differs: 1^y = 1 and (-1)^±∞ = 1. */
export function powC(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

// ---------------------------------------------------------------- reductions

/** Normalised, sorted, distinct dims; undefined/null = all. */
export function reduceDims(dim: number | number[] | null | undefined, rank: number): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: rank }, (_, i) => i);
  const list = (Array.isArray(dim) ? dim : [dim]).map((d) => (d < 0 ? d + rank : d));
  return [...new Set(list)].sort((a, b) => a - b);
}

export interface Reduced { values: Float64Array; shape: number[]; absSum: Float64Array; count: number }

/** Sum (or mean) over dims; also Σ|x| per output (the scale of the float32 error bound). */
export function sumOver(x: Float64Array, shape: Shape, dims: number[], keepdim: boolean, mean: boolean): Reduced {
  const outFull = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const out = new Float64Array(size(outFull)), abs = new Float64Array(out.length);
  const st = contiguousStrides(outFull);
  for (let i = 0; i < x.length; i++) {
    const o = broadcastIndex(unravel(i, shape), outFull, st);
    out[o] += x[i];
    abs[o] += Math.abs(x[i]);
  }
  const count = dims.reduce((a, d) => a * shape[d], 1);
  if (mean) for (let i = 0; i < out.length; i++) out[i] = count === 0 ? NaN : out[i] / count;
  const outShape = keepdim ? outFull : shape.filter((_, i) => !dims.includes(i));
  return { values: out, shape: outShape, absSum: abs, count };
}

/** max/min along one dim with PyTorch's rules: NaN wins, the first extreme index wins ties. */
export function maxMinAlong(x: Float64Array, shape: Shape, dim: number, isMin: boolean): { values: Float64Array; indices: Int32Array; shape: number[] } {
  const outer = size(shape.slice(0, dim)), n = shape[dim], inner = size(shape.slice(dim + 1));
  const values = new Float64Array(outer * inner), indices = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = NaN, at = -1;
      for (let k = 0; k < n; k++) {
        const v = x[(o * n + k) * inner + j];
        if (Number.isNaN(v)) { best = v; at = k; break; }
        if (at < 0 || (isMin ? v < best : v > best)) { best = v; at = k; }
      }
      values[o * inner + j] = best;
      indices[o * inner + j] = at;
    }
  }
  return { values, indices, shape: shape.filter((_, i) => i !== dim) };
}

// ---------------------------------------------------------------- softmax

export interface SoftmaxRef { values: Float64Array; max: Float64Array; logSum: Float64Array }

/** softmax / logSoftmax along dim, computed as exp(x - max) / Σ exp(x - max); per-element max and log Σ. */
export function softmaxAlong(x: Float64Array, shape: Shape, dim: number, log: boolean): SoftmaxRef {
  const outer = size(shape.slice(0, dim)), n = shape[dim], inner = size(shape.slice(dim + 1));
  const values = new Float64Array(x.length), maxOf = new Float64Array(x.length), logSumOf = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (k: number) => (o * n + k) * inner + j;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x[at(k)]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[at(k)] - m);
      const ls = Math.log(s);
      for (let k = 0; k < n; k++) {
        const d = x[at(k)] - m;
        values[at(k)] = log ? d - ls : Math.exp(d) / s;
        maxOf[at(k)] = m;
        logSumOf[at(k)] = ls;
      }
    }
  }
  return { values, max: maxOf, logSum: logSumOf };
}

// ---------------------------------------------------------------- matmul

/** torch.matmul for 1-D..N-D operands with batch broadcasting; also Σ_k |a_ik b_kj| per output. */
export function matmul(a: Float64Array, aShape: Shape, b: Float64Array, bShape: Shape): { values: Float64Array; shape: number[]; absSum: Float64Array; K: number } {
  const a2 = aShape.length === 1 ? [1, aShape[0]] : aShape.slice();
  const b2 = bShape.length === 1 ? [bShape[0], 1] : bShape.slice();
  const M = a2[a2.length - 2], K = a2[a2.length - 1], N = b2[b2.length - 1];
  if (b2[b2.length - 2] !== K) throw new Error(`matmul reference: [${aShape}] x [${bShape}]`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  const aBatch = a2.slice(0, -2), bBatch = b2.slice(0, -2);
  const sa = contiguousStrides(aBatch), sb = contiguousStrides(bBatch);
  const nb = size(batch);
  const values = new Float64Array(nb * M * N), absSum = new Float64Array(values.length);
  for (let t = 0; t < nb; t++) {
    const idx = unravel(t, batch);
    const ao = broadcastIndex(idx, aBatch, sa) * M * K, bo = broadcastIndex(idx, bBatch, sb) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0, s1 = 0;
        for (let k = 0; k < K; k++) { const p = a[ao + i * K + k] * b[bo + k * N + j]; s += p; s1 += Math.abs(p); }
        values[(t * M + i) * N + j] = s;
        absSum[(t * M + i) * N + j] = s1;
      }
    }
  }
  const shape = [...batch];
  if (aShape.length > 1) shape.push(M);
  if (bShape.length > 1) shape.push(N);
  return { values, shape, absSum, K };
}

// ---------------------------------------------------------------- convolution and pooling

export interface Conv2dParams { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number }

export const convOut = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/** conv2d over [N, C, H, W] with weight [O, C/groups, kH, kW]; also Σ|terms| per output. */
export function conv2d(x: Float64Array, xs: Shape, w: Float64Array, ws: Shape, bias: Float64Array | null, p: Conv2dParams): { values: Float64Array; shape: number[]; absSum: Float64Array; taps: number } {
  const [N, C, H, W] = xs, [O, Cg, kH, kW] = ws;
  const oH = convOut(H, kH, p.stride[0], p.padding[0], p.dilation[0]), oW = convOut(W, kW, p.stride[1], p.padding[1], p.dilation[1]);
  const Og = O / p.groups;
  const values = new Float64Array(N * O * oH * oW), absSum = new Float64Array(values.length);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    const g = Math.floor(o / Og);
    for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
      let s = bias ? bias[o] : 0, s1 = Math.abs(s);
      for (let c = 0; c < Cg; c++) for (let u = 0; u < kH; u++) for (let v = 0; v < kW; v++) {
        const h = i * p.stride[0] - p.padding[0] + u * p.dilation[0], ww = j * p.stride[1] - p.padding[1] + v * p.dilation[1];
        if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
        const t = x[((n * C + g * Cg + c) * H + h) * W + ww] * w[((o * Cg + c) * kH + u) * kW + v];
        s += t; s1 += Math.abs(t);
      }
      const at = ((n * O + o) * oH + i) * oW + j;
      values[at] = s; absSum[at] = s1;
    }
  }
  return { values, shape: [N, O, oH, oW], absSum, taps: Cg * kH * kW + (bias ? 1 : 0) };
}

export interface PoolParams { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceilMode: boolean }

/** PyTorch's pooling output size, including the ceil-mode rule that the last window must start inside the input or left padding. */
export function poolOut(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + p) out--;
  return out;
}

/** maxPool2d: values and flat (h * W + w) indices; NaN wins, the first max in window order wins ties. */
export function maxPool2d(x: Float64Array, xs: Shape, p: PoolParams): { values: Float64Array; indices: Int32Array; shape: number[] } {
  const [N, C, H, W] = xs;
  const oH = poolOut(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode);
  const oW = poolOut(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode);
  const values = new Float64Array(N * C * oH * oW), indices = new Int32Array(values.length);
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
    let best = -Infinity, at = -1;
    for (let u = 0; u < p.kernel[0]; u++) for (let v = 0; v < p.kernel[1]; v++) {
      const h = i * p.stride[0] - p.padding[0] + u * p.dilation[0], w = j * p.stride[1] - p.padding[1] + v * p.dilation[1];
      if (h < 0 || h >= H || w < 0 || w >= W) continue;
      const val = x[(nc * H + h) * W + w];
      if (Number.isNaN(best)) continue;
      if (at < 0 || val > best || Number.isNaN(val)) { best = val; at = h * W + w; }
    }
    values[(nc * oH + i) * oW + j] = best;
    indices[(nc * oH + i) * oW + j] = at;
  }
  return { values, indices, shape: [N, C, oH, oW] };
}

/** avgPool2d with countIncludePad / divisorOverride and PyTorch's ceil-mode window clipping. */
export function avgPool2d(x: Float64Array, xs: Shape, p: Omit<PoolParams, 'dilation'> & { countIncludePad: boolean; divisorOverride: number | null }): { values: Float64Array; shape: number[]; absMean: Float64Array } {
  const [N, C, H, W] = xs;
  const [kH, kW] = p.kernel, [sH, sW] = p.stride, [pH, pW] = p.padding;
  const oH = poolOut(H, kH, sH, pH, 1, p.ceilMode), oW = poolOut(W, kW, sW, pW, 1, p.ceilMode);
  const values = new Float64Array(N * C * oH * oW), absMean = new Float64Array(values.length);
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
    let h0 = i * sH - pH, w0 = j * sW - pW;
    let h1 = Math.min(h0 + kH, H + pH), w1 = Math.min(w0 + kW, W + pW);
    const poolSize = (h1 - h0) * (w1 - w0);
    h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, H); w1 = Math.min(w1, W);
    let s = 0, s1 = 0;
    for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) { const v = x[(nc * H + h) * W + w]; s += v; s1 += Math.abs(v); }
    const div = p.divisorOverride ?? (p.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
    values[(nc * oH + i) * oW + j] = s / div;
    absMean[(nc * oH + i) * oW + j] = s1 / Math.abs(div);
  }
  return { values, shape: [N, C, oH, oW], absMean };
}

/** adaptiveAvgPool2d: window i covers [floor(i*In/Out), ceil((i+1)*In/Out)). */
export function adaptiveAvgPool2d(x: Float64Array, xs: Shape, oH: number, oW: number): { values: Float64Array; shape: number[]; absMean: Float64Array } {
  const [N, C, H, W] = xs;
  const values = new Float64Array(N * C * oH * oW), absMean = new Float64Array(values.length);
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
    const h0 = Math.floor((i * H) / oH), h1 = Math.ceil(((i + 1) * H) / oH);
    const w0 = Math.floor((j * W) / oW), w1 = Math.ceil(((j + 1) * W) / oW);
    let s = 0, s1 = 0;
    for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) { const v = x[(nc * H + h) * W + w]; s += v; s1 += Math.abs(v); }
    const n = (h1 - h0) * (w1 - w0);
    values[(nc * oH + i) * oW + j] = s / n;
    absMean[(nc * oH + i) * oW + j] = s1 / n;
  }
  return { values, shape: [N, C, oH, oW], absMean };
}

// ---------------------------------------------------------------- recurrent cells

export interface CellWeights { wIh: Float64Array; wHh: Float64Array; bIh: Float64Array | null; bHh: Float64Array | null; I: number; H: number }

/**
 * Pre-activations of gate rows [g*H, (g+1)*H) for one batch row: W_ih x + b_ih and W_hh h + b_hh
 * separately (GRU needs them apart), with Σ|terms| of each.
 */
function gates(w: CellWeights, x: Float64Array, xo: number, h: Float64Array, ho: number, G: number) {
  const ih = new Float64Array(G * w.H), hh = new Float64Array(G * w.H), abs = new Float64Array(G * w.H);
  for (let r = 0; r < G * w.H; r++) {
    let a = w.bIh ? w.bIh[r] : 0, b = w.bHh ? w.bHh[r] : 0, s1 = Math.abs(a) + Math.abs(b);
    for (let k = 0; k < w.I; k++) { const t = w.wIh[r * w.I + k] * x[xo + k]; a += t; s1 += Math.abs(t); }
    for (let k = 0; k < w.H; k++) { const t = w.wHh[r * w.H + k] * h[ho + k]; b += t; s1 += Math.abs(t); }
    ih[r] = a; hh[r] = b; abs[r] = s1;
  }
  return { ih, hh, abs };
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export type CellMode = 'rnnTanh' | 'rnnRelu' | 'lstm' | 'gru';
export const GATES: Record<CellMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };

/** One cell step for B rows; returns h' (and c' for LSTM) and, per output, the largest Σ|terms| of its gates. */
export function cellStep(mode: CellMode, w: CellWeights, x: Float64Array, h: Float64Array, c: Float64Array, B: number): { h: Float64Array; c: Float64Array | null; scale: Float64Array } {
  const H = w.H, G = GATES[mode];
  const hOut = new Float64Array(B * H), cOut = mode === 'lstm' ? new Float64Array(B * H) : null, scale = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    const { ih, hh, abs } = gates(w, x, b * w.I, h, b * H, G);
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      let sc = 0;
      for (let g = 0; g < G; g++) sc = Math.max(sc, abs[g * H + j]);
      scale[o] = sc;
      if (mode === 'rnnTanh') hOut[o] = Math.tanh(ih[j] + hh[j]);
      else if (mode === 'rnnRelu') hOut[o] = Math.max(ih[j] + hh[j], 0);
      else if (mode === 'lstm') {
        const i = sigmoid(ih[j] + hh[j]), f = sigmoid(ih[H + j] + hh[H + j]);
        const gg = Math.tanh(ih[2 * H + j] + hh[2 * H + j]), oo = sigmoid(ih[3 * H + j] + hh[3 * H + j]);
        const c1 = f * c[o] + i * gg;
        cOut![o] = c1;
        hOut[o] = oo * Math.tanh(c1);
      } else {
        const r = sigmoid(ih[j] + hh[j]), z = sigmoid(ih[H + j] + hh[H + j]);
        const n = Math.tanh(ih[2 * H + j] + r * hh[2 * H + j]);
        hOut[o] = (1 - z) * n + z * h[o];
      }
    }
  }
  return { h: hOut, c: cOut, scale };
}
