// conv2d / conv1d with PyTorch semantics (NCHW, weight [O, C/groups, kH, kW], stride, padding incl.
// 'same'/'valid', dilation, groups), optionally with an activation fused into the same op.
// Dense convs are im2col + ONE GEMM per group over a whole (sub)batch: the columns of up to
// COLS_BUDGET bytes of images sit side by side ([C*kH*kW, n*outH*outW]), the GEMM applies bias and
// activation in its epilogue and writes [O, n*outH*outW], which is scattered to NCHW. A batch of
// small images runs the same steps by fixed groups of images, threads taking whole groups
// (imageGroup); a few large images split each GEMM across threads instead. 1x1 stride-1
// unpadded convs skip im2col (a GEMM per image straight on the input); depthwise convs
// (groups == C == O) and convs of one input channel (an image's first layer) use direct kernels
// (assembly/conv.ts).
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows, sumRows } from '../runtime/parallel.js';
import { scratch, writeMeta } from '../runtime/scratch.js';
import { BiasKind, EpilogueAct } from '../runtime/protocol.js';
import { needsGrad, record } from '../autograd/node.js';
import { gemm, transposed, type LinearActivation, type Mat } from './matmul.js';
import * as views from './views.js';
import { unaryKernel } from './elementwise.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';
import { expectFloat } from '../dtypes.js';

export type Pair = number | readonly [number, number];
export type ConvPadding = Pair | 'same' | 'valid';
export type ConvActivation = LinearActivation;

/** An activation applied to conv + bias inside the same op (nn.Sequential fuses Conv + ReLU this way). */
interface FusedActivationOptions {
  /** Applied in the GEMM epilogue; backward takes its derivative from the saved output. Default 'none'. */
  activation?: ConvActivation;
  /** Negative slope of activation 'leakyRelu' (default 0.01, like nn.LeakyReLU). */
  negativeSlope?: number;
}

export interface Conv2dOptions extends FusedActivationOptions {
  stride?: Pair;
  /** An int or [h, w] (both sides), 'valid' (0) or 'same' (output size = input size; stride 1 only). */
  padding?: ConvPadding;
  dilation?: Pair;
  groups?: number;
}

export interface Conv1dOptions extends FusedActivationOptions {
  stride?: number | readonly [number];
  padding?: number | readonly [number] | 'same' | 'valid';
  dilation?: number | readonly [number];
  groups?: number;
}

/** F.conv2d's arguments after the weight, in PyTorch's order: (bias, stride, padding, dilation, groups), then options. */
export type Conv2dFnArgs = PositionalArgs<[bias: Tensor | null, stride: Pair, padding: ConvPadding, dilation: Pair, groups: number], Conv2dOptions & { bias?: Tensor | null }>;
/** F.conv1d's arguments after the weight, in PyTorch's order: (bias, stride, padding, dilation, groups), then options. */
export type Conv1dFnArgs = PositionalArgs<[bias: Tensor | null, stride: Conv1dOptions['stride'], padding: Conv1dOptions['padding'],
  dilation: Conv1dOptions['dilation'], groups: number], Conv1dOptions & { bias?: Tensor | null }>;

// conv2d(input, weight, bias, stride, padding, dilation, groups) as in PyTorch; `activation` and
// `negativeSlope` are wasmgrad's fused epilogue (src/options.ts).
const convArgs = (op: string): ArgSpec => ({
  op, leading: ['input', 'weight'], positional: ['bias', 'stride', 'padding', 'dilation', 'groups'], keywords: ['activation', 'negativeSlope'],
  types: { bias: ['tensor', 'null'], groups: 'integer', negativeSlope: 'number', activation: 'string' },
});
const CONV2D_ARGS = convArgs('conv2d'), CONV1D_ARGS = convArgs('conv1d');

// The bias (positional or in the options) and the remaining options of a conv call.
function convOptions<O extends object>(spec: ArgSpec, args: readonly unknown[]): [Tensor | null, O] {
  const { bias = null, ...rest } = parseArgs<O & { bias?: Tensor | null }>(spec, args);
  return [bias, rest as unknown as O];
}

