// Module: the base of every layer. Owns parameters, buffers and child modules under PyTorch names,
// switches train/eval, saves and loads state dicts, and prints itself like torch.nn.Module.
//
// Registration is explicit (registerParameter / registerBuffer / registerModule) or automatic: an
// own property holding a Parameter or a Module is registered the first time the module is walked
// (parameters(), stateDict(), toString(), ...) or the next time something is registered, so the
// order is the order in which properties were created. Registered names become accessors, so a
// later `this.fc = new Linear(...)` or `this.bias = null` updates the registry at once.
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { sameShape } from '../shape.js';
import { Parameter } from './parameter.js';
import { LIBRARY, frame, framed, userCode } from '../lifetime.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

// Methods taking PyTorch's positional flags or an options object (src/options.ts).
const REGISTER_BUFFER_ARGS: ArgSpec = { op: 'registerBuffer', leading: ['name', 'tensor'], positional: ['persistent'], types: { persistent: 'boolean' } };
const ZERO_GRAD_ARGS: ArgSpec = { op: 'zeroGrad', positional: ['setToNone'], types: { setToNone: 'boolean' } };
const LOAD_STATE_DICT_ARGS: ArgSpec = { op: 'loadStateDict', leading: ['stateDict'], positional: ['strict'], types: { strict: 'boolean' } };

export type StateDict = Map<string, Tensor>;
export type StateDictLike = Map<string, Tensor> | Record<string, Tensor>;

export interface LoadStateDictResult { missingKeys: string[]; unexpectedKeys: string[] }

