// Shared test helpers: loading PyTorch fixtures, building tensors from {shape, data} specs, and
// comparing values with a failure message that says where and by how much they differ.
import { readFileSync } from 'node:fs';
import { Tensor, tensor, type NestedArray } from '../src/index.js';

/** Fixture numbers: JSON has no NaN/Infinity, so the generators write them as strings. */
export type FixtureNumber = number | 'nan' | 'inf' | '-inf';

/** A tensor as the fixture generators write it (scripts/fixtures/*.py). */
export interface TensorSpec {
  shape: number[];
  data: FixtureNumber[];
  dtype?: 'float32' | 'int32';
  requiresGrad?: boolean;
}

/** Reads tests/fixtures/<name>.json. */
export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

export function decodeNumbers(data: readonly FixtureNumber[]): number[] {
  return data.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v));
}

/** A fresh contiguous tensor from a spec (requiresGrad taken from the spec unless overridden). */
export function fromSpec(spec: TensorSpec, opts: { requiresGrad?: boolean } = {}): Tensor {
  const dtype = spec.dtype ?? 'float32';
  const values = decodeNumbers(spec.data);
  const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  return tensor(data, { shape: spec.shape, dtype, requiresGrad: opts.requiresGrad ?? spec.requiresGrad ?? false });
}

type Comparable = Tensor | TensorSpec | NestedArray | ArrayLike<number>;

function isSpec(x: unknown): x is TensorSpec {
  return typeof x === 'object' && x !== null && 'shape' in x && 'data' in x && !(x instanceof Tensor);
}

// Shape (null when the value carries none, like a flat typed array) and flat values.
function flatten(x: Comparable): { shape: number[] | null; values: ArrayLike<number> } {
  if (x instanceof Tensor) return { shape: x.shape.slice(), values: x.data() };
  if (isSpec(x)) return { shape: x.shape, values: decodeNumbers(x.data) };
  if (typeof x === 'number' || typeof x === 'boolean') return { shape: [], values: [Number(x)] };
  if (ArrayBuffer.isView(x)) return { shape: null, values: x as unknown as ArrayLike<number> };
  const shape: number[] = [];
  for (let p: unknown = x; Array.isArray(p); p = p[0]) shape.push(p.length);
  const values = (x as unknown[]).flat(Infinity).map(Number);
  return { shape, values };
}

function describeIndex(i: number, shape: number[] | null): string {
  if (!shape || shape.length < 2) return `[${i}]`;
  const idx: number[] = [];
  for (let d = shape.length - 1, r = i; d >= 0; d--) { idx.unshift(r % shape[d]); r = Math.floor(r / shape[d]); }
  return `[${idx.join(', ')}]`;
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise (NaN matches NaN, infinities
 * must match exactly) and equal shapes when both sides have one.
 */
export function expectClose(actual: Comparable, expected: Comparable, rtol = 1e-4, atol = 1e-5, label = 'values'): void {
  const a = flatten(actual), e = flatten(expected);
  if (a.shape && e.shape && (a.shape.length !== e.shape.length || a.shape.some((s, i) => s !== e.shape![i]))) {
    throw new Error(`${label}: shape [${a.shape}] but expected [${e.shape}]`);
  }
  if (a.values.length !== e.values.length) {
    throw new Error(`${label}: ${a.values.length} values but expected ${e.values.length}`);
  }
  const bad: string[] = [];
  let count = 0, worst = -1, worstErr = -1;
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i], y = e.values[i];
    let ok: boolean, err: number;
    if (Number.isNaN(y) || Number.isNaN(x)) { ok = Number.isNaN(x) && Number.isNaN(y); err = Infinity; }
    else if (!Number.isFinite(y) || !Number.isFinite(x)) { ok = x === y; err = Infinity; }
    else { err = Math.abs(x - y) - rtol * Math.abs(y); ok = err <= atol; }
    if (ok) continue;
    count++;
    if (bad.length < 5) bad.push(`at ${describeIndex(i, e.shape)}: got ${x}, expected ${y}`);
    if (err > worstErr) { worstErr = err; worst = i; }
  }
  if (count) {
    const w = `worst at ${describeIndex(worst, e.shape)}: got ${a.values[worst]}, expected ${e.values[worst]}`;
    throw new Error(`${label}: ${count} of ${e.values.length} elements differ (rtol ${rtol}, atol ${atol}; shape [${e.shape ?? a.shape}]); ` +
      `${w}; first: ${bad.join('; ')}`);
  }
}
