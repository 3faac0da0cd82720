// Loss functions with PyTorch semantics. Regression losses and the logit-based BCE are composed from
// differentiable ops; NLL (and so cross-entropy) and probability-space BCE are dedicated ops with
// closed-form backwards (NLL from the kernels in assembly/reduce.ts; BCE to keep PyTorch's
// clamped-log gradient finite at p = 0 and p = 1).
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { needsGrad, record } from '../autograd/node.js';
import { sameShape, broadcastShapes } from '../shape.js';
import { binaryRaw, unaryRaw, where } from './elementwise.js';
import * as views from './views.js';
import { expectFloat, type FloatOp } from '../dtypes.js';
import { checkOptions, parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export type Reduction = 'mean' | 'sum' | 'none';
export interface ReductionOptions { reduction?: Reduction }
export interface HuberLossOptions extends ReductionOptions { delta?: number }
export interface SmoothL1LossOptions extends ReductionOptions { beta?: number }
export interface KlDivOptions { reduction?: KlDivReduction; logTarget?: boolean }

/**
 * @internal How a loss takes its arguments (src/options.ts): the class weight is PyTorch's first
 * positional argument of the class-weighted losses; its deprecated size_average / reduce are refused.
 */
export function lossSpec(op: string, positional: string[], keywords: string[]): ArgSpec {
  const why = "PyTorch deprecated it; use reduction: 'mean', 'sum' or 'none'";
  return {
    op, leading: ['input', 'target'], positional, keywords: ['reduction', ...keywords],
    types: {
      reduction: 'string', weight: ['tensor', 'null'], posWeight: ['tensor', 'null'], ignoreIndex: 'integer',
      labelSmoothing: 'number', delta: 'number', beta: 'number', logTarget: 'boolean',
    },
    unsupported: { sizeAverage: { why }, reduce: { why } },
  };
}
const MSE = lossSpec('mseLoss', [], []), L1 = lossSpec('l1Loss', [], []), HUBER = lossSpec('huberLoss', ['reduction', 'delta'], []);
const SMOOTH_L1 = lossSpec('smoothL1Loss', [], ['beta']), NLL = lossSpec('nllLoss', ['weight'], ['ignoreIndex']);
const CE = lossSpec('crossEntropy', ['weight'], ['ignoreIndex', 'labelSmoothing']);
const BCE = lossSpec('binaryCrossEntropy', ['weight'], []), BCE_LOGITS = lossSpec('binaryCrossEntropyWithLogits', ['weight'], ['posWeight']);
const KL = lossSpec('klDiv', [], ['logTarget']);

const k = () => backend.k;

function reductionOf(opts: { reduction?: string } | undefined, op: string, allowed: readonly string[] = ['mean', 'sum', 'none']): string {
  const r = opts?.reduction ?? 'mean';
  if (!allowed.includes(r)) throw new Error(`${op}: reduction must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${r}'`);
  return r;
}

function checkTensor(t: unknown, what: string, op: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
}

function checkFloat(t: Tensor, what: string, op: string): void {
  checkTensor(t, what, op);
  expectFloat(op as FloatOp, t, what);
}

// Regression losses read an int32 target as float32, as PyTorch promotes it (src/dtypes.ts).
function regressionTarget(input: Tensor, target: Tensor, op: string): Tensor {
  checkTensor(target, 'target', op);
  return target.dtype === 'int32' && input instanceof Tensor && input.dtype === 'float32' ? target.float() : target;
}

function checkPair(input: Tensor, target: Tensor, op: string): void {
  checkFloat(input, 'input', op);
  checkFloat(target, 'target', op);
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input shape [${input.shape}] and target shape [${target.shape}] must match`);
  }
}

function reduce(t: Tensor, reduction: string): Tensor {
  return reduction === 'none' ? t : reduction === 'sum' ? t.sum() : t.mean();
}

// Scalar sum of a contiguous tensor times `scale`, for losses with their own backward (no autograd).
// Empty: 0, or NaN for a mean (scale 1/0), as PyTorch's mean of nothing.
function sumAllRaw(t: Tensor, scale: number): Tensor {
  const out = Tensor._empty([]);
  if (t.numel()) k().red_sum(t.ptr(), out.ptr(), 1, t.numel(), 1, scale);
  else k().ew_fill(out.ptr(), 1, scale === Infinity ? NaN : 0);
  return out;
}

// ---- regression ----

/** Mean squared error: (input - target)². */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions(MSE, opts);
  const r = reductionOf(opts, 'mseLoss');
  target = regressionTarget(input, target, 'mseLoss');
  checkPair(input, target, 'mseLoss');
  return reduce(input.sub(target).square(), r);
}

/** Mean absolute error: |input - target|. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions(L1, opts);
  const r = reductionOf(opts, 'l1Loss');
  target = regressionTarget(input, target, 'l1Loss');
  checkPair(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), r);
}

// 0.5·d²/beta where |d| < beta, else |d| - 0.5·beta, scaled by `scale` (Huber = delta · smooth-L1(delta)).
function quadraticLinear(input: Tensor, target: Tensor, beta: number, scale: number, reduction: string): Tensor {
  const d = input.sub(target);
  const ad = d.abs();
  const quad = d.square().mul(0.5 * scale / beta);
  const lin = ad.sub(0.5 * beta).mul(scale);
  return reduce(where(ad.lt(beta), quad, lin), reduction);
}

/** Huber loss: 0.5·d² where |d| < delta, else delta·(|d| - 0.5·delta). */
export function huberLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[reduction: Reduction, delta: number], HuberLossOptions>): Tensor {
  const opts = parseArgs<HuberLossOptions>(HUBER, args);
  const r = reductionOf(opts, 'huberLoss');
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be positive, got ${delta}`);
  target = regressionTarget(input, target, 'huberLoss');
  checkPair(input, target, 'huberLoss');
  return quadraticLinear(input, target, delta, delta, r);
}

