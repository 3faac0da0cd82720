// Shared by the nn and loss tests: fixture tensors in, closeness checks out.
import { expect } from 'vitest';
import { tensor, type Tensor } from '../../src/index.js';

export interface Fix { shape: number[]; data: (number | string)[]; dtype?: 'int32' }

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity')));

/** A fixture as a tensor (float32 unless it says int32). */
export function fx(f: Fix, opts: { requiresGrad?: boolean } = {}): Tensor {
  const values = f.data.map(num);
  if (f.dtype === 'int32') return tensor(Int32Array.from(values), { shape: f.shape, dtype: 'int32' });
  return tensor(Float32Array.from(values), { shape: f.shape, requiresGrad: opts.requiresGrad });
}

/** |a - e| <= atol + rtol·|e| elementwise (NaN matches NaN), with the same shape. */
export function expectClose(actual: Tensor | null | undefined, expected: Fix, what: string, rtol = 1e-4, atol = 1e-5,
                            skip?: (i: number) => boolean): void {
  expect(actual, `${what}: missing`).toBeTruthy();
  expect(actual!.shape, `${what}: shape`).toEqual(expected.shape);
  const a = actual!.data();
  const e = expected.data.map(num);
  let worst = '';
  for (let i = 0; i < e.length; i++) {
    if (skip?.(i)) continue;
    const ok = Number.isNaN(e[i]) ? Number.isNaN(a[i]) : (a[i] === e[i] || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]));
    if (!ok) { worst = `element ${i}: got ${a[i]}, expected ${e[i]}`; break; }
  }
  expect(worst, what).toBe('');
}
