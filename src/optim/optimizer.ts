// The optimizer base: parameter groups with per-group options, lazily created per-parameter state
// (kept wasm buffers, allocated once), zeroGrad, and state dicts. Subclasses supply option checks
// and the per-parameter update (one fused kernel call), following PyTorch 1.13.
import { Tensor, isTensor } from '../tensor.js';
import { zeros } from '../ops/creation.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { frame, handBack, letGo, userCode } from '../lifetime.js';
import { sameShape } from '../shape.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';
import { checkOptions, parseArgs, type PositionalArgs } from '../options.js';

/** Per-parameter state: tensors under PyTorch's names (exp_avg, momentum_buffer, ...) and the step count. */
export type ParamState = Record<string, Tensor | number>;

/** A parameter group: its parameters plus a full copy of the optimizer options (each group may differ). */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };
/** A group as passed in: parameters plus any options that override the optimizer's defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor>; initialLr?: number };
export type ParamsInput<O> = Iterable<Tensor> | ParamGroupInput<O>[];

export interface OptimizerStateDict<O = Record<string, unknown>> {
  /** Keyed by the parameter's position across all groups, in order (like PyTorch). */
  state: Record<number, ParamState>;
  /** The group options, with `params` as those positions. */
  paramGroups: (O & { params: number[]; initialLr?: number })[];
}

export interface ZeroGradOptions {
  /** Drop (and free) the gradients instead of filling them with zeros (default true, like PyTorch 2). */
  setToNone?: boolean;
}

export type Closure = () => number | Tensor;

type UpdateKernel = 'opt_sgd' | 'opt_adam' | 'opt_rmsprop' | 'opt_adagrad';