// |input - target| whose subgradient at 0 is -1 for both arguments: PyTorch's smooth-L1 backward with
// beta = 0 tests d <= -beta first (and computes the target's gradient with the arguments swapped).
function absDiffNegativeAtZero(input: Tensor, target: Tensor): Tensor {
  const op = 'smoothL1Loss';
  const d = binaryRaw('sub', input, target, op);
  const out = unaryRaw(d, 'abs');
  if (needsGrad(input, target)) {
    record(out, 'SmoothL1LossBackward0', [input, target], (g) => {
      const sign = (mask: Tensor) => binaryRaw('mul', g, unaryRaw(unaryRaw(mask, 'mulScalar', 2), 'addScalar', -1), op);
      return [
        input.requiresGrad ? sign(unaryRaw(d, 'gtScalar', 0)) : null,
        target.requiresGrad ? sign(unaryRaw(d, 'ltScalar', 0)) : null,
      ];
    }, [d]);
  }
  return out;
}

/** Smooth L1: 0.5·d²/beta where |d| < beta, else |d| - 0.5·beta (plain L1 when beta = 0). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  checkOptions(SMOOTH_L1, opts);
  const r = reductionOf(opts, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  target = regressionTarget(input, target, 'smoothL1Loss');
  checkPair(input, target, 'smoothL1Loss');
  if (beta === 0) return reduce(absDiffNegativeAtZero(input, target), r);
  return quadraticLinear(input, target, beta, 1, r);
}

// ---- classification ----

export interface NllLossOptions extends ReductionOptions {
  /** Per-class rescaling weight, shape [C]. */
  weight?: Tensor | null;
  /** Target value whose rows contribute neither loss nor gradient (default -100). */
  ignoreIndex?: number;
}
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s)·target + s/C (PyTorch label_smoothing). */
  labelSmoothing?: number;
}

function indexShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
}

function checkClassWeight(weight: Tensor | null | undefined, C: number, op: string): Tensor | null {
  if (weight === undefined || weight === null) return null;
  checkFloat(weight, 'weight', op);
  if (weight.ndim !== 1 || weight.shape[0] !== C) throw new Error(`${op}: weight should have shape [${C}] (one value per class), got [${weight.shape}]`);
  return weight.contiguous();
}