/** An int or a 1-/2-tuple as [h, w], each checked to be an integer >= min. */
export function pair(v: number | readonly number[], name: string, op: string, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v.length === 1 ? [v[0], v[0]] : v;
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new Error(`${op}: ${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/** Resolved geometry of one conv2d call. Padding may be asymmetric ('same' with an even kernel). */
interface Geometry {
  N: number; C: number; H: number; W: number;
  O: number; kH: number; kW: number; groups: number;
  sH: number; sW: number; dH: number; dW: number;
  padT: number; padL: number; padB: number; padR: number;
  outH: number; outW: number;
}

// Shapes as the caller passed them: conv1d runs as conv2d with an inserted H = 1 dim.
function shown(shape: readonly number[], oneD: boolean): string {
  return `[${oneD ? shape.filter((_, i) => i !== 2) : shape}]`;
}

function geometry(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions, op: string, oneD: boolean): Geometry {
  // Only for messages: formatted when one is thrown, not on every call.
  const xs = () => shown(x.shape, oneD), ws = () => shown(weight.shape, oneD);
  if (x.ndim !== 4) throw new Error(`${op}: expected a 3-D (unbatched) or 4-D (batched) input [N, C, H, W], got shape [${x.shape}]`);
  if (weight.ndim !== 4) throw new Error(`${op}: expected a 4-D weight [out, in/groups, kH, kW], got shape [${weight.shape}]`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  const [N, C, H, W] = x.shape;
  const [O, Cg, kH, kW] = weight.shape;
  if (O % groups !== 0) throw new Error(`${op}: out channels ${O} (weight ${ws()}) must be divisible by groups=${groups}`);
  if (C % groups !== 0) throw new Error(`${op}: input channels ${C} (input ${xs()}) must be divisible by groups=${groups}`);
  if (Cg * groups !== C) {
    throw new Error(`${op}: given groups=${groups}, weight of size ${ws()} expects input ${xs()} to have ${Cg * groups} channels, but it has ${C}`);
  }
  if (kH < 1 || kW < 1) throw new Error(`${op}: kernel size must be positive, got weight ${ws()}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new Error(`${op}: bias shape [${bias.shape}] should be [${O}] (weight ${ws()})`);
  const [sH, sW] = pair(opts.stride ?? 1, 'stride', op, 1);
  const [dH, dW] = pair(opts.dilation ?? 1, 'dilation', op, 1);
  const effH = dH * (kH - 1) + 1, effW = dW * (kW - 1) + 1;
  let padT: number, padL: number, padB: number, padR: number;
  const padding = opts.padding ?? 0;
  if (padding === 'same') {
    if (sH !== 1 || sW !== 1) throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride [${sH}, ${sW}])`);
    // PyTorch puts the odd extra pixel of an even effective kernel at the bottom / right.
    padT = (effH - 1) >> 1; padB = effH - 1 - padT;
    padL = (effW - 1) >> 1; padR = effW - 1 - padL;
  } else if (padding === 'valid') {
    padT = padL = padB = padR = 0;
  } else {
    [padT, padL] = pair(padding, 'padding', op, 0);
    padB = padT; padR = padL;
  }
  const inH = H + padT + padB, inW = W + padL + padR;
  if (effH > inH || effW > inW) {
    const size = (h: number, w: number) => (oneD ? `${w}` : `${h}x${w}`);
    throw new Error(`${op}: kernel size ${size(kH, kW)}${dH > 1 || dW > 1 ? ` (dilated ${size(effH, effW)})` : ''} can't be greater than ` +
      `the padded input size ${size(inH, inW)} (input ${xs()}, padding ${oneD ? `[${padL}]` : `[${padT}, ${padL}]`})`);
  }
  const outH = Math.floor((inH - effH) / sH) + 1, outW = Math.floor((inW - effW) / sW) + 1;
  return { N, C, H, W, O, kH, kW, groups, sH, sW, dH, dW, padT, padL, padB, padR, outH, outW };
}

/**
 * How a conv is computed: 'im2col' (+ one GEMM per sub-batch, threads splitting the GEMM) always
 * works; 'groups' is im2col + GEMM by fixed groups of images, threads taking whole groups (any
 * groups = 1 conv); 'direct' means the depthwise kernels for depthwise convs and for
 * one-input-channel convs, and a GEMM straight on the input for 1x1 stride-1 unpadded convs.
 * 'auto' picks per shape class (chooseAlgo).
 */
export type ConvAlgo = 'auto' | 'im2col' | 'groups' | 'direct';
let forcedAlgo: ConvAlgo = 'auto';
/** @internal Forces an algorithm where applicable (benchmarks and tests compare the paths); returns the previous one. */
export function _setConvAlgo(a: ConvAlgo): ConvAlgo { const prev = forcedAlgo; forcedAlgo = a; return prev; }

const isDepthwise = (g: Geometry) => g.groups === g.C && g.O === g.C;
// One input channel, stride 1, undilated, rows of at least one vector: the column matrix would have
// only kH*kW rows, too few for the GEMM to pay for its packing, edge tiles and NCHW scatter.
const isSingleChannel = (g: Geometry) => g.C === 1 && g.groups === 1 && g.sH === 1 && g.sW === 1 && g.dH === 1 && g.dW === 1 && g.outW >= 4;
const isPointwise = (g: Geometry) => g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 &&
  g.padT + g.padL + g.padB + g.padR === 0;

// Measured with bench/workloads/conv.ts on this machine (see its 'algo' rows): the direct depthwise
// kernels beat per-channel GEMMs (1-row matrices) several times over, and skipping the im2col copy
// of a 1x1 conv is never slower. One-input-channel convs (an image model's first layer): the
// direct kernels made the whole small-CNN training step 1.09x faster (bench/paired.ts cnn, 1 thread).
// Every other conv only has the im2col + GEMM path.
// The other convs take im2col + GEMM, by fixed groups of images (group: images per group) when
// batchByGroups(g), else one GEMM per sub-batch (group 0).
function chooseAlgo(g: Geometry): { depthwise: boolean; pointwise: boolean; single: boolean; group: number } {
  const direct = forcedAlgo === 'auto' || forcedAlgo === 'direct';
  const depthwise = direct && isDepthwise(g), pointwise = direct && !depthwise && isPointwise(g);
  const single = direct && !depthwise && !pointwise && isSingleChannel(g);
  const byGroups = g.groups === 1 && !depthwise && !pointwise && !single && forcedAlgo !== 'im2col' && (forcedAlgo === 'groups' || batchByGroups(g));
  return { depthwise, pointwise, single, group: byGroups ? imageGroup(g) : 0 };
}

