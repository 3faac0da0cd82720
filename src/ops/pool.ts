// Pooling with PyTorch semantics: max (dilation, ceil mode, indices), average (countIncludePad,
// divisorOverride, ceil mode) and adaptive average, in 2-D over [N, C, H, W] or [C, H, W] and 1-D
// (as 2-D with H = 1). Kernels in assembly/pool.ts work on N*C independent planes.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import * as views from './views.js';
import { pair, type Pair } from './conv.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';
import { expectFloat, type FloatOp } from '../dtypes.js';

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  /** Count padding taps in the divisor (default true, like PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead (must be non-zero). */
  divisorOverride?: number | null;
}

type One = number | readonly [number];
export interface MaxPool1dOptions { stride?: One | null; padding?: One; dilation?: One; ceilMode?: boolean; returnIndices?: boolean }
export interface AvgPool1dOptions { stride?: One | null; padding?: One; ceilMode?: boolean; countIncludePad?: boolean }

/** F.maxPool2d's arguments after the kernel size, in PyTorch's order (F.max_pool2d puts ceilMode before returnIndices). */
export type MaxPool2dFnArgs = PositionalArgs<[stride: Pair | null, padding: Pair, dilation: Pair, ceilMode: boolean, returnIndices: boolean], MaxPool2dOptions>;
/** F.maxPool1d's arguments after the kernel size, in PyTorch's order. */
export type MaxPool1dFnArgs = PositionalArgs<[stride: One | null, padding: One, dilation: One, ceilMode: boolean, returnIndices: boolean], MaxPool1dOptions>;
/** F.avgPool2d's arguments after the kernel size, in PyTorch's order. */
export type AvgPool2dFnArgs = PositionalArgs<[stride: Pair | null, padding: Pair, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null], AvgPool2dOptions>;
/** F.avgPool1d's arguments after the kernel size, in PyTorch's order. */
export type AvgPool1dFnArgs = PositionalArgs<[stride: One | null, padding: One, ceilMode: boolean, countIncludePad: boolean], AvgPool1dOptions>;