// Where in the target a flat row index sits, for error messages.
function positionOf(row: number, shape: readonly number[]): string {
  if (shape.length <= 1) return shape.length ? `[${row}]` : '';
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) { idx.unshift(row % shape[d]); row = Math.floor(row / shape[d]); }
  return `[${idx.join(', ')}]`;
}

function checkIndexTarget(input: Tensor, target: Tensor, op: string): void {
  checkTensor(target, 'target', op);
  const want = indexShape(input);
  if (target.dtype !== 'int32') {
    throw new Error(`${op}: class-index targets must be an int32 tensor, got ${target.dtype} of shape [${target.shape}]` +
      (sameShape(target.shape, want) ? ' (convert with target.int())' : ''));
  }
  if (!sameShape(target.shape, want)) {
    throw new Error(`${op}: for input of shape [${input.shape}] the target must have shape [${want}] (the input's shape without the class dim), got [${target.shape}]`);
  }
}

/**
 * Negative log-likelihood of log-probabilities `input` ([N, C], [N, C, d1, ...] or [C]) at int32
 * class indices `target` ([N], [N, d1, ...] or []). 'mean' divides by the summed weights of the
 * non-ignored targets, as PyTorch does.
 */
export function nllLoss(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: Tensor | null], NllLossOptions>): Tensor {
  const op = 'nllLoss';
  const opts = parseArgs<NllLossOptions>(NLL, args);
  const reduction = reductionOf(opts, op);
  checkFloat(input, 'input', op);
  if (input.ndim < 1) throw new Error(`${op}: input must have at least 1 dim ([C], [N, C] or [N, C, d1, ...]), got a 0-d tensor`);
  checkIndexTarget(input, target, op);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  const batched = input.ndim > 1;
  const N = batched ? input.shape[0] : 1;
  const C = batched ? input.shape[1] : input.shape[0];
  const inner = batched ? input.shape.slice(2).reduce((a, b) => a * b, 1) : 1;
  const rows = N * inner;
  const weight = checkClassWeight(opts.weight, C, op);
  const logp = input.contiguous();
  const labels = target.contiguous();
  const wptr = weight ? weight.ptr(op) : 0;

  const perRow = Tensor._empty(target.shape);
  const bad = k().red_nll(logp.ptr(op), labels.ptr(op), wptr, perRow.ptr(), N, C, inner, ignoreIndex);
  if (bad >= 0) {
    const v = labels.data()[bad];
    perRow._release();
    throw new Error(`${op}: target ${v} at position ${positionOf(bad, target.shape) || '(scalar)'} is out of bounds: ` +
      `expected a class index in [0, ${C - 1}] for ${C} classes, or ignoreIndex ${ignoreIndex}`);
  }
  let out: Tensor, divisor = 1;
  if (reduction === 'none') out = perRow;
  else {
    // The weight of the rows not ignored; 0 when there are none, so an empty mean is NaN.
    if (reduction === 'mean') divisor = k().red_nll_weight_sum(labels.ptr(op), wptr, rows, ignoreIndex);
    out = sumAllRaw(perRow, 1 / divisor);
  }
  if (needsGrad(input)) {
    const saved = weight ? [labels, weight] : [labels];
    record(out, 'NllLossBackward0', [input], (g) => {
      // Per-row upstream gradient: g itself ('none'), or the scalar g (÷ divisor for 'mean') on every row.
      let gRows: Tensor;
      if (reduction === 'none') gRows = g.contiguous();
      else {
        gRows = Tensor._empty([rows]);
        if (rows) k().ew_fill(gRows.ptr(), rows, g.item() / divisor);
      }
      const dx = Tensor._empty(input.shape);
      if (dx.numel()) k().red_nll_backward(labels.ptr(op), wptr ? weight!.ptr(op) : 0, gRows.ptr(), dx.ptr(), N, C, inner, ignoreIndex);
      return [dx];
    }, saved);
  }
  return out;
}

// [C] reshaped to broadcast along the class dim of an input with `ndim` dims.
function alongClassDim(w: Tensor, ndim: number): Tensor {
  return ndim <= 1 ? w : views.reshape(w, [w.shape[0], ...new Array(ndim - 2).fill(1)]);
}

