// Shared machinery of the property suites: value and shape generators, tensors materialised in a
// random memory layout (contiguous, permuted, sliced with steps, expanded), tolerance-aware
// comparison with float64 references, and the runner that counts and prints the cases tried.
import fc from 'fast-check';
import { it } from 'vitest';
import { backendInfo, tensor, tidy, type Tensor } from '../../../src/index.js';
import { broadcastIndex, contiguousStrides, size, unravel } from './reference.js';

/** Unit roundoff of float32 (half an ulp of 1). */
export const U = 2 ** -24;
/** Smallest normal float32: below it results are subnormal and keep only absolute accuracy. */
export const FLT_MIN = 2 ** -126;
/** Smallest subnormal float32. */
export const DENORM_MIN = 2 ** -149;

// A fixed default seed keeps CI reproducible; FC_SEED explores other cases, FC_RUNS scales counts.
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 0x5eed;
const RUNS_SCALE = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 1;

// ---------------------------------------------------------------- values

const f32 = Math.fround;

/**
 * Float32 values across the whole range: ordinary numbers, exact small integers, zeros of both
 * signs, large magnitudes up to `maxAbs`, tiny normals down to 1e-38 and subnormals.
 */
export function float32Values(opts: { maxAbs?: number; nonFinite?: boolean } = {}): fc.Arbitrary<number> {
  const maxAbs = opts.maxAbs ?? 1e30;
  const arbs: fc.WeightedArbitrary<number>[] = [
    { weight: 10, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }).map(f32) },
    { weight: 3, arbitrary: fc.integer({ min: -4, max: 4 }) },
    { weight: 2, arbitrary: fc.constantFrom(0, -0) },
    { weight: 2, arbitrary: fc.double({ min: 1, max: Math.log10(maxAbs) }).chain((e) => fc.constantFrom(1, -1).map((s) => f32(s * 10 ** e))) },
    { weight: 1, arbitrary: fc.constantFrom(maxAbs, -maxAbs, 1e-38, -1e-38, 1e-40, -3e-42, DENORM_MIN, -DENORM_MIN).map(f32) },
    { weight: 1, arbitrary: fc.double({ min: -40, max: -30 }).chain((e) => fc.constantFrom(1, -1).map((s) => f32(s * 10 ** e))) },
    { weight: 1, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -f32(maxAbs), max: f32(maxAbs) }) },
  ];
  if (opts.nonFinite) arbs.push({ weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) });
  return fc.oneof(...arbs);
}

/** Moderate float32 values (weights, activations), with zeros of both signs and a few tiny ones. */
export function moderateValues(maxAbs = 4): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.double({ min: -maxAbs, max: maxAbs, noNaN: true }).map(f32) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-38, -DENORM_MIN) },
  );
}

// ---------------------------------------------------------------- shapes

export const dimSize = (max = 5): fc.Arbitrary<number> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 8, arbitrary: fc.integer({ min: 2, max }) });

/** Shapes of rank minRank..maxRank with sizes 0..maxDim (0 and 1 on purpose), at most maxSize elements. */
export function shapes(opts: { minRank?: number; maxRank?: number; maxDim?: number; maxSize?: number } = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, maxDim = 5, maxSize = 256 } = opts;
  return fc.array(dimSize(maxDim), { minLength: minRank, maxLength: maxRank }).filter((s) => size(s) <= maxSize);
}

/** Two shapes that broadcast to `out`: each drops some leading dims and may set others to 1. */
export function broadcastPair(out: number[]): fc.Arbitrary<[number[], number[]]> {
  const side = fc.record({
    drop: fc.integer({ min: 0, max: out.length }),
    ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
  }).map(({ drop, ones }) => out.slice(drop).map((d, i) => (ones[i + drop] && d !== 0 ? 1 : d)));
  return fc.tuple(side, side);
}

// ---------------------------------------------------------------- tensors in random layouts

/**
 * How a tensor's logical values sit in memory. `expand` marks dims read with stride 0 (the values
 * along them repeat), so generators choose it before drawing values.
 */
