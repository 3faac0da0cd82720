// Creating tensors: from nested arrays or typed arrays, constant fills, ranges, identity and
// seeded random draws.
import { Tensor, type DType, type NestedArray } from '../tensor.js';
import { backend, requireReady } from '../runtime/backend.js';
import { scratch } from '../runtime/scratch.js';
import { shapeSize } from '../shape.js';
import { expectFloat } from '../dtypes.js';
import { checkOptions, isPlainObject, type ArgSpec } from '../options.js';

export interface CreateOptions { dtype?: DType; requiresGrad?: boolean }
export interface TensorOptions extends CreateOptions { shape?: number[] }

// Every factory's options are checked (src/options.ts): `requires_grad: true` must not make a
// tensor that silently gets no gradient.
const createSpec = (op: string, keywords: string[] = []): ArgSpec => ({
  op, keywords: ['dtype', 'requiresGrad', ...keywords], types: { requiresGrad: 'boolean', dtype: 'string', shape: 'array' },
  unsupported: {
    device: { accept: 'cpu', why: "tensors live in WebAssembly memory; only device 'cpu' is accepted" },
    pinMemory: { accept: false, why: 'there is no GPU memory to pin' },
  },
});
const SPECS = new Map<string, ArgSpec>();
function createOptions<O extends CreateOptions>(opts: O | undefined, op: string): O {
  // randn(2, 3) for PyTorch's torch.randn(2, 3): the sizes are one array here.
  if (typeof opts === 'number') throw new Error(`${op}: the shape is one array of sizes (${op}([2, 3]), not ${op}(2, 3)); the argument after it is an options object`);
  let spec = SPECS.get(op);
  if (!spec) { spec = createSpec(op, op === 'tensor' ? ['shape'] : []); SPECS.set(op, spec); }
  const o = checkOptions(spec, opts);
  if (o.dtype !== undefined && o.dtype !== 'float32' && o.dtype !== 'int32') {
    throw new Error(`${op}: dtype must be 'float32' or 'int32', got '${o.dtype}'`);
  }
  return o;
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function checkShape(shape: readonly number[], op: string): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of sizes, got ${JSON.stringify(shape)}`);
  for (const s of shape) {
    if (typeof s !== 'number' || !Number.isFinite(s) || !Number.isInteger(s) || s < 0) {
      throw new Error(`${op}: sizes must be non-negative finite integers, got shape [${shape}]`);
    }
  }
  shapeSize(shape, op);
  return shape.slice();
}

/** @internal Wraps values (copied into wasm memory) as a tensor. */
export function fromValues(values: ArrayLike<number>, shape: number[], dtype: DType): Tensor {
  const t = Tensor._empty(shape, dtype);
  if (t.numel()) (dtype === 'int32' ? backend.i32 : backend.f32).set(values as ArrayLike<number>, t.ptr() >> 2);
  return t;
}

function inferNested(data: NestedArray, op: string): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0] as NestedArray; if (probe === undefined) break; }
  const flat: number[] = [];
  const walk = (v: NestedArray, d: number, path: number[]) => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new Error(`${op}: ragged nested array: element at [${path}] is an array, expected a number (inferred shape [${shape}])`);
      const num = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      if (typeof num !== 'number') throw new Error(`${op}: element at [${path}] is ${typeof v}, expected a number`);
      flat.push(num);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new Error(`${op}: ragged nested array: expected length ${shape[d]} at [${path}], got ${Array.isArray(v) ? v.length : typeof v} (inferred shape [${shape}])`);
    }
    v.forEach((x, i) => walk(x, d + 1, [...path, i]));
  };
  walk(data, 0, []);
  return { shape, flat };
}

/**
 * tensor([[1, 2], [3, 4]]), tensor(float32Array, { shape: [2, 2] }), tensor(3.5).
 * Int32Array data (or dtype: 'int32') gives an int32 tensor.
 */
export function tensor(data: NestedArray | ArrayLike<number> | ArrayBufferView, opts: TensorOptions = {}): Tensor {
  requireReady();
  const op = 'tensor';
  createOptions(opts, op);
  if (ArrayBuffer.isView(data)) {
    const arr = data as unknown as ArrayLike<number>;
    const dtype: DType = opts.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
    const shape = checkShape(opts.shape ?? [arr.length], op);
    if (shapeSize(shape, op) !== arr.length) {
      throw new Error(`tensor: shape [${shape}] needs ${shapeSize(shape)} values, got a typed array of length ${arr.length}`);
    }
    return finish(fromValues(arr, shape, dtype), opts);
  }
  const { shape, flat } = inferNested(data as NestedArray, op);
  const target = opts.shape ? checkShape(opts.shape, op) : shape;
  if (shapeSize(target, op) !== flat.length) throw new Error(`tensor: shape [${target}] needs ${shapeSize(target)} values, got ${flat.length}`);
  return finish(fromValues(flat, target, opts.dtype ?? 'float32'), opts);
}

// `op` names the public function in errors (zeros, ones, ... all fill).
function filled(shape: number[], value: number, opts: CreateOptions, op: string): Tensor {
  requireReady();
  createOptions(opts, op);
  const t = Tensor._empty(checkShape(shape, op), opts.dtype ?? 'float32');
  if (t.numel()) t.fill_(value);
  return finish(t, opts);
}
export const full = (shape: number[], value: number, opts: CreateOptions = {}) => filled(shape, value, opts, 'full');
export const zeros = (shape: number[], opts: CreateOptions = {}) => filled(shape, 0, opts, 'zeros');
export const ones = (shape: number[], opts: CreateOptions = {}) => filled(shape, 1, opts, 'ones');
export const empty = (shape: number[], opts: CreateOptions = {}) => filled(shape, 0, opts, 'empty');
export const zerosLike = (t: Tensor, opts: CreateOptions = {}) => filled(t.shape, 0, { dtype: t.dtype, ...createOptions(opts, 'zerosLike') }, 'zerosLike');
export const onesLike = (t: Tensor, opts: CreateOptions = {}) => filled(t.shape, 1, { dtype: t.dtype, ...createOptions(opts, 'onesLike') }, 'onesLike');
export const fullLike = (t: Tensor, v: number, opts: CreateOptions = {}) => filled(t.shape, v, { dtype: t.dtype, ...createOptions(opts, 'fullLike') }, 'fullLike');

/** arange(end), arange(start, end) or arange(start, end, step), each optionally followed by options. */
export function arange(start: number, end?: number | CreateOptions, step: number | CreateOptions = 1, opts: CreateOptions = {}): Tensor {
  requireReady();
  // arange(10, { dtype }) and arange(0, 10, { dtype }), as PyTorch's arange(10, dtype=...).
  if (isPlainObject(end)) { opts = end as CreateOptions; end = undefined; step = 1; }
  else if (isPlainObject(step)) { opts = step as CreateOptions; step = 1; }
  createOptions(opts, 'arange');
  if (typeof end !== 'number' && end !== undefined) throw new Error(`arange: end must be a number, got ${typeof end}`);
  if (typeof step !== 'number') throw new Error(`arange: step must be a number, got ${typeof step}`);
  if (end === undefined) { end = start; start = 0; }
  if (![start, end, step].every(Number.isFinite) || step === 0) throw new Error(`arange: start ${start}, end ${end}, step ${step} must be finite with step != 0`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (allInt ? 'int32' : 'float32');
  const vals = Array.from({ length: n }, (_, i) => start + i * step);
  return finish(fromValues(vals, [n], dtype), opts);
}

export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  requireReady();
  createOptions(opts, 'linspace');
  if (opts.dtype === 'int32') throw new Error(`linspace: dtype 'int32' is not supported (the values are float32)`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor._empty([steps], 'float32');
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half from the end so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  const vals = steps === 1 ? [start] : Array.from({ length: steps }, (_, i) => (i < half ? start + step * i : end - step * (steps - 1 - i)));
  if (steps) backend.f32.set(vals, t.ptr() >> 2);
  return finish(t, opts);
}

/** eye(n), eye(n, m), eye(n, opts) or eye(n, m, opts). */
export function eye(n: number, m: number | CreateOptions = n, opts: CreateOptions = {}): Tensor {
  if (isPlainObject(m)) { opts = m as CreateOptions; m = n; }
  const cols = m as number, o = createOptions(opts, 'eye');
  const t = filled([n, cols], 0, { dtype: o.dtype }, 'eye');
  const base = t.ptr() >> 2;
  const arr = t.dtype === 'int32' ? backend.i32 : backend.f32;
  for (let i = 0; i < Math.min(n, cols); i++) arr[base + i * cols + i] = 1;
  return finish(t, o);
}

// ---- random (seeded by manualSeed; the generator lives in assembly/random.ts) ----

// rand / randn draw float32 only.
function randomOptions(opts: CreateOptions, op: string): void {
  createOptions(opts, op);
  if (opts.dtype === 'int32') throw new Error(`${op}: draws float32 values; dtype 'int32' is not supported (use randint)`);
}
export function manualSeed(seed: number): void {
  requireReady();
  if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
  const s = BigInt.asUintN(64, BigInt(Math.trunc(seed)));
  backend.k.rng_seed(Number(s & 0xffffffffn), Number(s >> 32n));
}

/** The generator's state (16 bytes), to restore with setRngState. */
export function getRngState(): Uint8Array {
  const p = scratch('rng', 16);
  backend.k.rng_get_state(p);
  return backend.u8.slice(p, p + 16);
}
export function setRngState(state: Uint8Array): void {
  if (!(state instanceof Uint8Array) || state.length !== 16) throw new Error('setRngState: expected the 16-byte Uint8Array from getRngState()');
  const p = scratch('rng', 16);
  backend.u8.set(state, p);
  backend.k.rng_set_state(p);
}

export function rand(shape: number[], opts: CreateOptions = {}): Tensor {
  randomOptions(opts, 'rand');
  const t = Tensor._empty(checkShape(shape, 'rand'), 'float32');
  if (t.numel()) backend.k.rng_uniform(t.ptr(), t.numel(), 0, 1);
  return finish(t, opts);
}
export function randn(shape: number[], opts: CreateOptions = {}): Tensor {
  randomOptions(opts, 'randn');
  const t = Tensor._empty(checkShape(shape, 'randn'), 'float32');
  if (t.numel()) backend.k.rng_normal(t.ptr(), t.numel(), 0, 1);
  return finish(t, opts);
}
/** Integers in [low, high). */
export function randint(low: number, high: number, shape: number[], opts: CreateOptions = {}): Tensor {
  createOptions(opts, 'randint');
  if (opts.dtype === 'float32' || opts.requiresGrad) {
    throw new Error(`randint: draws int32 tensors (dtype 'float32' and requiresGrad are not supported; convert with .float())`);
  }
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new Error(`randint: need integers low < high, got ${low}, ${high}`);
  const t = Tensor._empty(checkShape(shape, 'randint'), 'int32');
  if (t.numel()) backend.k.rng_randint(t.ptr(), t.numel(), low, high);
  return t;
}
/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number): Tensor {
  const t = arange(0, n, 1, { dtype: 'int32' });
  if (n > 1) backend.k.rng_shuffle_i32(t.ptr(), n);
  return t;
}
/** Bernoulli draws: 1 with probability p (elementwise), else 0. */
export function bernoulli(p: Tensor): Tensor {
  expectFloat('bernoulli', p, 'probabilities');
  const pc = p.contiguous();
  const t = Tensor._empty(p.shape);
  if (t.numel()) backend.k.rng_bernoulli(pc.ptr('bernoulli'), t.ptr(), t.numel());
  return t;
}