type Kind = 'parameter' | 'buffer' | 'module';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export abstract class Module {
  /** True in training mode (Dropout drops, BatchNorm uses batch statistics). */
  training = true;
  /** @internal */ readonly _parameters = new Map<string, Tensor | null>();
  /** @internal */ readonly _buffers = new Map<string, Tensor | null>();
  /** @internal */ readonly _nonPersistent = new Set<string>();
  /** @internal */ readonly _modules = new Map<string, Module | null>();

  abstract forward(...inputs: any[]): any;

  /** One line (or more) describing this module's settings, shown inside its toString(). */
  extraRepr(): string { return ''; }

  // ---- registration ----

  registerParameter(name: string, param: Tensor | null): void {
    this._adoptAttributes();
    this._checkName(name, 'registerParameter');
    this._validate(name, 'parameter', param);
    this._claim(name, 'parameter');
    this._assign(name, 'parameter', param);
  }

  /** A tensor that is part of the module's state but not trained (running statistics, ...). */
  registerBuffer(name: string, tensor: Tensor | null, ...args: PositionalArgs<[persistent: boolean], { persistent?: boolean }>): void {
    const opts = parseArgs<{ persistent?: boolean }>(REGISTER_BUFFER_ARGS, args);
    this._adoptAttributes();
    this._checkName(name, 'registerBuffer');
    this._validate(name, 'buffer', tensor);
    this._claim(name, 'buffer');
    if (opts.persistent === false) this._nonPersistent.add(name); else this._nonPersistent.delete(name);
    this._assign(name, 'buffer', tensor);
  }

  registerModule(name: string, module: Module | null): void {
    this._adoptAttributes();
    this._checkName(name, 'registerModule');
    this._validate(name, 'module', module);
    this._claim(name, 'module');
    this._assign(name, 'module', module);
  }
  /** Alias of registerModule (PyTorch add_module). */
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  private _checkName(name: string, op: string): void {
    if (typeof name !== 'string' || name === '') throw new Error(`${op}: name must be a non-empty string, got ${JSON.stringify(name)}`);
    if (name.includes('.')) throw new Error(`${op}: name can't contain ".", got "${name}"`);
    if (this._kindOf(name)) return;
    // Methods and plain attributes keep their names; an empty field declaration or a not yet adopted
    // tensor/module attribute may be taken over.
    const v = Object.prototype.hasOwnProperty.call(this, name) ? (this as any)[name] : undefined;
    const free = v === undefined || v === null || v instanceof Tensor || v instanceof Module;
    if (name in Object.getPrototypeOf(this) || !free) throw new Error(`${op}: attribute '${name}' already exists on ${this._getName()}`);
  }

  private _kindOf(name: string): Kind | null {
    if (this._parameters.has(name)) return 'parameter';
    if (this._buffers.has(name)) return 'buffer';
    if (this._modules.has(name)) return 'module';
    return null;
  }

  // Moves `name` to the registry of `kind` (dropping it from the others) and installs its accessor.
  private _claim(name: string, kind: Kind): void {
    const current = this._kindOf(name);
    if (current === kind) return;
    if (current === 'parameter') this._parameters.delete(name);
    if (current === 'buffer') { this._buffers.delete(name); this._nonPersistent.delete(name); }
    if (current === 'module') this._modules.delete(name);
    this._mapOf(kind).set(name, null);
    this._installAccessor(name, kind);
  }

  private _installAccessor(name: string, kind: Kind): void {
    const map = this._mapOf(kind);
    Object.defineProperty(this, name, {
      get: () => map.get(name) ?? null,
      set: (v: unknown) => this._assign(name, this._kindOf(name) ?? kind, v),
      enumerable: true,
      configurable: true,
    });
  }

  private _mapOf(kind: Kind): Map<string, any> {
    return kind === 'parameter' ? this._parameters : kind === 'buffer' ? this._buffers : this._modules;
  }

  // PyTorch __setattr__ rules: what each kind of slot accepts.
  private _validate(name: string, kind: Kind, v: unknown): void {
    if (v === undefined || v === null) return;
    const where = `${this._getName()}.${name}`;
    if (kind === 'parameter' && !(v instanceof Parameter) && !(v instanceof Module)) {
      throw new Error(`cannot assign ${describe(v)} as parameter '${where}' (nn.Parameter or null expected; wrap the tensor with new nn.Parameter(t))`);
    }
    if (kind === 'buffer' && !(v instanceof Tensor)) throw new Error(`cannot assign ${describe(v)} as buffer '${where}' (Tensor or null expected)`);
    if (kind === 'module' && !(v instanceof Module) && !(v instanceof Parameter)) {
      throw new Error(`cannot assign ${describe(v)} as child module '${where}' (Module or null expected)`);
    }
  }

  // Stores a value for a registered name; a Parameter or Module moves the name to its own registry.
  private _assign(name: string, kind: Kind, v: unknown): void {
    this._validate(name, kind, v);
    if (v === undefined) v = null;
    const actual: Kind = v instanceof Parameter ? 'parameter' : v instanceof Module ? 'module' : kind;
    if (actual !== kind) this._claim(name, actual);
    if (actual === 'buffer' && v) (v as Tensor).keep();
    this._mapOf(actual).set(name, v);
  }

  /** @internal Registers own properties holding a Parameter or Module, in property order. */
  _adoptAttributes(): void {
    for (const key of Object.keys(this)) {
      const desc = Object.getOwnPropertyDescriptor(this, key);
      if (!desc || !('value' in desc)) continue; // accessors were installed by registration
      const v = desc.value;
      const kind = this._kindOf(key);
      if (kind) {
        // A subclass field re-defined a registered name as a plain property: route it through the registry.
        this._installAccessor(key, kind);
        this._assign(key, kind, v);
      } else if (v instanceof Parameter) {
        this._claim(key, 'parameter'); this._assign(key, 'parameter', v);
      } else if (v instanceof Module) {
        this._claim(key, 'module'); this._assign(key, 'module', v);
      }
    }
  }

  // ---- traversal ----

  /** [name, module] for the direct children (null slots skipped). */
  namedChildren(): [string, Module][] {
    this._adoptAttributes();
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) if (m && !seen.has(m)) { seen.add(m); out.push([name, m]); }
    return out;
  }
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      m._adoptAttributes();
      for (const [name, child] of m._modules) if (child) walk(child, p ? `${p}.${name}` : name);
    };
    walk(this, prefix);
    return out;
  }
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  // Entries of one registry across the module tree, each tensor once (PyTorch remove_duplicate).
  private _namedMembers(kind: 'parameter' | 'buffer', prefix: string, recurse: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      m._adoptAttributes();
      for (const [name, t] of kind === 'parameter' ? m._parameters : m._buffers) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        out.push([mp ? `${mp}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** [name, parameter] with PyTorch names ('0.weight', 'fc1.bias'), in registration order. */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] { return this._namedMembers('parameter', prefix, recurse); }
  parameters(recurse = true): Tensor[] { return this.namedParameters('', recurse).map(([, p]) => p); }
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] { return this._namedMembers('buffer', prefix, recurse); }
  buffers(recurse = true): Tensor[] { return this.namedBuffers('', recurse).map(([, b]) => b); }

  /** Total number of parameter elements (only those requiring grad when onlyTrainable). */
  numParameters(onlyTrainable = false): number {
    return this.parameters().reduce((n, p) => n + (onlyTrainable && !p.requiresGrad ? 0 : p.numel()), 0);
  }

  /** Looks up a descendant by dotted path ('encoder.0'). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    for (const part of target.split('.')) {
      m._adoptAttributes();
      const next = m._modules.get(part);
      if (!next) throw new Error(`getSubmodule: ${m._getName()} has no submodule '${part}' (path '${target}')`);
      m = next;
    }
    return m;
  }

  /** Calls fn on every descendant, then on this module (PyTorch order). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ----

  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error(`train: mode must be a boolean, got ${typeof mode}`);
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }
  eval(): this { return this.train(false); }

  /** Turns gradient tracking of every parameter on or off (freezing layers). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Zeroes every parameter's gradient in place, or drops it when setToNone: zeroGrad(true) or zeroGrad({ setToNone: true }). */
  zeroGrad(...args: PositionalArgs<[setToNone: boolean], { setToNone?: boolean }>): void {
    const opts = parseArgs<{ setToNone?: boolean }>(ZERO_GRAD_ARGS, args);
    frame(() => this._zeroGrad(opts));
  }
  private _zeroGrad(opts: { setToNone?: boolean }): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (opts.setToNone) p.grad = null;
      else p.grad.zero_();
    }
  }

  // ---- state ----

  // name -> the live tensor, in PyTorch state_dict order (each module's params then its persistent buffers).
  private _stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [name, p] of m._parameters) if (p) out.push([pre + name, p]);
      for (const [name, b] of m._buffers) if (b && !m._nonPersistent.has(name)) out.push([pre + name, b]);
    }
    return out;
  }

  /**
   * name -> tensor for every parameter and persistent buffer. The tensors are detached views of the
   * module's own memory (like PyTorch), so they change when the model trains; clone() to snapshot.
   */
  stateDict(): StateDict {
    return new Map(this._stateEntries().map(([name, t]) => [name, t.detach().keep()]));
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. Every key and shape
   * is checked before anything is written, so on error the module is unchanged. With strict = false,
   * missing and unexpected keys are reported instead of thrown (shape mismatches always throw).
   */
  loadStateDict(state: StateDictLike, ...args: PositionalArgs<[strict: boolean], { strict?: boolean }>): LoadStateDictResult {
    const strict = parseArgs<{ strict?: boolean }>(LOAD_STATE_DICT_ARGS, args).strict ?? true;
    if (state === null || typeof state !== 'object') throw new Error(`loadStateDict: expected a Map or object of tensors, got ${describe(state)}`);
    // Bytes (a safetensors file not yet decoded) would otherwise read as hundreds of numeric keys.
    if (state instanceof ArrayBuffer || ArrayBuffer.isView(state)) {
      throw new Error(`loadStateDict: expected a Map or object of tensors, got ${(state as ArrayBufferView).byteLength} bytes ` +
        `(${state.constructor.name}); decode safetensors bytes first: model.loadStateDict(wg.load(bytes))`);
    }
    // Only a Map or a plain object maps names to tensors; a Tensor, an array, a Module or a Promise do not.
    const proto = state instanceof Map ? null : Object.getPrototypeOf(state);
    if (!(state instanceof Map) && proto !== Object.prototype && proto !== null) {
      const hint = state instanceof Module ? ' (pass its state: model.loadStateDict(other.stateDict()))'
        : state instanceof Promise ? ' (await it first)' : '';
      throw new Error(`loadStateDict: expected a Map or object of tensors, got ${Array.isArray(state) ? 'an array' : describe(state)}${hint}`);
    }
    const incoming = state instanceof Map ? new Map(state) : new Map(Object.entries(state));
    const own = this._stateEntries();
    const ownNames = new Set(own.map(([n]) => n));
    const missingKeys = own.map(([n]) => n).filter((n) => !incoming.has(n));
    const unexpectedKeys = [...incoming.keys()].filter((n) => !ownNames.has(n));
    const problems: string[] = [];
    for (const [name, t] of own) {
      if (!incoming.has(name)) continue;
      const src = incoming.get(name);
      if (!(src instanceof Tensor)) { problems.push(`Expected a Tensor for "${name}", got ${describe(src)}.`); continue; }
      if (src.isDisposed) { problems.push(`The tensor for "${name}" was disposed.`); continue; }
      if (!sameShape(src.shape, t.shape)) {
        problems.push(`size mismatch for ${name}: copying a param with shape [${src.shape}] from checkpoint, the shape in current model is [${t.shape}].`);
      }
    }
    const keyProblems: string[] = [];
    if (strict && unexpectedKeys.length) keyProblems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && missingKeys.length) keyProblems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    const all = [...keyProblems, ...problems];
    if (all.length) throw new Error(`loadStateDict: Error(s) in loading state_dict for ${this._getName()}:\n\t${all.join('\n\t')}`);
    noGrad(() => {
      for (const [name, t] of own) {
        const src = incoming.get(name);
        if (src && src !== t) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** @internal The class name shown by toString(). */
  _getName(): string { return this.constructor.name; }

  /** A PyTorch-style tree: `Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n)`. */
  toString(): string {
    this._adoptAttributes();
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this._modules].map(([name, m]) => `(${name}): ${addIndent(m ? m.toString() : 'None', 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this._getName()}(`;
    if (lines.length) {
      if (extraLines.length === 1 && !childLines.length) s += extraLines[0];
      else s += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }
  [INSPECT](): string { return this.toString(); }
}

/**
 * Makes each class's own forward a library frame: intermediates it creates and does not return are
 * freed (or owned by the autograd graph), never left for user code to hold.
 */
export function libraryForwards(...classes: { prototype: Module }[]): void {
  for (const c of classes) {
    if (Object.prototype.hasOwnProperty.call(c.prototype, 'forward')) c.prototype.forward = framed(c.prototype.forward);
  }
}

/** Calls a child module from a container: a user-written forward runs as user code. */
export function callModule(m: Module, ...args: unknown[]): any {
  const f = m.forward as any;
  return f[LIBRARY] ? f.apply(m, args) : userCode(() => f.apply(m, args));
}

function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join('\n');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `a Tensor of shape [${v.shape}]`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}

/** Python's repr of a float (1.0, 0.01, 1e-05), for extraRepr strings that match PyTorch. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const [mant, expStr] = v.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** Python's repr of a bool. */
export function pyBool(v: boolean): string { return v ? 'True' : 'False'; }