const poolArgs = (op: string, positional: string[]): ArgSpec => ({
  op, leading: ['input', 'kernelSize'], positional,
  types: { ceilMode: 'boolean', returnIndices: 'boolean', countIncludePad: 'boolean', divisorOverride: ['number', 'null'] },
});
const MAX_ARGS = ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'];
const MAXPOOL2D_ARGS = poolArgs('maxPool2d', MAX_ARGS), MAXPOOL1D_ARGS = poolArgs('maxPool1d', MAX_ARGS);
const AVGPOOL2D_ARGS = poolArgs('avgPool2d', ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
const AVGPOOL1D_ARGS = poolArgs('avgPool1d', ['stride', 'padding', 'ceilMode', 'countIncludePad']);

interface Window {
  N: number; C: number; H: number; W: number;
  kH: number; kW: number; sH: number; sW: number; pH: number; pW: number; dH: number; dW: number;
  ceilMode: boolean; outH: number; outW: number;
}

// Shapes are shown as the caller passed them (1-D pools run as 2-D with an inserted H = 1 dim).
function shown(shape: readonly number[], oneD: boolean): string {
  return `[${oneD ? shape.filter((_, i) => i !== shape.length - 2) : shape}]`;
}

function windowOf(x: Tensor, kernelSize: Pair, stride: Pair | null | undefined, padding: Pair, dilation: Pair,
                  ceilMode: boolean, op: string, oneD: boolean): Window {
  const [N, C, H, W] = x.shape;
  if (H === 0 || W === 0 || C === 0) {
    throw new Error(`${op}: expected an input with non-zero channel and spatial sizes, got shape ${shown(x.shape, oneD)}`);
  }
  const [kH, kW] = pair(kernelSize, 'kernel size', op, 1);
  const [sH, sW] = stride == null || (Array.isArray(stride) && stride.length === 0) ? [kH, kW] : pair(stride, 'stride', op, 1);
  const [pH, pW] = pair(padding, 'padding', op, 0);
  const [dH, dW] = pair(dilation, 'dilation', op, 1);
  if (pH > kH / 2 || pW > kW / 2) {
    throw new Error(`${op}: padding should be at most half of the kernel size, got padding ${oneD ? pW : `[${pH}, ${pW}]`} ` +
      `for kernel size ${oneD ? kW : `[${kH}, ${kW}]`}`);
  }
  const k = backend.k;
  const outH = k.pool_out_size(H, kH, pH, sH, dH, ceilMode ? 1 : 0) as number;
  const outW = k.pool_out_size(W, kW, pW, sW, dW, ceilMode ? 1 : 0) as number;
  if (outH < 1 || outW < 1) {
    throw new Error(`${op}: output size is too small: input ${shown(x.shape, oneD)} with kernel ${oneD ? kW : `[${kH}, ${kW}]`}, ` +
      `stride ${oneD ? sW : `[${sH}, ${sW}]`}, padding ${oneD ? pW : `[${pH}, ${pW}]`}, dilation ${oneD ? dW : `[${dH}, ${dW}]`} ` +
      `gives ${oneD ? outW : `${outH}x${outW}`}`);
  }
  return { N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, ceilMode, outH, outW };
}

// Lifts an unbatched input to a batch of one and back.
function batched(x: Tensor, rank: number, op: FloatOp, oneD: boolean, f: (x4: Tensor) => Tensor | [Tensor, Tensor]): any {
  expectFloat(op, x);
  const dims = oneD ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
  if (x.ndim !== rank && x.ndim !== rank - 1) throw new Error(`${op}: expected a ${rank - 1}-D or ${rank}-D input ${dims}, got shape [${x.shape}]`);
  const unbatched = x.ndim === rank - 1;
  let x4 = unbatched ? views.unsqueeze(x, 0) : x;
  if (oneD) x4 = views.unsqueeze(x4, 2);
  const back = (t: Tensor) => { let r = oneD ? views.squeeze(t, 2) : t; if (unbatched) r = views.squeeze(r, 0); return r; };
  const out = f(x4);
  return Array.isArray(out) ? out.map(back) : back(out);
}

// Planes (one image channel each) are pooled independently, so slices of them may run on other threads.
function byPlanes(kernel: 'pool_max2d_fwd' | 'pool_max2d_bwd' | 'pool_avg2d_fwd' | 'pool_avg2d_bwd', NC: number, w: Window,
                  args: (start: number, count: number) => number[]): void {
  parallelRows(kernel, NC, NC * (w.H * w.W + w.outH * w.outW), MIN_PARALLEL_ELEMENTS, args, 1);
}

function maxPoolCore(x: Tensor, w: Window, op: string): [Tensor, Tensor] {
  const xc = x.contiguous();
  const NC = w.N * w.C;
  const y = Tensor._empty([w.N, w.C, w.outH, w.outW]);
  const idx = Tensor._empty([w.N, w.C, w.outH, w.outW], 'int32');
  if (y.numel()) {
    const xp = xc.ptr(op), yp = y.ptr(), ip = idx.ptr();
    byPlanes('pool_max2d_fwd', NC, w, (s, c) => [xp + s * w.H * w.W * 4, c, w.H, w.W, w.kH, w.kW, w.pH, w.pW, w.sH, w.sW, w.dH, w.dW,
      w.outH, w.outW, yp + s * w.outH * w.outW * 4, ip + s * w.outH * w.outW * 4]);
  }
  if (needsGrad(x)) {
    record(y, 'MaxPool2DWithIndicesBackward0', [x], (g) => {
      const gc = g.contiguous();
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        const gp = gc.ptr(op), ip = idx.ptr(op), dp = dx.ptr(), OL = w.outH * w.outW;
        // The kernel zeroes each dx plane before its scatter (windowOf: every plane has outputs).
        byPlanes('pool_max2d_bwd', NC, w, (s, c) => [gp + s * OL * 4, ip + s * OL * 4, c, w.H, w.W, w.kH, w.kW, w.pH, w.pW, w.sH, w.sW, w.dH, w.dW,
          w.outH, w.outW, dp + s * w.H * w.W * 4]);
      }
      return [dx];
    }, [idx]);
  }
  return [y, idx];
}

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]). With returnIndices, also the flat h*W + w index of
 * each maximum within its plane (int32; PyTorch returns int64).
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Pair, ...args: PositionalArgs<[stride: Pair | null, padding: Pair, dilation: Pair, ceilMode: boolean],
  MaxPool2dOptions & { returnIndices?: false }>): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Pair, ...args: MaxPool2dFnArgs): Tensor | [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Pair, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const op = 'maxPool2d';
  const opts = parseArgs<MaxPool2dOptions>(MAXPOOL2D_ARGS, args);
  return batched(x, 4, op, false, (x4) => {
    const w = windowOf(x4, kernelSize, opts.stride, opts.padding ?? 0, opts.dilation ?? 1, opts.ceilMode ?? false, op, false);
    const [y, idx] = maxPoolCore(x4, w, op);
    return opts.returnIndices ? [y, idx] : y;
  });
}