// Byte offset helpers: all tensors here are contiguous float32.
const f4 = (n: number) => n * 4;

// The kernels take one top/left pad; bottom/right padding is implied by outH/outW (taps that fall
// past the input read as zero), which is how 'same' with an even kernel works.
function kernelArgs(g: Geometry, Cg: number): number[] {
  return [Cg, g.H, g.W, g.kH, g.kW, g.padT, g.padL, g.sH, g.sW, g.dH, g.dW, g.outH, g.outW];
}

// The fused activation as the kernels see it: a GEMM epilogue code and leaky ReLU's slope.
interface Act { name: ConvActivation; code: number; slope: number }

function activationOf(opts: FusedActivationOptions, op: string): Act {
  const name = opts.activation ?? 'none';
  if (!Object.prototype.hasOwnProperty.call(EpilogueAct, name)) {
    throw new Error(`${op}: activation must be one of ${Object.keys(EpilogueAct).map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(name)}`);
  }
  const slope = opts.negativeSlope ?? 0.01;
  if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`${op}: negativeSlope must be a finite number, got ${slope}`);
  return { name, code: EpilogueAct[name], slope };
}

// Upper bound for the column matrix (and the [O, n*L] GEMM output) of one sub-batch. Measured on the
// MNIST CNN layers: 256 KB to 2 MB (cache-resident columns) are equally fast, 8 MB is 10-20% slower
// (the GEMM then streams its packed panels from L3). 2 MB leaves each of two threads wide GEMM
// slices (4 images of 28x28x144 split 2 + 2: a 3x3 conv ran 1.4x faster on 2 threads than with 1 MB).
// It must not depend on the thread count: sub-batches decide the order in which dW accumulates.
const COLS_BUDGET = 1 << 21;

// Padded output area of an M x N GEMM in 6x8 register tiles: dW [O, CkK] is computed as its
// transpose when that wastes fewer lanes (a 1-channel 3x3 conv: [9, O] instead of [O, 9], ~1.8x faster).
const tileArea = (m: number, n: number) => Math.ceil(m / 6) * 6 * Math.ceil(n / 8) * 8;

// Dense convs of a batch (groups = 1, at least MIN_GROUPED_BATCH images whose columns, or output
// if larger, fit COLS_BUDGET) run by fixed groups of images, each group's im2col, GEMMs, scatter
// and col2im whole on one thread (conv_gemm_*_groups): threads then take the same images as the
// pooling and activation ops around the conv, so each core reads what it wrote. Split the other
// way (a GEMM over a sub-batch split by output positions, the scatter by channels), half of what a
// core read came from the other core's cache: the small CNN's step gained only 1.3x from a second
// thread. A group's columns (or output) stay within GROUP_COLS_BYTES; groups are a power of two of
// images, at most MAX_GROUP and at most N/8 (so a batch makes about 8 groups to share). Measured
// on the small CNN (bench/paired.ts cnn, against groups of 8 images): groups of 4 (256 KB) 1.05x on
// 1 thread, 1.09-1.11x on 2; of 2 1.03x / 1.11x; of 1 1.02x / 1.02x. The example CNN's second conv
// (113 KB of columns an image) ran alike with groups of 2 and 4. The weight gradient is a sum of
// per-group partials in group order: the group size must depend on the shape only, never on the
// thread count.
const MIN_GROUPED_BATCH = 4, GROUP_COLS_BYTES = 1 << 18, MAX_GROUP = 8;
const pow2Floor = (v: number) => (v < 2 ? 1 : 2 ** Math.floor(Math.log2(v)));
// An image's share of a group's work blocks: its columns [Kg, L] or its GEMM output [O, L], the larger.
const imageColsBytes = (g: Geometry) => f4(Math.max(g.C * g.kH * g.kW, g.O) * g.outH * g.outW);
const batchByGroups = (g: Geometry) => g.groups === 1 && g.N >= MIN_GROUPED_BATCH && imageColsBytes(g) <= COLS_BUDGET;
function imageGroup(g: Geometry): number {
  return Math.min(MAX_GROUP, pow2Floor(GROUP_COLS_BYTES / imageColsBytes(g)), pow2Floor(g.N / 8));
}

/** Images per sub-batch: as many as fit the budget (at least one), spread evenly over the chunks. */
function chunkImages(g: Geometry, Kg: number): number {
  const perImage = f4(Math.max(Kg, g.O) * g.outH * g.outW);
  const fit = Math.max(1, Math.min(g.N, Math.floor(COLS_BUDGET / perImage)));
  const chunks = Math.ceil(g.N / fit);
  return Math.ceil(g.N / chunks);
}