export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();
  readonly defaults: Readonly<O>;

  /** `defaults` lists every option with its default value; `opts` are the caller's overrides. */
  protected constructor(readonly name: string, params: ParamsInput<O>, defaults: O, opts: Partial<O> = {}) {
    checkKeys(name, opts, Object.keys(defaults), 'option');
    this.defaults = Object.freeze({ ...defaults, ...opts });
    this.checkOptions(this.defaults);
    const list = isTensor(params) ? [params] : Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const groups = list.every(isGroupInput) ? (list as ParamGroupInput<O>[]) : [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Throws if an option is out of range (message names the optimizer, the option, the value). */
  protected abstract checkOptions(o: O): void;
  /** Applies one update to p from p.grad (non-null, same shape), creating its state on first use. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>): void;

  addParamGroup(group: ParamGroupInput<O>): void {
    if (!isGroupInput(group)) throw new Error(`${this.name}.addParamGroup: expected an object with a 'params' array of tensors`);
    checkKeys(this.name, group, [...Object.keys(this.defaults), 'params', 'initialLr'], 'parameter group');
    const params = isTensor(group.params) ? [group.params as unknown as Tensor] : Array.from(group.params);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      if (!isTensor(p)) throw new Error(`${this.name}: can only optimize Tensors, but parameter ${i} of the group is ${typeof p}`);
      if (!p.isLeaf) throw new Error(`${this.name}: can't optimize a non-leaf Tensor (parameter ${i}, shape [${p.shape}]); use detach().requiresGrad_()`);
      if (p.dtype !== 'float32') throw new Error(`${this.name}: parameters must be float32, parameter ${i} is ${p.dtype}`);
      if (seen.has(p)) throw new Error(`${this.name}: some parameters appear in more than one parameter group (parameter ${i}, shape [${p.shape}])`);
      seen.add(p);
    });
    const full = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.checkOptions(full);
    this.paramGroups.push(full);
  }

  /** Clears the gradients of every parameter: frees them (setToNone, the default) or zeroes them in place: zeroGrad(false) or zeroGrad({ setToNone: false }). */
  zeroGrad(...args: PositionalArgs<[setToNone: boolean], ZeroGradOptions>): void {
    const setToNone = args.length === 0 ? true // the usual call, every step
      : parseArgs<ZeroGradOptions>({ op: `${this.name}.zeroGrad`, positional: ['setToNone'], types: { setToNone: 'boolean' } }, args).setToNone ?? true;
    frame(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = p.grad;
          if (!g) continue;
          // A gradient user code never read is freed; one it holds stays valid (like PyTorch).
          if (setToNone) p.grad = null;
          else if (!g.isDisposed) g.zero_();
        }
      }
    });
  }

  /**
   * One update of every parameter that has a gradient (parameters with grad === null are skipped).
   * The optional closure re-evaluates the model and returns the loss, which step returns.
   */
  step(closure?: Closure): number | Tensor | undefined {
    const loss = closure ? userCode(() => enableGrad(closure)) : undefined;
    // In no-grad mode, like PyTorch's step: parameters are leaves that require grad.
    frame(() => noGrad(() => this.updateAll()));
    return loss;
  }

  private updateAll(): void {
    for (const group of this.paramGroups) {
      this.checkOptions(group); // schedulers and users may edit groups between steps
      for (const p of group.params) {
        const g = p.grad;
        if (!g) continue;
        if (!sameShape(g.shape, p.shape)) throw new Error(`${this.name}.step: gradient shape [${g.shape}] does not match parameter shape [${p.shape}]`);
        if (!p.isContiguous() || !g.isContiguous()) throw new Error(`${this.name}.step: parameter and gradient must be contiguous (shape [${p.shape}])`);
        // _writePtr: the parameter's version counter moves, so a graph that saved it refuses backward.
        if (p.numel()) { p._writePtr(`${this.name}.step`); this.update(p, g, group); }
      }
    }
  }

  /** The state of p, created empty on first use. */
  /**
   * Runs an update kernel, whose arguments are (pointers..., element count, scalars...). Large
   * parameters are split by rows across threads: the same rows the Linear GEMMs hand each thread,
   * so a thread updates the weights whose gradient it just computed (runtime/parallel.ts).
   */
  protected launch(kernel: UpdateKernel, p: Tensor, ptrs: number[], scalars: number[]): void {
    const rows = p.ndim > 0 ? p.shape[0] : 1, rowLen = rows > 0 ? p.numel() / rows : 0;
    parallelRows(kernel, rows, p.numel(), MIN_PARALLEL_ELEMENTS, (start, count) =>
      [...ptrs.map((q) => (q ? q + start * rowLen * 4 : 0)), count * rowLen, ...scalars]);
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) { s = {}; this.state.set(p, s); }
    return s;
  }

  /** Counts a step of a parameter in its state (PyTorch's `step`): 1 on its first step. */
  protected countStep(state: ParamState): number {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    return step;
  }

  /** A state buffer shaped like p: made once (zeros, or `fill`) and kept out of automatic release. */
  protected buffer(state: ParamState, key: string, p: Tensor, fill = 0): Tensor {
    let t = state[key] as Tensor | undefined;
    if (!t || t.isDisposed) {
      t = zeros(p.shape).keep();
      handBack(t); // reachable through this.state
      if (fill !== 0) t.fill_(fill);
      state[key] = t;
    }
    return t;
  }

  /** Copies of the optimizer state (tensors are fresh copies owned by the caller) and the group options. */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return { ...opts, params: params.map((p) => { const i = index.size; index.set(p, i); return i; }) } as unknown as O & { params: number[] };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: ParamState = {};
      for (const [k, v] of Object.entries(s)) entry[k] = isTensor(v) ? zeros(v.shape).copy_(v) : v;
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /** Restores state saved by stateDict() (copied in; groups must hold the same numbers of parameters). */
  loadStateDict(sd: OptimizerStateDict<Partial<O>>): void {
    const op = `${this.name}.loadStateDict`;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') throw new Error(`${op}: expected { state, paramGroups } from stateDict()`);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${op}: the state dict has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const mine = this.paramGroups[gi];
      if (!Array.isArray(saved.params) || saved.params.length !== mine.params.length) {
        throw new Error(`${op}: parameter group ${gi} holds ${saved.params?.length} parameters in the state dict, ${mine.params.length} in the optimizer`);
      }
      saved.params.forEach((idx, j) => byIndex.set(idx, mine.params[j]));
    });
    // Check everything before changing anything.
    const groups = sd.paramGroups.map((saved, gi) => {
      const { params: _ignored, ...opts } = saved;
      const next = { ...this.paramGroups[gi], ...opts } as ParamGroup<O>;
      this.checkOptions(next);
      return next;
    });
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new Error(`${op}: state for parameter ${key}, which no group lists`);
      for (const [k, v] of Object.entries(entry)) {
        if (isTensor(v) && !sameShape(v.shape, p.shape)) {
          throw new Error(`${op}: state '${k}' of parameter ${key} has shape [${v.shape}], the parameter has shape [${p.shape}]`);
        }
      }
    }
    groups.forEach((g, gi) => Object.assign(this.paramGroups[gi], g));
    for (const s of this.state.values()) for (const v of Object.values(s)) if (isTensor(v)) letGo(v);
    this.state.clear();
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key))!;
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) s[k] = isTensor(v) ? zeros(v.shape).copy_(v).keep() : v;
      this.state.set(p, s);
    }
  }
}

// PyTorch users will write weight_decay; say which names exist instead of ignoring it (src/options.ts).
function checkKeys(name: string, obj: object, allowed: string[], what: string): void {
  checkOptions({ op: what === 'option' ? name : `${name} (${what})`, keywords: allowed }, obj);
}

function isGroupInput(x: unknown): x is ParamGroupInput<any> {
  return typeof x === 'object' && x !== null && !isTensor(x) && 'params' in x;
}

// ---- option checks shared by the optimizers ----
export function checkRange(opt: string, what: string, v: unknown, ok: (v: number) => boolean, expected: string): void {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) throw new Error(`${opt}: invalid ${what} ${v} (expected ${expected})`);
}
export const checkNonNegative = (opt: string, what: string, v: unknown) => checkRange(opt, what, v, (x) => x >= 0, '>= 0');
export function checkBool(opt: string, what: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${opt}: ${what} must be a boolean, got ${v}`);
}
/** Checks, in order, each option of `nonNegative` (key: the name PyTorch's message uses) and each boolean flag. */
export function checkOptionKinds<O extends object>(opt: string, o: O, nonNegative: { [K in keyof O]?: string }, flags: (keyof O & string)[]): void {
  for (const key of Object.keys(nonNegative) as (keyof O)[]) checkNonNegative(opt, nonNegative[key]!, o[key]);
  for (const key of flags) checkBool(opt, key, o[key]);
}
