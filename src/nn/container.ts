// Containers: Sequential (chains its modules), ModuleList and ModuleDict (hold modules so their
// parameters are registered, without a forward of their own).
import type { Tensor } from '../tensor.js';
import type { LinearActivation } from '../ops/matmul.js';
import { Module, callModule, libraryForwards } from './module.js';
import { Linear } from './linear.js';
import { Conv1d, Conv2d } from './conv.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh } from './activation.js';

function checkModule(m: unknown, op: string, where: string): Module {
  if (!(m instanceof Module)) throw new Error(`${op}: ${where} is not a Module (got ${m === null ? 'null' : typeof m})`);
  return m;
}

function checkIndex(i: number, n: number, op: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new Error(`${op}: index ${i} is out of range for ${n} modules`);
  return i < 0 ? i + n : i;
}

// Base of the two numbered containers: modules registered as '0', '1', ... in order.
abstract class IndexedContainer extends Module {
  [index: number]: Module;

  get length(): number { return this._modules.size; }

  /** The module at position `index` (negative counts from the end). */
  get(index: number): Module {
    return ([...this._modules.values()] as Module[])[checkIndex(index, this.length, `${this._getName()}.get`)];
  }

  append(module: Module): this {
    this.registerModule(String(this.length), checkModule(module, `${this._getName()}.append`, 'the argument'));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts before `index`, renumbering the modules after it. */
  insert(index: number, module: Module): this {
    checkModule(module, `${this._getName()}.insert`, 'the argument');
    const n = this.length;
    const at = index === n ? n : checkIndex(index, n, `${this._getName()}.insert`);
    const list = [...this._modules.values()] as Module[];
    list.splice(at, 0, module);
    list.forEach((m, i) => this.registerModule(String(i), m));
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return ([...this._modules.values()] as Module[])[Symbol.iterator]();
  }
}

// Activations the GEMM epilogue applies itself (exact class matches only, so subclasses keep their forward).
function fusedActivation(m: Module | undefined): { act: LinearActivation; slope: number } | null {
  if (!m) return null;
  const c = m.constructor;
  if (c === ReLU) return { act: 'relu', slope: 0 };
  if (c === Sigmoid) return { act: 'sigmoid', slope: 0 };
  if (c === Tanh) return { act: 'tanh', slope: 0 };
  if (c === LeakyReLU) return { act: 'leakyRelu', slope: (m as LeakyReLU).negativeSlope };
  return null;
}

/**
 * Runs its modules in order: new Sequential(new Linear(4, 8), new ReLU()), or with names:
 * new Sequential({ fc: new Linear(4, 8), act: new ReLU() }).
 */
export class Sequential extends IndexedContainer {
  constructor(...modules: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && !(first instanceof Module) && first !== null && typeof first === 'object') {
      const entries = first instanceof Map ? [...first] : Object.entries(first as Record<string, Module>);
      for (const [name, m] of entries) this.registerModule(name, checkModule(m, 'Sequential', `entry '${name}'`));
    } else {
      (modules as Module[]).forEach((m, i) => this.registerModule(String(i), checkModule(m, 'Sequential', `argument ${i}`)));
    }
  }

  forward(input: any): any {
    const mods = [...this._modules.values()] as Module[];
    let x = input;
    for (let i = 0; i < mods.length; i++) {
      const m = mods[i];
      // Linear or Conv followed by a plain activation: one op with the activation in the GEMM epilogue.
      const c = m.constructor;
      const fused = c === Linear || c === Conv2d || c === Conv1d ? fusedActivation(mods[i + 1]) : null;
      if (fused) { x = (m as Linear | Conv2d | Conv1d)._forwardFused(x as Tensor, fused.act, fused.slope); i++; continue; }
      x = callModule(m, x);
    }
    return x;
  }
}

/** Holds modules in a list; index with get(i) or [i]. Has no forward. */
export class ModuleList extends IndexedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }
  forward(): never {
    throw new Error('ModuleList has no forward(); iterate over its modules instead');
  }
}

/** Holds modules by name (insertion order). Has no forward. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Map<string, Module> = {}) {
    super();
    this.update(modules);
  }
  get size(): number { return this._modules.size; }
  get(key: string): Module | undefined { return this._modules.get(key) ?? undefined; }
  set(key: string, module: Module): this {
    this.registerModule(key, checkModule(module, 'ModuleDict.set', `value for '${key}'`));
    return this;
  }
  has(key: string): boolean { return this._modules.has(key); }
  update(modules: Record<string, Module> | Map<string, Module>): this {
    const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }
  keys(): string[] { return [...this._modules.keys()]; }
  values(): Module[] { return [...this._modules.values()] as Module[]; }
  entries(): [string, Module][] { return [...this._modules] as [string, Module][]; }
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
  forward(): never {
    throw new Error('ModuleDict has no forward(); look up its modules instead');
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Sequential);
