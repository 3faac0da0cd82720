// Arguments the PyTorch way, checked: every options object in the public API goes through here, so
// an option that is misspelt, snake_case, or unsupported throws instead of being silently dropped,
// and PyTorch's positional order (nn.Conv2d(1, 8, 3, 1, 1), optim.Adam(params, 0.05)) means what it
// means in PyTorch. The rule, as the README states it:
//  - an options object's keys must be known (camelCase); a snake_case key names its camelCase form;
//  - where PyTorch takes positional arguments, the same prefix is accepted, then optionally an
//    options object; a value given both ways, or more positional arguments than PyTorch's list, throws;
//  - a PyTorch option wasmgrad does not implement is refused (unless it is given its default).
import type { Tensor } from './tensor.js';

// Duck-typed (Tensor.prototype._isTensor) so that tensor.ts itself can use this module.
const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && (v as { _isTensor?: unknown })._isTensor === true;

/** Value kinds checked cheaply before an op runs (undefined always passes: it means "the default"). */
export type OptionKind = 'boolean' | 'number' | 'integer' | 'string' | 'function' | 'tensor' | 'array' | 'object' | 'null';

/** How an op takes its arguments. */
export interface ArgSpec {
  /** The op's name in messages ('Conv2d', 'optim.Adam', 'crossEntropy'). */
  op: string;
  /** The required parameters before the ones parsed here, for messages about counts. */
  leading?: readonly string[];
  /** PyTorch's positional order of the optional parameters (camelCase). */
  positional?: readonly string[];
  /** Options that can only be given in the options object. */
  keywords?: readonly string[];
  /** Expected kinds of values, checked for the keys listed. */
  types?: Readonly<Record<string, OptionKind | readonly OptionKind[]>>;
  /**
   * PyTorch options wasmgrad does not implement (camelCase), with the one value that is harmless to
   * accept (PyTorch's default; `undefined` when none is) and what to do instead.
   */
  unsupported?: Readonly<Record<string, { accept?: unknown; why: string }>>;
  /** PyTorch's names (camelCase) of options wasmgrad spells differently: { collateFn: 'collate' }. */
  renamed?: Readonly<Record<string, string>>;
}

const snakeToCamel = (key: string): string => key.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

/** A plain object literal (not a tensor, array, function or class instance). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isTensor(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (isTensor(v)) return `a Tensor of shape [${v.shape}]`;
  if (Array.isArray(v)) return `an array ${JSON.stringify(v)}`.slice(0, 80);
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `${typeof v} ${String(v)}`;
}

const allowedOf = (spec: ArgSpec): string[] => [...(spec.positional ?? []), ...(spec.keywords ?? [])];
// Specs are module constants: their key sets are built once (checks run on every call of a loss or step).
const allowedSets = new WeakMap<ArgSpec, ReadonlySet<string>>();
function allowedSet(spec: ArgSpec): ReadonlySet<string> {
  let set = allowedSets.get(spec);
  if (!set) allowedSets.set(spec, set = new Set(allowedOf(spec)));
  return set;
}

function kindOk(kind: OptionKind, v: unknown): boolean {
  switch (kind) {
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number' && !Number.isNaN(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'function': return typeof v === 'function';
    case 'tensor': return isTensor(v);
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v) && !isTensor(v);
    case 'null': return v === null;
  }
}

const article = (k: OptionKind) => (k === 'integer' || k === 'array' || k === 'object' ? 'an' : 'a');
const kindName = (k: OptionKind) => (k === 'null' ? 'null' : `${article(k)} ${k === 'tensor' ? 'Tensor' : k}`);

// The message for a key that is not an option of `spec`, naming what the user probably meant.
function unknownKey(spec: ArgSpec, key: string, allowed: readonly string[]): Error {
  const { op } = spec;
  const camel = snakeToCamel(key);
  const list = allowed.length ? allowed.join(', ') : 'none';
  const unsupported = spec.unsupported?.[camel];
  if (unsupported) {
    const spelling = camel !== key ? ` ('${key}' is spelt '${camel}' here)` : '';
    return new Error(`${op}: option '${camel}' is not supported${spelling}: ${unsupported.why}`);
  }
  const renamed = spec.renamed?.[camel];
  if (renamed) return new Error(`${op}: unknown option '${key}' (PyTorch's ${camel !== key ? `'${key}'` : `'${camel}'`} is '${renamed}' here)`);
  if (camel !== key && allowed.includes(camel)) {
    return new Error(`${op}: unknown option '${key}' (did you mean '${camel}'? options are camelCase)`);
  }
  const folded = allowed.find((a) => a.toLowerCase() === camel.toLowerCase());
  if (folded) return new Error(`${op}: unknown option '${key}' (did you mean '${folded}'?)`);
  return new Error(`${op}: unknown option '${key}' (expected one of ${list})`);
}

function checkValue(spec: ArgSpec, key: string, v: unknown): void {
  if (v === undefined) return;
  const unsupported = spec.unsupported?.[key];
  if (unsupported) {
    if ('accept' in unsupported && Object.is(v, unsupported.accept)) return;
    throw new Error(`${spec.op}: ${key} = ${typeof v === 'string' ? `'${v}'` : String(v)} is not supported: ${unsupported.why}`);
  }
  const t = spec.types?.[key];
  if (t === undefined) return;
  // One kind (the usual case) without an array and a closure: this runs on every op call.
  if (typeof t === 'string' ? !kindOk(t, v) : !t.some((k) => kindOk(k, v))) {
    const kinds = typeof t === 'string' ? [t] : t;
    throw new Error(`${spec.op}: ${key} must be ${kinds.map(kindName).join(' or ')}, got ${describe(v)}`);
  }
}

/**
 * Checks an options object against `spec` (every key known, values of the declared kinds) and
 * returns it (`{}` for undefined).
 */
