// multinomial: category indices drawn from rows of non-negative weights. The uniforms come from
// the library's seeded generator (assembly/random.ts), so manualSeed makes the draws repeatable; two
// 24-bit uniforms make one 48-bit draw. Without replacement, a few samples are drawn one at a time,
// each removed before the next; many keep the numSamples largest keys w / E (E exponential), which
// has the same distribution in O(C log C).
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { describe } from './sort.js';

const TWO_M24 = 1 / 16777216;
// Up to this many samples without replacement, drawing one at a time (O(numSamples * C)) beats sorting keys.
const ONE_AT_A_TIME = 64;

function uniforms(n: number): Float32Array {
  const u = Tensor._empty([n]);
  if (n) backend.k.rng_uniform(u.ptr(), n, 0, 1);
  const p = u.ptr() >> 2;
  const out = backend.f32.slice(p, p + n);
  u._release('the library');
  return out;
}

/**
 * numSamples category indices (int32) per row of weights (1-D [C] or 2-D [N, C]; they need not sum
 * to 1). Without replacement, each row needs at least numSamples non-zero weights.
 */
export function multinomial(input: Tensor, numSamples: number, replacement = false): Tensor {
  const op = 'multinomial';
  if (!(input instanceof Tensor)) throw new Error(`${op}: expected a Tensor of weights, got ${describe(input)}`);
  if (input.ndim !== 1 && input.ndim !== 2) throw new Error(`${op}: weights must be 1-D [C] or 2-D [N, C], got shape [${input.shape}]`);
  if (input.dtype !== 'float32') throw new Error(`${op}: expected weights of dtype float32, got ${input.dtype} (shape [${input.shape}]); call .float() first`);
  if (typeof numSamples !== 'number' || !Number.isInteger(numSamples) || numSamples <= 0) {
    throw new Error(`${op}: numSamples must be a positive integer, got ${describe(numSamples)}`);
  }
  if (typeof replacement !== 'boolean') throw new Error(`${op}: replacement must be a boolean, got ${describe(replacement)}`);
  const rows = input.ndim === 2 ? input.shape[0] : 1;
  const C = input.shape[input.ndim - 1];
  if (!replacement && numSamples > C) {
    throw new Error(`${op}: cannot draw ${numSamples} samples without replacement from ${C} categories (shape [${input.shape}]); pass replacement = true`);
  }
  const xc = input.contiguous();
  const p = xc.ptr(op) >> 2;
  const w = Float64Array.from(backend.f32.subarray(p, p + rows * C));
  for (let r = 0; r < rows; r++) {
    let total = 0, positive = 0;
    for (let j = 0; j < C; j++) {
      const v = w[r * C + j];
      if (!(v >= 0) || v === Infinity) {
        throw new Error(`${op}: weights must be finite and >= 0, got ${v} at [${input.ndim === 2 ? `${r}, ` : ''}${j}] (shape [${input.shape}])`);
      }
      total += v;
      if (v > 0) positive++;
    }
    const where = input.ndim === 2 ? `row ${r} of the weights` : 'the weights';
    if (!(total > 0)) throw new Error(`${op}: ${where} sum to 0 (shape [${input.shape}]); there is nothing to draw from`);
    if (!replacement && positive < numSamples) {
      throw new Error(`${op}: ${where} have only ${positive} non-zero entries, fewer than the ${numSamples} samples asked for without replacement ` +
        '(a zero weight is never drawn); pass replacement = true');
    }
  }
  const out = Tensor._empty(input.ndim === 2 ? [rows, numSamples] : [numSamples], 'int32');
  const sequential = replacement || numSamples <= ONE_AT_A_TIME;
  const perRow = 2 * (sequential ? numSamples : C);
  const u = uniforms(rows * perRow);
  const picks = new Int32Array(rows * numSamples);
  const cum = new Float64Array(C);
  const keys = new Float64Array(C);
  const order = new Int32Array(C);
  const byKey = (a: number, b: number) => keys[b] - keys[a] || a - b;
  for (let r = 0; r < rows; r++) {
    const draw = (i: number) => u[r * perRow + 2 * i] + u[r * perRow + 2 * i + 1] * TWO_M24; // in [0, 1)
    if (!replacement && sequential) {
      const left = w.slice(r * C, (r + 1) * C);
      for (let i = 0; i < numSamples; i++) {
        let total = 0, last = 0;
        for (let j = 0; j < C; j++) { total += left[j]; if (left[j] > 0) last = j; }
        const target = draw(i) * total;
        let pick = last;
        for (let j = 0, s = 0; j < C; j++) { s += left[j]; if (s > target) { pick = j; break; } }
        picks[r * numSamples + i] = pick;
        left[pick] = 0;
      }
    } else if (replacement) {
      let last = 0;
      for (let j = 0, s = 0; j < C; j++) { s += w[r * C + j]; cum[j] = s; if (w[r * C + j] > 0) last = j; }
      const total = cum[C - 1];
      for (let i = 0; i < numSamples; i++) {
        // The first category whose running sum passes the draw; zero weights add nothing, so never win.
        const target = draw(i) * total;
        let lo = 0, hi = C - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > target) hi = mid; else lo = mid + 1; }
        picks[r * numSamples + i] = cum[lo] > target ? lo : last;
      }
    } else {
      for (let j = 0; j < C; j++) {
        const e = -Math.log(1 - draw(j));   // exponential with mean 1
        const v = w[r * C + j];
        keys[j] = v > 0 ? v / e : -1;        // e = 0 gives +Infinity: drawn first
        order[j] = j;
      }
      order.sort(byKey);
      for (let i = 0; i < numSamples; i++) picks[r * numSamples + i] = order[i];
    }
  }
  if (picks.length) { const at = out.ptr() >> 2; backend.i32.set(picks, at); }
  return out;
}