/** im2col of images n0..n0+nc-1, group gi, side by side into cols [Kg, nc*L]. */
function im2colChunk(g: Geometry, xp: number, gi: number, n0: number, nc: number, cols: number): void {
  const Cg = g.C / g.groups, L = g.outH * g.outW, HW = g.H * g.W;
  const args = kernelArgs(g, Cg);
  parallelRows('conv_im2col_images', nc, nc * Cg * g.kH * g.kW * L, MIN_PARALLEL_ELEMENTS, (s, c) =>
    [xp + f4(((n0 + s) * g.C + gi * Cg) * HW), g.C * HW, c, ...args, cols + f4(s * L), nc * L], 1);
}

// kept: when given (groups == 1), the column matrices of all sub-batches stay there for backward's
// weight gradient (sub-batch n0's block [Kg, nc*L] at element n0*Kg*L) instead of the scratch.
function forwardGemm(g: Geometry, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, act: Act, kept: Tensor | null): void {
  const Cg = g.C / g.groups, Og = g.O / g.groups, Kg = Cg * g.kH * g.kW, L = g.outH * g.outW;
  const xp = x.ptr('conv2d'), wp = w.ptr('conv2d'), yp = y.ptr(), bp = b ? b.ptr('conv2d') : 0;
  const nMax = chunkImages(g, Kg);
  const scratchCols = kept ? 0 : scratch('conv-cols', f4(Kg * nMax * L));
  // One image needs no scatter: its [O, L] result already is its NCHW block.
  const out = nMax > 1 ? scratch('conv-out', f4(g.O * nMax * L)) : 0;
  for (let n0 = 0; n0 < g.N; n0 += nMax) {
    const nc = Math.min(nMax, g.N - n0), NL = nc * L;
    const dst = nc > 1 ? out : yp + f4(n0 * g.O * L);
    const cols = kept ? kept.ptr() + f4(n0 * Kg * L) : scratchCols;
    for (let gi = 0; gi < g.groups; gi++) {
      im2colChunk(g, xp, gi, n0, nc, cols);
      const A: Mat = { ptr: wp + f4(gi * Og * Kg), rows: Og, cols: Kg, trans: 0, ld: Kg };
      const B: Mat = { ptr: cols, rows: Kg, cols: NL, trans: 0, ld: NL };
      gemm(A, B, dst + f4(gi * Og * NL), NL, 0,
        { bias: b ? bp + f4(gi * Og) : 0, biasKind: b ? BiasKind.perRow : BiasKind.none, act: act.code, actParam: act.slope });
    }
    if (nc > 1) {
      parallelRows('conv_scatter_nchw', g.O, g.O * NL, MIN_PARALLEL_ELEMENTS, (s, c) => [out, g.O, s, c, nc, L, yp + f4(n0 * g.O * L)], 1);
    }
  }
}

// dW (+)= dY·colsᵀ and dcols = Wᵀ·dY as one GEMM each per group and sub-batch; col2im per image.
// dY is gathered from NCHW into [O, n*L] with the activation derivative and the bias sum in the same pass.
function backwardGemm(g: Geometry, x: Tensor, w: Tensor, y: Tensor | null, dy: Tensor, act: Act,
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, kept: Tensor | null): void {
  const k = backend.k;
  const Cg = g.C / g.groups, Og = g.O / g.groups, Kg = Cg * g.kH * g.kW, L = g.outH * g.outW, HW = g.H * g.W;
  const xp = x.ptr('conv2d backward'), wp = w.ptr('conv2d backward'), dyp = dy.ptr('conv2d backward');
  const yp = y ? y.ptr('conv2d backward') : 0, dbp = db ? db.ptr() : 0;
  const nMax = chunkImages(g, Kg);
  const gy = scratch('conv-dy', f4(g.O * nMax * L));
  const scratchCols = dw && !kept ? scratch('conv-cols', f4(Kg * nMax * L)) : 0;
  const dcols = dx ? scratch('conv-dcols', f4(Kg * nMax * L)) : 0;
  const dwT = dw && tileArea(Kg, Og) < tileArea(Og, Kg) ? scratch('conv-dwT', f4(g.groups * Kg * Og)) : 0;
  const args = kernelArgs(g, Cg);
  if (dx) k.ew_fill(dx.ptr(), dx.numel(), 0); // col2im accumulates
  if (db) k.ew_fill(dbp, g.O, 0);
  for (let n0 = 0; n0 < g.N; n0 += nMax) {
    const nc = Math.min(nMax, g.N - n0), NL = nc * L;
    parallelRows('conv_gather_act_backward', g.O, g.O * NL, MIN_PARALLEL_ELEMENTS, (s, c) =>
      [act.code, dyp + f4(n0 * g.O * L), yp && yp + f4(n0 * g.O * L), nc, g.O, s, c, L, act.slope, gy, NL, dbp], 1);
    for (let gi = 0; gi < g.groups; gi++) {
      const dY: Mat = { ptr: gy + f4(gi * Og * NL), rows: Og, cols: NL, trans: 0, ld: NL };
      if (dw) {
        // dW_g (+)= dY_g · colsᵀ, or its transpose cols · dY_gᵀ; later sub-batches accumulate (beta = 1).
        const cols = kept ? kept.ptr() + f4(n0 * Kg * L) : scratchCols;
        if (!kept) im2colChunk(g, xp, gi, n0, nc, cols);
        const beta = n0 === 0 ? 0 : 1;
        if (dwT) gemm({ ptr: cols, rows: Kg, cols: NL, trans: 0, ld: NL }, transposed(dY), dwT + f4(gi * Kg * Og), Og, beta);
        else gemm(dY, { ptr: cols, rows: NL, cols: Kg, trans: 1, ld: NL }, dw.ptr() + f4(gi * Og * Kg), Kg, beta);
      }
      if (dx) {
        const WT: Mat = { ptr: wp + f4(gi * Og * Kg), rows: Kg, cols: Og, trans: 1, ld: Kg };
        gemm(WT, dY, dcols, NL);
        const dxp = dx.ptr() + f4((n0 * g.C + gi * Cg) * HW);
        parallelRows('conv_col2im_images', nc, NL * Kg, MIN_PARALLEL_ELEMENTS, (s, c) =>
          [dcols + f4(s * L), c, ...args, dxp + f4(s * g.C * HW), NL, g.C * HW], 1);
      }
    }
  }
  if (dw && dwT) {
    // [Kg, Og] per group -> dw's [Og, Kg] block: read through strides [1, Og].
    for (let gi = 0; gi < g.groups; gi++) k.ew_copy_strided(dwT + f4(gi * Kg * Og), dw.ptr() + f4(gi * Og * Kg), 2, writeMeta([Og, Kg, 1, Og], 2));
  }
}