/**
 * Cross-entropy of logits `input` ([N, C], [N, C, d1, ...] or [C]) against int32 class indices
 * (shape of the input without the class dim) or float32 class probabilities (the input's shape).
 */
export function crossEntropy(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: Tensor | null], CrossEntropyOptions>): Tensor {
  const op = 'crossEntropy';
  const opts = parseArgs<CrossEntropyOptions>(CE, args);
  const reduction = reductionOf(opts, op);
  checkFloat(input, 'input', op);
  checkTensor(target, 'target', op);
  if (input.ndim < 1) throw new Error(`${op}: input must have at least 1 dim ([C], [N, C] or [N, C, d1, ...]), got a 0-d tensor`);
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new Error(`${op}: labelSmoothing must be between 0 and 1, got ${ls}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim];
  const weight = checkClassWeight(opts.weight, C, op);
  if (target.dtype === 'float32' && sameShape(target.shape, input.shape)) {
    const logp = input.logSoftmax(classDim);
    const t = ls > 0 ? target.mul(1 - ls).add(ls / C) : target;
    let prod = logp.mul(t);
    if (weight) prod = prod.mul(alongClassDim(weight, input.ndim));
    if (reduction === 'none') return prod.sum(classDim).neg();
    const total = prod.sum().neg();
    return reduction === 'sum' ? total : total.mul(C / input.numel());
  }
  if (target.dtype === 'float32' && !sameShape(target.shape, indexShape(input))) {
    throw new Error(`${op}: probability targets must have the input's shape [${input.shape}], got [${target.shape}]` +
      ` (class-index targets are int32 of shape [${indexShape(input)}])`);
  }
  checkIndexTarget(input, target, op);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const logp = input.logSoftmax(classDim);
  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction: reduction as Reduction });
  if (ls === 0) return nll;
  // Label smoothing (PyTorch): (1 - s)·nll + s/C·Σ_c -w_c·logp_c, ignored targets contributing nothing.
  let smooth = (weight ? logp.mul(alongClassDim(weight, input.ndim)) : logp).sum(classDim).neg();
  smooth = where(target.eq(ignoreIndex), 0, smooth);
  let ret: Tensor;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = smooth.sum();
  else {
    const labels = target.contiguous();
    const divisor = k().red_nll_weight_sum(labels.ptr(op), weight ? weight.ptr(op) : 0, labels.numel(), ignoreIndex);
    ret = smooth.sum().mul(1 / divisor);
  }
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}

// ---- binary ----

export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Rescaling weight broadcast to the input's shape. */
  weight?: Tensor | null;
}
export interface BceWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

function checkBroadcastWeight(w: Tensor | null | undefined, input: Tensor, what: string, op: string): Tensor | null {
  if (w === undefined || w === null) return null;
  checkFloat(w, what, op);
  const b = broadcastShapes(w.shape, input.shape, op);
  if (!sameShape(b, input.shape)) throw new Error(`${op}: ${what} of shape [${w.shape}] must broadcast to the input's shape [${input.shape}]`);
  return w;
}