/** Max pooling over [N, C, L] (or [C, L]); indices are positions along L. */
export function maxPool1d(x: Tensor, kernelSize: One, opts?: MaxPool1dOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, kernelSize: One, opts: MaxPool1dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: One, ...args: PositionalArgs<[stride: One | null, padding: One, dilation: One, ceilMode: boolean],
  MaxPool1dOptions & { returnIndices?: false }>): Tensor;
export function maxPool1d(x: Tensor, kernelSize: One, ...args: MaxPool1dFnArgs): Tensor | [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: One, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const op = 'maxPool1d';
  const opts = parseArgs<MaxPool1dOptions>(MAXPOOL1D_ARGS, args);
  return batched(x, 3, op, true, (x4) => {
    const w = windowOf(x4, [1, one(kernelSize)], opts.stride == null ? null : [1, one(opts.stride)],
      [0, one(opts.padding ?? 0)], [1, one(opts.dilation ?? 1)], opts.ceilMode ?? false, op, true);
    const [y, idx] = maxPoolCore(x4, w, op);
    return opts.returnIndices ? [y, idx] : y;
  });
}

function avgPoolCore(x: Tensor, w: Window, countIncludePad: boolean, divisorOverride: number | null | undefined, op: string): Tensor {
  if (divisorOverride != null && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new Error(`${op}: divisorOverride must be a non-zero integer, got ${divisorOverride}`);
  }
  const xc = x.contiguous();
  const NC = w.N * w.C;
  const cip = countIncludePad ? 1 : 0, div = divisorOverride ?? 0;
  const y = Tensor._empty([w.N, w.C, w.outH, w.outW]);
  if (y.numel()) {
    const xp = xc.ptr(op), yp = y.ptr();
    byPlanes('pool_avg2d_fwd', NC, w, (s, c) => [xp + s * w.H * w.W * 4, c, w.H, w.W, w.kH, w.kW, w.pH, w.pW, w.sH, w.sW, w.outH, w.outW, cip, div,
      yp + s * w.outH * w.outW * 4]);
  }
  if (needsGrad(x)) {
    record(y, 'AvgPool2DBackward0', [x], (g) => {
      const gc = g.contiguous();
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        backend.k.ew_fill(dx.ptr(), dx.numel(), 0);
        const gp = gc.ptr(op), dp = dx.ptr();
        if (gc.numel()) byPlanes('pool_avg2d_bwd', NC, w, (s, c) => [gp + s * w.outH * w.outW * 4, c, w.H, w.W, w.kH, w.kW, w.pH, w.pW, w.sH, w.sW,
          w.outH, w.outW, cip, div, dp + s * w.H * w.W * 4]);
      }
      return [dx];
    });
  }
  return y;
}