// The work memory of conv_gemm_*_groups: one slot per thread slice.
function groupWork(g: Geometry, G: number): { ptr: number; bytes: number } {
  const bytes = backend.k.conv_gemm_work_bytes(g.C * g.kH * g.kW, g.O, g.outH * g.outW, G);
  return { ptr: scratch('conv-group-work', bytes * backend.threads), bytes };
}

function forwardGrouped(g: Geometry, G: number, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, act: Act, kept: Tensor | null): void {
  const xp = x.ptr('conv2d'), wp = w.ptr('conv2d'), bp = b ? b.ptr('conv2d') : 0, yp = y.ptr(), keptp = kept ? kept.ptr() : 0;
  const geo = [...kernelArgs(g, g.C), g.O, g.N], work = groupWork(g, G);
  let slot = 0;
  parallelRows('conv_gemm_fwd_groups', Math.ceil(g.N / G), g.N * g.O * g.outH * g.outW * g.C * g.kH * g.kW, MIN_PARALLEL_ELEMENTS, (s, c) =>
    [xp, wp, bp, act.code, act.slope, ...geo, G, s, c, keptp, work.ptr + work.bytes * slot++, yp], 1);
}

// dW and db as per-group partials ([groups, ...] blocks) added in group order.
function backwardGrouped(g: Geometry, G: number, x: Tensor, w: Tensor, y: Tensor | null, dy: Tensor, act: Act,
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, kept: Tensor | null): void {
  const Kg = g.C * g.kH * g.kW, groups = Math.ceil(g.N / G);
  const xp = x.ptr('conv2d backward'), wp = w.ptr('conv2d backward'), dyp = dy.ptr('conv2d backward');
  const yp = y ? y.ptr('conv2d backward') : 0, keptp = kept ? kept.ptr() : 0;
  const transW = dw !== null && tileArea(Kg, g.O) < tileArea(g.O, Kg);
  const partialW = dw || db ? scratch('conv-group-partials', f4(groups * (g.O * Kg + g.O))) : 0;
  const partialB = partialW + f4(groups * g.O * Kg);
  const geo = [...kernelArgs(g, g.C), g.O, g.N], work = groupWork(g, G);
  let slot = 0;
  parallelRows('conv_gemm_bwd_groups', groups, g.N * g.O * g.outH * g.outW * Kg * ((dw ? 1 : 0) + (dx ? 1 : 0)), MIN_PARALLEL_ELEMENTS, (s, c) =>
    [xp, wp, dyp, yp, act.code, act.slope, ...geo, G, s, c, keptp, work.ptr + work.bytes * slot++,
      dx ? dx.ptr() : 0, dw ? partialW : 0, db ? partialB : 0, transW ? 1 : 0], 1);
  if (dw) {
    const dwT = transW ? scratch('conv-dwT', f4(Kg * g.O)) : 0;
    sumRows(partialW, transW ? dwT : dw.ptr(), 1, groups, g.O * Kg, 1);
    // [Kg, O] -> dw's [O, Kg]: read through strides [1, O].
    if (transW) backend.k.ew_copy_strided(dwT, dw.ptr(), 2, writeMeta([g.O, Kg, 1, g.O], 2));
  }
  if (db) sumRows(partialB, db.ptr(), 1, groups, g.O, 1);
}

// 1x1 stride-1 unpadded: each image already is its column matrix, so the GEMMs run on x per image.
function forwardPointwise(g: Geometry, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, act: Act): void {
  const Cg = g.C / g.groups, Og = g.O / g.groups, L = g.outH * g.outW;
  const xp = x.ptr('conv2d'), wp = w.ptr('conv2d'), yp = y.ptr(), bp = b ? b.ptr('conv2d') : 0;
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const A: Mat = { ptr: wp + f4(gi * Og * Cg), rows: Og, cols: Cg, trans: 0, ld: Cg };
      const B: Mat = { ptr: xp + f4((n * g.C + gi * Cg) * L), rows: Cg, cols: L, trans: 0, ld: L };
      gemm(A, B, yp + f4((n * g.O + gi * Og) * L), L, 0,
        { bias: b ? bp + f4(gi * Og) : 0, biasKind: b ? BiasKind.perRow : BiasKind.none, act: act.code, actParam: act.slope });
    }
  }
}