export type Layout =
  | { kind: 'contiguous' }
  | { kind: 'permuted'; perm: number[] }
  | { kind: 'sliced'; starts: number[]; steps: number[] }
  | { kind: 'expanded'; dims: boolean[] };

export function layouts(rank: number): fc.Arbitrary<Layout> {
  const contiguous = fc.constant<Layout>({ kind: 'contiguous' });
  if (rank === 0) return contiguous;
  const ranks = Array.from({ length: rank }, (_, i) => i);
  return fc.oneof(
    { weight: 3, arbitrary: contiguous },
    { weight: 2, arbitrary: fc.shuffledSubarray(ranks, { minLength: rank, maxLength: rank }).map((perm): Layout => ({ kind: 'permuted', perm })) },
    { weight: 2, arbitrary: fc.record({
      starts: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rank, maxLength: rank }),
      steps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }),
    }).map(({ starts, steps }): Layout => ({ kind: 'sliced', starts, steps })) },
    { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }).map((dims): Layout => ({ kind: 'expanded', dims })) },
  );
}

/** A tensor case: logical shape and values (float32-representable, row-major) plus its layout. */
export interface TensorCase { shape: number[]; values: Float64Array; layout: Layout }

/** Draws a layout, then values for it (fewer when dims are expanded), as a TensorCase. */
export function tensorCase(shape: number[], values: fc.Arbitrary<number>, layoutArb = layouts(shape.length)): fc.Arbitrary<TensorCase> {
  return layoutArb.chain((layout) => {
    const source = layout.kind === 'expanded' ? shape.map((d, i) => (layout.dims[i] ? Math.min(d, 1) : d)) : shape;
    const n = size(source);
    return fc.array(values, { minLength: n, maxLength: n }).map((vals) => {
      const src = Float64Array.from(vals);
      if (layout.kind !== 'expanded') return { shape, values: src, layout };
      const out = new Float64Array(size(shape));
      const srcStrides = contiguousStrides(source);
      for (let i = 0; i < out.length; i++) out[i] = src[broadcastIndex(unravel(i, shape), source, srcStrides)];
      return { shape, values: out, layout };
    });
  });
}

// Filler for memory a view skips: a finite value no kernel should ever read.
const GAP = 7777;

/** Builds the tensor for a case (inside the caller's tidy scope). */
export function build(c: TensorCase): Tensor {
  const { shape, values, layout } = c;
  switch (layout.kind) {
    case 'contiguous':
      return tensor(Float32Array.from(values), { shape });
    case 'permuted': {
      // base has shape shape[perm[i]]; base.permute(inverse) has the logical shape.
      const { perm } = layout;
      const baseShape = perm.map((p) => shape[p]);
      const base = new Float32Array(values.length);
      const baseStrides = contiguousStrides(baseShape);
      for (let i = 0; i < values.length; i++) {
        const idx = unravel(i, shape);
        let o = 0;
        for (let d = 0; d < perm.length; d++) o += idx[perm[d]] * baseStrides[d];
        base[o] = values[i];
      }
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return tensor(base, { shape: baseShape }).permute(inverse);
    }
    case 'sliced': {
      const { starts, steps } = layout;
      const baseShape = shape.map((d, i) => starts[i] + (d > 0 ? (d - 1) * steps[i] + 1 : 0) + 1);
      const base = new Float32Array(size(baseShape)).fill(GAP);
      const baseStrides = contiguousStrides(baseShape);
      for (let i = 0; i < values.length; i++) {
        const idx = unravel(i, shape);
        let o = 0;
        for (let d = 0; d < shape.length; d++) o += (starts[d] + idx[d] * steps[d]) * baseStrides[d];
        base[o] = values[i];
      }
      let t = tensor(base, { shape: baseShape });
      for (let d = 0; d < shape.length; d++) {
        t = t.slice(d, starts[d], starts[d] + (shape[d] > 0 ? (shape[d] - 1) * steps[d] + 1 : 0), steps[d]);
      }
      return t;
    }
    case 'expanded': {
      const source = shape.map((d, i) => (layout.dims[i] ? Math.min(d, 1) : d));
      const srcStrides = contiguousStrides(source);
      const src = new Float32Array(size(source));
      for (let i = 0; i < values.length; i++) src[broadcastIndex(unravel(i, shape), source, srcStrides)] = values[i];
      return tensor(src, { shape: source }).expand(shape);
    }
  }
}

