// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place on .grad.
import { Tensor, isTensor } from '../tensor.js';
import { absMax, sumAbsPow, sumOfSquares } from '../ops/scalar-reductions.js';
import { parseArgs, type PositionalArgs } from '../options.js';

function gradsOf(params: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  const list = isTensor(params) ? [params] : Array.from(params);
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new Error(`${op}: parameter ${i} is ${typeof p}, expected a Tensor`);
    if (!p.grad) return;
    if (!p.grad.isContiguous()) throw new Error(`${op}: the gradient of parameter ${i} (shape [${p.shape}]) is not contiguous`);
    grads.push(p.grad);
  });
  return grads;
}

export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the max norm). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, like PyTorch 1.13). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `params` in place so that their joint p-norm (as if concatenated into one
 * vector) is at most maxNorm: each is multiplied by maxNorm / (total + 1e-6) when that is below 1.
 * Returns the total norm before clipping as a plain number (PyTorch returns a 0-d tensor; call
 * `.item()` there), accumulated in float64. normType is any p > 0 or Infinity; parameters without a
 * gradient are skipped, and with none at all the result is 0.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number,
  ...args: PositionalArgs<[normType: number, errorIfNonfinite: boolean], ClipGradNormOptions>): number {
  const op = 'clipGradNorm';
  const opts = parseArgs<ClipGradNormOptions>({
    op, leading: ['params', 'maxNorm'], positional: ['normType', 'errorIfNonfinite'], types: { errorIfNonfinite: 'boolean' },
  }, args);
  const normType = opts.normType ?? 2;
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new Error(`${op}: maxNorm must be a number, got ${maxNorm}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new Error(`${op}: normType must be a positive number or Infinity, got ${normType}`);
  const grads = gradsOf(params, op);
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) if (g.numel()) { const m = absMax(g, op); total = m > total || Number.isNaN(m) ? m : total; }
  } else {
    for (const g of grads) {
      if (!g.numel()) continue;
      total += normType === 2 ? sumOfSquares(g, op) : sumAbsPow(g, normType, op);
    }
    total = normType === 2 ? Math.sqrt(total) : normType === 1 ? total : total ** (1 / normType);
  }
  if (opts.errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(`${op}: the total norm of order ${normType} of the gradients is ${total}, so it cannot be clipped; ` +
      'pass { errorIfNonfinite: false } to scale the gradients by it anyway');
  }
  const coef = maxNorm / (total + 1e-6);
  // !(coef >= 1) also scales by a NaN coefficient, as PyTorch's clamp(coef, max=1) does.
  if (!(coef >= 1)) for (const g of grads) if (g.numel()) g.mulScalar_(coef);
  return total;
}

/** Clamps every gradient element of `params` into [-clipValue, clipValue], in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new Error(`${op}: clipValue must be a number >= 0, got ${clipValue}`);
  for (const g of gradsOf(params, op)) if (g.numel()) g.clamp_(-clipValue, clipValue);
}