// dy here is already d(pre-activation) in NCHW (see preActivationGrad).
function backwardPointwise(g: Geometry, x: Tensor, w: Tensor, dy: Tensor, dx: Tensor | null, dw: Tensor | null): void {
  const Cg = g.C / g.groups, Og = g.O / g.groups, L = g.outH * g.outW;
  const xp = x.ptr('conv2d backward'), wp = w.ptr('conv2d backward'), dyp = dy.ptr('conv2d backward');
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const xs = xp + f4((n * g.C + gi * Cg) * L);
      const dY: Mat = { ptr: dyp + f4((n * g.O + gi * Og) * L), rows: Og, cols: L, trans: 0, ld: L };
      if (dw) gemm(dY, { ptr: xs, rows: L, cols: Cg, trans: 1, ld: L }, dw.ptr() + f4(gi * Og * Cg), Cg, n === 0 ? 0 : 1);
      if (dx) gemm({ ptr: wp + f4(gi * Og * Cg), rows: Cg, cols: Og, trans: 1, ld: Cg }, dY, dx.ptr() + f4((n * g.C + gi * Cg) * L), L);
    }
  }
}

// One input channel: each output plane straight from the (zero-bordered) input plane, activation
// applied before the store; threads take whole images. Work memory: one slot per thread slice.
function singleWork(g: Geometry, slots: number): { ptr: number; bytes: number } {
  const bytes = f4(backend.k.conv_single_work_floats(g.O, g.kH, g.kW, g.outH, g.outW));
  return { ptr: scratch('conv-single-work', bytes * slots), bytes };
}

function forwardSingle(g: Geometry, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor, act: Act): void {
  const HW = g.H * g.W, OL = g.O * g.outH * g.outW;
  const xp = x.ptr('conv2d'), wp = w.ptr('conv2d'), bp = b ? b.ptr('conv2d') : 0, yp = y.ptr();
  const work = singleWork(g, backend.threads);
  let slot = 0;
  parallelRows('conv_single_fwd_images', g.N, g.N * OL * g.kH * g.kW, MIN_PARALLEL_ELEMENTS, (s, c) =>
    [xp + f4(s * HW), wp, bp, g.O, g.H, g.W, g.kH, g.kW, g.padT, g.padL, g.outH, g.outW, act.code, act.slope,
      yp + f4(s * OL), c, HW, work.ptr + work.bytes * slot++], 1);
}

// dW and db of a one-input-channel conv (its input needs no gradient: an image), as partial sums
// over fixed groups of SINGLE_GROUP images added in group order: threads take whole groups, the same
// images as in the forward (each core rereads the planes it wrote; split by channels, half of every
// plane came from the other core's cache, and the forward after it ran at one-thread speed), and the
// result is the same bits for any thread count.
const SINGLE_GROUP = 8;
function backwardSingle(g: Geometry, x: Tensor, y: Tensor | null, dy: Tensor, act: Act, dw: Tensor, db: Tensor | null): void {
  const kk = g.kH * g.kW, L = g.outH * g.outW;
  const groups = Math.ceil(g.N / SINGLE_GROUP);
  const xp = x.ptr('conv2d backward'), dyp = dy.ptr('conv2d backward'), yp = y ? y.ptr('conv2d backward') : 0;
  const work = singleWork(g, backend.threads);
  // [groups, O*kk] weight partials, then [groups, O] bias partials: each summed over the groups in order.
  const partialW = scratch('conv-single-partials', f4(groups * g.O * (kk + 1))), partialB = partialW + f4(groups * g.O * kk);
  let slot = 0;
  parallelRows('conv_single_bwd_weight', groups, g.N * g.O * L * kk, MIN_PARALLEL_ELEMENTS, (s, c) =>
    [xp, dyp, yp, act.code, act.slope, g.O, s * SINGLE_GROUP, Math.min(c * SINGLE_GROUP, g.N - s * SINGLE_GROUP), SINGLE_GROUP,
      g.H, g.W, g.kH, g.kW, g.padT, g.padL, g.outH, g.outW, partialW, partialB, work.ptr + work.bytes * slot++], 1);
  sumRows(partialW, dw.ptr(), 1, groups, g.O * kk, 1);
  if (db) sumRows(partialB, db.ptr(), 1, groups, g.O, 1);
}

// Depthwise convolution splits its channels across threads (the same channels in forward and backward).
function depthwiseByChannels(kernel: 'conv_depthwise_fwd_images' | 'conv_depthwise_bwd_input_images' | 'conv_depthwise_bwd_weight_images',
                             g: Geometry, args: (c0: number, geometry: number[]) => number[]): void {
  const rest = kernelArgs(g, g.C).slice(1); // H, W, kH, ... after the channel count
  parallelRows(kernel, g.C, g.N * g.C * g.outH * g.outW * g.kH * g.kW, MIN_PARALLEL_ELEMENTS, (s, c) => args(s, [c, ...rest]), 1);
}

