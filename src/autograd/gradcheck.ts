// Finite-difference gradient checking: analytic gradients from backward() against central
// differences accumulated in float64 on the JS side.
import { Tensor } from '../tensor.js';
import { getFlat, setFlat } from '../ops/element.js';
import { tensor } from '../ops/creation.js';
import { noGrad } from './grad-mode.js';
import { checkOptions } from '../options.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number; raiseException?: boolean }
export interface GradcheckResult { ok: boolean; maxAbsError: number; checked: number; failures: string[] }

/**
 * Checks d(sum(fn(inputs) * w))/d(input) for every input that requires grad, where w is a fixed
 * pseudo-random weighting so that every output element matters. Throws on mismatch unless
 * raiseException is false.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  checkOptions({ op: 'gradcheck', keywords: ['eps', 'atol', 'rtol', 'raiseException'],
    types: { eps: 'number', atol: 'number', rtol: 'number', raiseException: 'boolean' } }, opts);
  const eps = opts.eps ?? 1e-2, atol = opts.atol ?? 1e-3, rtol = opts.rtol ?? 1e-2;
  const probe = noGrad(() => fn(...inputs));
  const weights = Float64Array.from({ length: probe.numel() }, (_, i) => 0.5 + ((i * 7919) % 13) / 13);
  const scalarOf = (out: Tensor): number => {
    const v = out.data();
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * weights[i];
    return s;
  };
  // Analytic.
  for (const t of inputs) if (t.requiresGrad) t.grad = null;
  const out = fn(...inputs);
  const w = tensor(Array.from(weights)).reshape(out.shape);
  out.backward(w);
  const failures: string[] = [];
  let maxErr = 0, checked = 0;
  noGrad(() => {
    inputs.forEach((t, ti) => {
      if (!t.requiresGrad) return;
      if (!t.isContiguous()) throw new Error('gradcheck: inputs must be contiguous');
      const analytic = t.grad ? t.grad.data() : new Float32Array(t.numel());
      for (let i = 0; i < t.numel(); i++) {
        const orig = getFlat(t, i);
        setFlat(t, i, orig + eps);
        const fp = scalarOf(fn(...inputs));
        setFlat(t, i, orig - eps);
        const fm = scalarOf(fn(...inputs));
        setFlat(t, i, orig);
        const numeric = (fp - fm) / (2 * eps);
        const err = Math.abs(numeric - analytic[i]);
        maxErr = Math.max(maxErr, err);
        checked++;
        if (err > atol + rtol * Math.abs(numeric)) {
          failures.push(`input ${ti} element ${i}: numeric ${numeric.toPrecision(6)} vs analytic ${analytic[i].toPrecision(6)}`);
        }
      }
    });
  });
  const result = { ok: failures.length === 0, maxAbsError: maxErr, checked, failures };
  if (!result.ok && opts.raiseException !== false) {
    throw new Error(`gradcheck: ${failures.length} of ${checked} gradient entries disagree:\n  ${failures.slice(0, 10).join('\n  ')}`);
  }
  return result;
}