export const describeLayout = (l: Layout): string =>
  l.kind === 'contiguous' ? 'contiguous' : l.kind === 'permuted' ? `permuted(${l.perm})` :
  l.kind === 'sliced' ? `sliced(starts ${l.starts}, steps ${l.steps})` : `expanded(${l.dims.map(Number)})`;

// ---------------------------------------------------------------- comparison

/**
 * Checks got against the float64 reference. `tol(i)` is the allowed absolute error; omitted means
 * bit-exact after rounding the reference to float32 (signed zeros distinguished). NaN must match
 * NaN and infinities must match exactly. Returns nothing; throws a message naming the element.
 */
export function expectMatches(got: ArrayLike<number>, ref: ArrayLike<number>, what: string, tol?: (i: number) => number): void {
  if (got.length !== ref.length) throw new Error(`${what}: ${got.length} values, reference has ${ref.length}`);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i], r = ref[i];
    const r32 = f32(r);
    if (Number.isNaN(r) || Number.isNaN(g)) {
      if (Number.isNaN(r) && Number.isNaN(g)) continue;
      throw new Error(`${what}: element ${i} is ${g}, reference ${r}`);
    }
    if (!tol) {
      if (!Object.is(g, r32)) throw new Error(`${what}: element ${i} is ${fmt(g)}, reference rounds to ${fmt(r32)} (exact ${r})`);
      continue;
    }
    if (!Number.isFinite(r32) || !Number.isFinite(g)) {
      if (g === r32) continue;
      throw new Error(`${what}: element ${i} is ${g}, reference ${r}`);
    }
    const allowed = tol(i);
    if (!(Math.abs(g - r) <= allowed)) {
      throw new Error(`${what}: element ${i} is ${g}, reference ${r}, error ${Math.abs(g - r).toExponential(3)} > allowed ${allowed.toExponential(3)}`);
    }
  }
}

const fmt = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** Asserts fn throws an Error whose message matches. */
export function expectThrows(fn: () => unknown, pattern: RegExp, what: string): void {
  try { fn(); } catch (e) {
    if (!(e instanceof Error) || !pattern.test(e.message)) throw new Error(`${what}: threw ${String(e)}, expected ${pattern}`);
    return;
  }
  throw new Error(`${what}: did not throw (expected ${pattern})`);
}

// ---------------------------------------------------------------- running

export interface PropertyRun { name: string; runs: number }

/**
 * One vitest case per property; each case runs inside tidy() so nothing it allocates outlives it.
 * Logs `[property] <family> (<build>): <property> — N cases` and a family total in afterAll style.
 */
export function propertySuite(family: string, build: 'relaxed' | 'plain', properties: { name: string; runs: number; property: fc.IProperty<any> | (() => fc.IProperty<any>) }[]): void {
  let total = 0;
  for (const p of properties) {
    it(p.name, () => {
      if (backendInfo().simd !== build) throw new Error(`expected the ${build} build, running ${backendInfo().simd}`);
      const runs = Math.max(1, Math.round(p.runs * RUNS_SCALE));
      const property = typeof p.property === 'function' ? p.property() : p.property;
      const t0 = performance.now();
      fc.assert(property, { numRuns: runs, seed: SEED, endOnFailure: false });
      total += runs;
      console.log(`[property] ${family} (${build}): ${p.name}: ${runs} cases in ${((performance.now() - t0) / 1000).toFixed(2)} s` +
        (p === properties[properties.length - 1] ? `; ${family} total ${total} cases` : ''));
    });
  }
}

/** A property whose body runs inside tidy() (all tensors it makes are freed afterwards). */
export function tensorProperty<Ts extends [unknown, ...unknown[]]>(...args: [...{ [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, (...v: Ts) => void]): fc.IProperty<Ts> {
  const body = args.pop() as (...v: Ts) => void;
  const arbs = args as unknown as { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };
  return fc.property(...arbs, (...v: Ts) => { tidy(() => { body(...v); }); });
}