function forwardDepthwise(g: Geometry, x: Tensor, w: Tensor, b: Tensor | null, y: Tensor): void {
  const HW = g.H * g.W, OL = g.outH * g.outW, kk = g.kH * g.kW;
  const xp = x.ptr('conv2d'), wp = w.ptr('conv2d'), bp = b ? b.ptr('conv2d') : 0, yp = y.ptr();
  depthwiseByChannels('conv_depthwise_fwd_images', g, (c0, geo) =>
    [xp + f4(c0 * HW), wp + f4(c0 * kk), bp && bp + f4(c0), ...geo, yp + f4(c0 * OL), g.N, g.C * HW, g.C * OL]);
}

function backwardDepthwise(g: Geometry, x: Tensor, w: Tensor, dy: Tensor, dx: Tensor | null, dw: Tensor | null): void {
  const k = backend.k;
  const HW = g.H * g.W, OL = g.outH * g.outW, kk = g.kH * g.kW;
  const xp = x.ptr('conv2d backward'), wp = w.ptr('conv2d backward'), dyp = dy.ptr('conv2d backward');
  if (dx) {
    const dxp = dx.ptr();
    k.ew_fill(dxp, dx.numel(), 0);
    depthwiseByChannels('conv_depthwise_bwd_input_images', g, (c0, geo) =>
      [dyp + f4(c0 * OL), wp + f4(c0 * kk), ...geo, dxp + f4(c0 * HW), g.N, g.C * OL, g.C * HW]);
  }
  if (dw) {
    const dwp = dw.ptr();
    k.ew_fill(dwp, dw.numel(), 0);
    depthwiseByChannels('conv_depthwise_bwd_weight_images', g, (c0, geo) =>
      [xp + f4(c0 * HW), dyp + f4(c0 * OL), ...geo, dwp + f4(c0 * kk), g.N, g.C * HW, g.C * OL]);
  }
}

/**
 * 2-D convolution (cross-correlation, like torch.nn.functional.conv2d).
 * x [N, C, H, W] or [C, H, W]; weight [O, C/groups, kH, kW]; bias [O] or null.
 * `activation: 'relu'` (or 'leakyRelu', 'sigmoid', 'tanh') gives act(conv2d(x, w, b)) in one op.
 */
export function conv2d(x: Tensor, weight: Tensor, ...args: Conv2dFnArgs): Tensor {
  const [bias, opts] = convOptions<Conv2dOptions>(CONV2D_ARGS, args);
  checkFloat(x, weight, bias, 'conv2d');
  if (x.ndim === 3) return views.squeeze(conv2d(views.unsqueeze(x, 0), weight, bias, opts), 0);
  return convolution(x, weight, bias, opts, 'conv2d', false);
}

function convolution(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions, op: string, oneD: boolean): Tensor {
  const g = geometry(x, weight, bias, opts, op, oneD);
  const act = activationOf(opts, op);
  const xc = x.contiguous(), wc = weight.contiguous(), bc = bias ? bias.contiguous() : null;
  const y = Tensor._empty([g.N, g.O, g.outH, g.outW]);
  const algo = chooseAlgo(g);
  const grads = needsGrad(x, weight, bias);
  // The weight gradient reuses the forward's column matrices (one im2col per step instead of two).
  const kept = grads && weight.requiresGrad && y.numel() && g.C > 0 && g.groups === 1 && !algo.single && !algo.depthwise && !algo.pointwise
    ? Tensor._empty([g.C * g.kH * g.kW, g.N * g.outH * g.outW]) : null;
  if (y.numel()) {
    // The GEMM paths apply the activation in their epilogue; the others apply it in place after.
    if (algo.single) forwardSingle(g, xc, wc, bc, y, act);
    else if (g.C > 0 && algo.group) forwardGrouped(g, algo.group, xc, wc, bc, y, act, kept);
    else if (g.C > 0 && !algo.depthwise && !algo.pointwise) forwardGemm(g, xc, wc, bc, y, act, kept);
    else if (g.C > 0 && !algo.depthwise) forwardPointwise(g, xc, wc, bc, y, act);
    else {
      if (g.C === 0) fillBias(y, bc, g);
      else forwardDepthwise(g, xc, wc, bc, y);
      if (act.name !== 'none') unaryKernel(act.name, y.ptr(), y.ptr(), y.numel(), act.slope);
    }
  }
  if (grads) {
    const fused = act.name !== 'none';
    const name = fused ? `Convolution${act.name[0].toUpperCase()}${act.name.slice(1)}Backward` : 'ConvolutionBackward0';
    record(y, name, [x, weight, bias], (grad) => {
      const dy = grad.contiguous();
      const dx = x.requiresGrad ? Tensor._empty(x.shape) : null;
      const dw = weight.requiresGrad ? Tensor._empty(weight.shape) : null;
      const db = bias && bias.requiresGrad ? Tensor._empty([g.O]) : null;
      if (algo.single && dw && !dx && dy.numel()) {
        backwardSingle(g, xc, fused ? y : null, dy, act, dw, db);
      } else if (dy.numel() && g.C > 0 && algo.group) {
        backwardGrouped(g, algo.group, xc, wc, fused ? y : null, dy, act, dx, dw, db, kept);
      } else if (dy.numel() && g.C > 0 && !algo.depthwise && !algo.pointwise) {
        backwardGemm(g, xc, wc, fused ? y : null, dy, act, dx, dw, db, kept); // gathers d(pre-activation) itself
      } else {
        const dpre = preActivationGrad(g, dy, fused ? y : null, act, db);
        if (dy.numel() && g.C > 0) (algo.depthwise ? backwardDepthwise : backwardPointwise)(g, xc, wc, dpre, dx, dw);
        else for (const t of [dx, dw]) if (t && t.numel()) backend.k.ew_fill(t.ptr(), t.numel(), 0); // nothing flows
        if (dpre !== dy) dpre._release();
      }
      return [dx, dw, db];
    }, [xc, wc, ...(fused ? [y] : []), ...(kept ? [kept] : [])]);
  }
  return y;
}