export function checkOptions<O extends object>(spec: ArgSpec, opts: O | undefined | null): O {
  if (opts === undefined || opts === null) return {} as O;
  // Any object (a class instance too); not a number, string, array or tensor in the options' place.
  if (typeof opts !== 'object' || Array.isArray(opts) || isTensor(opts)) {
    throw new Error(`${spec.op}: expected an options object { ${allowedOf(spec).join(', ')} }, got ${describe(opts)}`);
  }
  const allowed = allowedSet(spec);
  for (const key in opts) {
    if (!Object.prototype.hasOwnProperty.call(opts, key)) continue;
    if (!allowed.has(key) && !spec.unsupported?.[key]) throw unknownKey(spec, key, allowedOf(spec));
    checkValue(spec, key, (opts as Record<string, unknown>)[key]);
  }
  return opts;
}

/**
 * PyTorch-style arguments: `args` are what follows the leading parameters, i.e. a prefix of
 * spec.positional in PyTorch's order, optionally followed by one options object. Returns the options
 * with the positional values merged in, all checked.
 */
export function parseArgs<O extends object>(spec: ArgSpec, args: readonly unknown[]): O {
  if (args.length === 0) return {} as O;   // the common call: defaults only
  const { op } = spec;
  const names = spec.positional ?? [];
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const hasOpts = n > 0 && isPlainObject(args[n - 1]);
  const opts = checkOptions<Record<string, unknown>>(spec, hasOpts ? (args[n - 1] as Record<string, unknown>) : undefined);
  const count = hasOpts ? n - 1 : n;
  if (count > names.length) {
    const leading = spec.leading ?? [];
    const all = [...leading, ...names];
    throw new Error(`${op}: takes at most ${all.length} positional argument${all.length === 1 ? '' : 's'}` +
      `${all.length ? ` (${all.join(', ')})` : ''} and then an options object, got ${leading.length + count}`);
  }
  const out: Record<string, unknown> = { ...opts };
  for (let i = 0; i < count; i++) {
    const v = args[i];
    if (v === undefined) continue;
    const key = names[i];
    if (isPlainObject(v)) {
      throw new Error(`${op}: the options object must be the last argument; got one in place of ${key} (positional argument ${(spec.leading?.length ?? 0) + i + 1})`);
    }
    if (opts[key] !== undefined) {
      throw new Error(`${op}: ${key} given twice: as positional argument ${(spec.leading?.length ?? 0) + i + 1} (${describe(v)}) and in the options (${describe(opts[key])})`);
    }
    checkValue(spec, key, v);
    out[key] = v;
  }
  return out as O;
}

// ---- types for the overloads ----

type Prefixes<P extends unknown[]> = P extends [...infer Init, unknown] ? P | Prefixes<Init> : [];

/**
 * The arguments after an op's required ones: a prefix of PyTorch's positional parameters `P`
 * (e.g. `[stride: Pair, padding: ConvPadding]`), optionally followed by the options object `O`.
 */
export type PositionalArgs<P extends unknown[], O> = Prefixes<P> extends infer T ? (T extends unknown[] ? T | [...T, O] : never) : never;

/**
 * PositionalArgs whose first parameter is required: given positionally, or in the options object,
 * whose type then includes `R` (e.g. `{ lr: number }`).
 */
export type RequiredFirstArgs<P extends unknown[], O, R> = Exclude<PositionalArgs<P, O>, [] | [O]> | [opts: O & R];