/**
 * Binary cross-entropy of probabilities `input` (in [0, 1]) against `target`. Logs are clamped at
 * -100 like PyTorch, so p = 0 or 1 gives a finite loss.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: Tensor | null], BinaryCrossEntropyOptions>): Tensor {
  const op = 'binaryCrossEntropy';
  const opts = parseArgs<BinaryCrossEntropyOptions>(BCE, args);
  const reduction = reductionOf(opts, op);
  checkPair(input, target, op);
  const weight = checkBroadcastWeight(opts.weight, input, 'weight', op);
  const x = input.contiguous();
  if (x.numel()) {
    const lo = Tensor._empty([]), hi = Tensor._empty([]);
    k().red_max(x.ptr(op), lo.ptr(), 0, 1, x.numel(), 1, 1);
    k().red_max(x.ptr(op), hi.ptr(), 0, 1, x.numel(), 1, 0);
    const [mn, mx] = [lo.item(), hi.item()];
    lo._release(); hi._release();
    if (!(mn >= 0 && mx <= 1)) throw new Error(`${op}: all elements of input should be between 0 and 1 (probabilities; use binaryCrossEntropyWithLogits for logits), found values in [${mn}, ${mx}]`);
  }
  const y = target.contiguous();
  const logX = unaryRaw(unaryRaw(x, 'log'), 'clamp', -100, Infinity);
  const log1mX = unaryRaw(unaryRaw(unaryRaw(x, 'rsubScalar', 1), 'log'), 'clamp', -100, Infinity);
  // (y - 1)·log(1 - x) - y·log(x)
  let loss = binaryRaw('sub', binaryRaw('mul', unaryRaw(y, 'addScalar', -1), log1mX, op), binaryRaw('mul', y, logX, op), op);
  if (weight) loss = binaryRaw('mul', loss, weight, op);
  const n = loss.numel();
  const out = reduction === 'none' ? loss : sumAllRaw(loss, reduction === 'sum' ? 1 : 1 / n);
  if (needsGrad(input, target)) {
    record(out, 'BinaryCrossEntropyBackward0', [input, target], (g) => {
      let gs = reduction === 'mean' ? unaryRaw(g, 'mulScalar', 1 / n) : g;
      if (weight) gs = binaryRaw('mul', gs, weight, op);
      let dx: Tensor | null = null, dy: Tensor | null = null;
      if (input.requiresGrad) {
        // g·w·(x - y) / max(x·(1 - x), 1e-12)  (PyTorch's epsilon keeps it finite at 0 and 1)
        const denom = unaryRaw(binaryRaw('mul', x, unaryRaw(x, 'rsubScalar', 1), op), 'clamp', 1e-12, Infinity);
        dx = binaryRaw('mul', gs, binaryRaw('div', binaryRaw('sub', x, y, op), denom, op), op);
      }
      if (target.requiresGrad) {
        dy = binaryRaw('mul', gs, binaryRaw('sub', log1mX, logX, op), op);
      }
      return [dx, dy];
    }, weight ? [x, y, logX, log1mX, weight] : [x, y, logX, log1mX]);
  }
  return out;
}

/**
 * Binary cross-entropy on logits, stable for any magnitude:
 * (1 - y)·x + (1 + (posWeight - 1)·y)·softplus(-x), times weight.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: PositionalArgs<[weight: Tensor | null], BceWithLogitsOptions>): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const opts = parseArgs<BceWithLogitsOptions>(BCE_LOGITS, args);
  const reduction = reductionOf(opts, op);
  checkPair(input, target, op);
  const weight = checkBroadcastWeight(opts.weight, input, 'weight', op);
  const posWeight = checkBroadcastWeight(opts.posWeight, input, 'posWeight', op);
  const spNeg = input.neg().softplus();
  const logWeighted = posWeight ? spNeg.mul(posWeight.sub(1).mul(target).add(1)) : spNeg;
  let loss = target.rsub(1).mul(input).add(logWeighted);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, reduction);
}

// ---- distributions ----

export type KlDivReduction = Reduction | 'batchmean';

/**
 * Kullback-Leibler divergence with `input` as log-probabilities: target·(log target - input)
 * (0 where target = 0), or exp(target)·(target - input) when logTarget. 'batchmean' divides the sum
 * by the batch size (the mathematically correct KL); 'mean' by the element count (PyTorch default).
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  const op = 'klDiv';
  checkOptions(KL, opts);
  const reduction = reductionOf(opts, op, ['mean', 'batchmean', 'sum', 'none']);
  checkPair(input, target, op);
  let loss: Tensor;
  if (opts.logTarget) loss = target.exp().mul(target.sub(input));
  else {
    const positive = target.gt(0);
    const xlogx = where(positive, target.mul(where(positive, target, 1).log()), 0);
    loss = xlogx.sub(target.mul(input));
  }
  if (reduction === 'batchmean') return loss.sum().mul(1 / (input.ndim ? input.shape[0] : 1));
  return reduce(loss, reduction);
}