// d(pre-activation) in NCHW from the saved output (dy itself without an activation), and the bias
// gradient (its sum over N, H, W) into db when given.
function preActivationGrad(g: Geometry, dy: Tensor, y: Tensor | null, act: Act, db: Tensor | null): Tensor {
  const k = backend.k, OL = g.O * g.outH * g.outW;
  if (!y) {
    if (db) biasGrad(dy, g, db);
    return dy;
  }
  const dpre = Tensor._empty(dy.shape);
  if (db) k.ew_fill(db.ptr(), g.O, 0);
  if (!dy.numel()) return dpre;
  const dyp = dy.ptr('conv2d backward'), yp = y.ptr('conv2d backward'), dp = dpre.ptr();
  for (let n = 0; n < g.N; n++) {
    k.conv_gather_act_backward(act.code, dyp + f4(n * OL), yp + f4(n * OL), 1, g.O, 0, g.O, g.outH * g.outW, act.slope,
      dp + f4(n * OL), g.outH * g.outW, db ? db.ptr() : 0);
  }
  return dpre;
}

// db = sum of dy [N, O, L] over N and L, as two contiguous reductions (a sum over dims [0, 2, 3] at
// once would first copy dy into [O, N, L] order).
function biasGrad(dy: Tensor, g: Geometry, db: Tensor): void {
  const k = backend.k, L = g.outH * g.outW;
  if (g.N * L === 0) { k.ew_fill(db.ptr(), g.O, 0); return; }
  const rows = Tensor._empty([g.N, g.O]);
  sumRows(dy.ptr('conv2d backward'), rows.ptr(), g.N * g.O, L, 1, 1);
  k.red_sum(rows.ptr(), db.ptr(), 1, g.N, g.O, 1);
  rows._release();
}

// No input channels: every output is just the bias (or 0).
function fillBias(y: Tensor, b: Tensor | null, g: Geometry): void {
  const L = g.outH * g.outW, yp = y.ptr();
  const values = b ? b.data() : new Float32Array(g.O);
  for (let n = 0; n < g.N; n++) for (let o = 0; o < g.O; o++) backend.k.ew_fill(yp + f4((n * g.O + o) * L), L, values[o]);
}

// dtype rules (src/dtypes.ts): checked on the tensors as the caller passed them.
function checkFloat(x: Tensor, weight: Tensor, bias: Tensor | null, op: 'conv1d' | 'conv2d'): void {
  expectFloat(op, x);
  expectFloat(op, weight, 'weight');
  expectFloat(op, bias, 'bias');
}

/** 1-D convolution: x [N, C, L] or [C, L]; weight [O, C/groups, k]; computed as conv2d with H = 1. */
export function conv1d(x: Tensor, weight: Tensor, ...args: Conv1dFnArgs): Tensor {
  const op = 'conv1d';
  const [bias, opts] = convOptions<Conv1dOptions>(CONV1D_ARGS, args);
  checkFloat(x, weight, bias, op);
  if (x.ndim === 2) return views.squeeze(conv1d(views.unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 3) throw new Error(`${op}: expected a 2-D (unbatched) or 3-D (batched) input [N, C, L], got shape [${x.shape}]`);
  if (weight.ndim !== 3) throw new Error(`${op}: expected a 3-D weight [out, in/groups, k], got shape [${weight.shape}]`);
  const one = (v: number | readonly number[] | undefined, name: string, min: number, dflt: number): number => {
    const s = v ?? dflt;
    const a = typeof s === 'number' ? s : s.length === 1 ? s[0] : NaN;
    if (!Number.isInteger(a) || a < min) {
      throw new Error(`${op}: ${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a 1-tuple, got ${JSON.stringify(s)}`);
    }
    return a;
  };
  const padding = opts.padding === 'same' || opts.padding === 'valid' ? opts.padding : ([0, one(opts.padding, 'padding', 0, 0)] as const);
  const stride = one(opts.stride, 'stride', 1, 1), dilation = one(opts.dilation, 'dilation', 1, 1);
  const x4 = views.unsqueeze(x, 2), w4 = views.unsqueeze(weight, 2);
  const y = convolution(x4, w4, bias, {
    stride: [1, stride], dilation: [1, dilation], padding, groups: opts.groups, activation: opts.activation, negativeSlope: opts.negativeSlope,
  }, op, true);
  return views.squeeze(y, 2);
}
