// layerNorm: normalises over the trailing dims given by normalizedShape (torch.nn.functional.layer_norm),
// y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance of each row. One fused
// kernel per direction (assembly/norm.ts); rows are split across threads in forward and for the
// input gradient, columns for the weight and bias gradients, so no result depends on the thread count.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows, partition, threadsFor } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

const OP = 'layerNorm';

/** normalizedShape as a list of dims (a number is one trailing dim); throws unless positive integers. */
export function normShape(normalizedShape: number | readonly number[], op: string): number[] {
  const s = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? normalizedShape.slice() : null;
  if (!s || s.length === 0 || !s.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${op}: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
  }
  return s;
}

function checkAffine(t: Tensor | null | undefined, shape: number[], what: string): Tensor | null {
  if (t === null || t === undefined) return null;
  if (!(t instanceof Tensor)) throw new Error(`${OP}: ${what} must be a Tensor or null`);
  if (t.dtype !== 'float32' || t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${OP}: ${what} must be a float32 tensor of shape [${shape}] (normalizedShape), got ${t.dtype} [${t.shape}]`);
  }
  return t;
}

export interface LayerNormFnOptions { weight?: Tensor | null; bias?: Tensor | null; eps?: number }
/** F.layerNorm's arguments after (input, normalizedShape), in PyTorch's order, then optionally the options object. */
export type LayerNormFnArgs = PositionalArgs<[weight: Tensor | null, bias: Tensor | null, eps: number], LayerNormFnOptions>;
const LAYERNORM_ARGS: ArgSpec = {
  op: OP, leading: ['input', 'normalizedShape'], positional: ['weight', 'bias', 'eps'],
  types: { weight: ['tensor', 'null'], bias: ['tensor', 'null'], eps: 'number' },
};

/** layerNorm(x, normalizedShape, weight?, bias?, eps?) as in PyTorch, or layerNorm(x, normalizedShape, { weight, bias, eps }). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], ...args: LayerNormFnArgs): Tensor {
  const { weight = null, bias = null, eps = 1e-5 } = parseArgs<LayerNormFnOptions>(LAYERNORM_ARGS, args);
  if (!(x instanceof Tensor)) throw new Error(`${OP}: input must be a Tensor`);
  const shape = normShape(normalizedShape, OP);
  if (x.dtype !== 'float32') throw new Error(`${OP}: expected a float32 input, got ${x.dtype} of shape [${x.shape}]`);
  const tail = x.shape.slice(x.ndim - shape.length);
  if (x.ndim < shape.length || tail.some((d, i) => d !== shape[i])) {
    throw new Error(`${OP}: normalizedShape [${shape}] must match the last ${shape.length} dim(s) of the input, ` +
      `i.e. an input of shape [*, ${shape.join(', ')}], got [${x.shape}]`);
  }
  const w = checkAffine(weight, shape, 'weight')?.contiguous() ?? null;
  const b = checkAffine(bias, shape, 'bias')?.contiguous() ?? null;
  if (!(eps >= 0)) throw new Error(`${OP}: eps must be non-negative, got ${eps}`);

  const n = shape.reduce((a, d) => a * d, 1);
  const rows = x.numel() / n;
  const xc = x.contiguous();
  const out = Tensor._empty(x.shape);
  const mean = Tensor._empty([rows]), rstd = Tensor._empty([rows]);
  if (rows) {
    const xp = xc.ptr(OP), wp = w ? w.ptr(OP) : 0, bp = b ? b.ptr(OP) : 0, yp = out.ptr(), mp = mean.ptr(), rp = rstd.ptr();
    parallelRows('norm_layer_fwd', rows, rows * n, MIN_PARALLEL_ELEMENTS,
      (s, c) => [xp + s * n * 4, wp, bp, yp + s * n * 4, mp + s * 4, rp + s * 4, c, n, eps], 1);
  }
  if (needsGrad(x, weight, bias)) {
    const saved = [xc, mean, rstd];
    if (w) saved.push(w);
    record(out, 'NativeLayerNormBackward0', [x, weight, bias], (g) => {
      const k = backend.k;
      const dx = x.requiresGrad ? Tensor._empty(x.shape) : null;
      const dw = weight?.requiresGrad ? Tensor._empty(shape) : null;
      const db = bias?.requiresGrad ? Tensor._empty(shape) : null;
      if (rows === 0) {
        // No rows: the parameter gradients are sums over nothing.
        if (dw) k.ew_fill(dw.ptr(), n, 0);
        if (db) k.ew_fill(db.ptr(), n, 0);
        return [dx, dw, db];
      }
      const gp = g.contiguous().ptr(OP), xp = xc.ptr(OP), wp = w ? w.ptr(OP) : 0, mp = mean.ptr(OP), rp = rstd.ptr(OP);
      const dxp = dx ? dx.ptr() : 0, dwp = dw ? dw.ptr() : 0, dbp = db ? db.ptr() : 0;
      const threads = threadsFor(rows * n, MIN_PARALLEL_ELEMENTS);
      if (threads === 1) {
        k.norm_layer_bwd(xp, wp, mp, rp, gp, dxp, dwp, dbp, rows, n, 0, rows, 0, n);
      } else {
        // Job t: rows slice t of dx and columns slice t of dweight / dbias (either may be empty).
        const rb = dx ? partition(rows, threads, 1) : [0, 0];
        const cb = dw || db ? partition(n, threads, 4) : [0, 0];
        const jobs: number[][] = [];
        for (let t = 0; t < Math.max(rb.length, cb.length) - 1; t++) {
          const r0 = rb[Math.min(t, rb.length - 1)], r1 = rb[Math.min(t + 1, rb.length - 1)];
          const c0 = cb[Math.min(t, cb.length - 1)], c1 = cb[Math.min(t + 1, cb.length - 1)];
          jobs.push([xp, wp, mp, rp, gp, dxp, dwp, dbp, rows, n, r0, r1 - r0, c0, c1 - c0]);
        }
        if (jobs.length === 1) k.norm_layer_bwd(...(jobs[0] as Parameters<typeof k.norm_layer_bwd>));
        else backend.pool!.run('norm_layer_bwd', k.norm_layer_bwd, jobs);
      }
      return [dx, dw, db];
    }, saved);
  }
  return out;
}