/** Average pooling over [N, C, H, W] (or [C, H, W]). */
export function avgPool2d(x: Tensor, kernelSize: Pair, ...args: AvgPool2dFnArgs): Tensor {
  const op = 'avgPool2d';
  const opts = parseArgs<AvgPool2dOptions>(AVGPOOL2D_ARGS, args);
  return batched(x, 4, op, false, (x4) => {
    const w = windowOf(x4, kernelSize, opts.stride, opts.padding ?? 0, 1, opts.ceilMode ?? false, op, false);
    return avgPoolCore(x4, w, opts.countIncludePad ?? true, opts.divisorOverride, op);
  });
}

/** Average pooling over [N, C, L] (or [C, L]). */
export function avgPool1d(x: Tensor, kernelSize: One, ...args: AvgPool1dFnArgs): Tensor {
  const op = 'avgPool1d';
  const opts = parseArgs<AvgPool1dOptions>(AVGPOOL1D_ARGS, args);
  return batched(x, 3, op, true, (x4) => {
    const w = windowOf(x4, [1, one(kernelSize)], opts.stride == null ? null : [1, one(opts.stride)],
      [0, one(opts.padding ?? 0)], 1, opts.ceilMode ?? false, op, true);
    return avgPoolCore(x4, w, opts.countIncludePad ?? true, null, op);
  });
}

function adaptiveCore(x: Tensor, outH: number, outW: number, op: string): Tensor {
  const [N, C, H, W] = x.shape;
  const xc = x.contiguous();
  const NC = N * C;
  const y = Tensor._empty([N, C, outH, outW]);
  if (y.numel()) backend.k.pool_adaptive_avg2d_fwd(xc.ptr(op), NC, H, W, outH, outW, y.ptr());
  if (needsGrad(x)) {
    record(y, 'AdaptiveAvgPool2DBackward0', [x], (g) => {
      const gc = g.contiguous();
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        backend.k.ew_fill(dx.ptr(), dx.numel(), 0);
        if (gc.numel()) backend.k.pool_adaptive_avg2d_bwd(gc.ptr(op), NC, H, W, outH, outW, dx.ptr());
      }
      return [dx];
    });
  }
  return y;
}

/** Output size per dim; null keeps that input size (PyTorch's None). */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** Adaptive average pooling to a fixed output size: windows [floor(i*In/Out), ceil((i+1)*In/Out)). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const op = 'adaptiveAvgPool2d';
  return batched(x, 4, op, false, (x4) => {
    const [, , H, W] = x4.shape;
    const raw = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    if (raw.length !== 2) throw new Error(`${op}: outputSize must be an int or a pair, got ${JSON.stringify(outputSize)}`);
    const [oh, ow] = [raw[0] ?? H, raw[1] ?? W];
    if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 0 || ow < 0) {
      throw new Error(`${op}: outputSize must be non-negative integers, got ${JSON.stringify(outputSize)}`);
    }
    if ((H === 0 || W === 0) && x4.numel() === 0 && x4.shape[1] !== 0) {
      throw new Error(`${op}: expected an input with non-zero spatial sizes, got shape [${x.shape}]`);
    }
    return adaptiveCore(x4, oh, ow, op);
  });
}

/** Adaptive average pooling over [N, C, L] (or [C, L]). */
export function adaptiveAvgPool1d(x: Tensor, outputSize: One): Tensor {
  const op = 'adaptiveAvgPool1d';
  return batched(x, 3, op, true, (x4) => {
    const o = one(outputSize);
    if (x4.shape[3] === 0) throw new Error(`${op}: expected an input with a non-zero length, got shape [${x.shape}]`);
    return adaptiveCore(x4, 1, o, op);
  });
}

// A 1-D pool argument: an int or a 1-tuple (values are validated by windowOf).
function one(v: One): number {
  if (typeof v === 'number') return v;
  if (!Array.isArray(v) || v.length !== 1) throw new Error(`pool1d: expected an int or a 1-tuple, got ${JSON.stringify(v)}`);
  return v[0];
}
