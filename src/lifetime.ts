// Tensor lifetimes. The rule: a tensor that user code can still reach is never freed implicitly;
// only dispose(), the end of a tidy() scope or a `using` declaration frees one. Memory stays flat
// anyway, with no event-loop turn, through three mechanisms:
//  1. Library frames. A public op, layer forward, loss, optimizer step or backward() runs as one
//     frame. What it creates and does not hand back is internal: nothing outside can reach it, so it
//     is freed when the frame ends, or, when autograd nodes saved it for backward (every tensor a
//     backward closure reads is in its node's saved list), once the last of those nodes has run.
//  2. Step generations. Every tensor that did reach user code is tracked by its storage. Each
//     backward() (and every few MiB of such tensors in loops without backward) starts a generation;
//     a storage untouched for two generations moves out of wasm memory into a plain JS byte array
//     (which the garbage collector frees with the tensor) and moves back on its next use.
//  3. A FinalizationRegistry frees the wasm storage of dropped tensors when the event loop turns,
//     before they are ever moved.
import type { Tensor } from './tensor.js';

// Bytes in use in wasm memory (set by the runtime once it is ready; lifetime.ts imports nothing).
let memoryInUse = (): number => 0;
export function setMemoryGauge(f: () => number): void { memoryInUse = f; }

/** What a generation sees of a block of memory (Storage in storage.ts). */
export interface Movable {
  refs: number;
  bytes: number;
  /** Generation of the last use. */
  gen: number;
  /** Shared with a kept tensor (parameter, buffer, gradient, optimizer state): never moved. */
  pinned: boolean;
  /** In the generation lists. */
  tracked: boolean;
  /** True while the bytes live in JS memory. */
  readonly spilled: boolean;
  spill(): void;
}

// ---- frames ----

interface Frame { created: Tensor[] }

let inFrame = false;            // a library frame is running (false: user code is)
const frames: Frame[] = [];     // the open outermost frames (user-mode calls from library code nest)
const pool: Frame[] = [];

export function inLibrary(): boolean { return inFrame; }

function openFrame(): Frame {
  if (gens.bytesSince > gens.threshold) gens.boundary(memoryInUse());
  const f = pool.pop() ?? { created: [] };
  frames.push(f);
  inFrame = true;
  return f;
}

function recycle(f: Frame): void {
  frames.pop();
  f.created.length = 0;
  pool.push(f);
}

// Marks the tensors a frame hands back (alone, or inside arrays, Maps and plain objects).
function markResult(v: unknown, level: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if ((v as Tensor)._isTensor === true) {
    const t = v as Tensor;
    if (!t._exposed) t._exposed = true;
    return t.gradFn !== null;
  }
  if (level > 3 || ArrayBuffer.isView(v)) return false;
  let graph = false;
  if (Array.isArray(v)) { for (const x of v) if (markResult(x, level + 1)) graph = true; }
  else if (v instanceof Map) { for (const x of v.values()) if (markResult(x, level + 1)) graph = true; }
  else { const p = Object.getPrototypeOf(v); if (p === Object.prototype || p === null) for (const k in v) if (markResult((v as any)[k], level + 1)) graph = true; }
  return graph;
}

function closeFrame(f: Frame, result: unknown): void {
  // Without a returned tensor that leads into the graph, no node recorded here can ever run backward.
  const graph = markResult(result, 0);
  for (const t of f.created) {
    if (t._exposed) { exposed(t, true); continue; }
    if (t._kept || t._released) continue;
    // Saved by an autograd node: freed when the last such node has run backward (Node.release).
    if (graph && t._savedRefs > 0) { t._graphOwned = true; gens.track(t.storage); } else t._release('the library');
  }
}

// A throwing frame hands nothing back: everything it made that nothing kept goes.
function abortFrame(f: Frame): void {
  for (const t of f.created) if (!t._exposed && !t._kept && !t._released) t._release('the library');
}

// fn.apply(self, args) rather than a closure: no allocation per op call beyond the rest array.
function runFrame<T>(fn: (...a: any[]) => T, self: unknown, args: unknown[]): T {
  const f = openFrame();
  let result: T;
  try { result = fn.apply(self, args); } catch (e) { inFrame = false; abortFrame(f); recycle(f); throw e; }
  inFrame = false;
  closeFrame(f, result);
  recycle(f);
  return result;
}

/** Runs fn as a library frame (nested calls just run). */
export function frame<T>(fn: () => T): T {
  return inFrame ? fn() : runFrame(fn, undefined, []);
}

/** Wraps a library function so that each outermost call runs as a frame. */
export function framed<F extends (this: any, ...args: any[]) => any>(fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return inFrame ? fn.apply(this, args) : runFrame(fn, this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  (wrapped as any)[LIBRARY] = true;
  return wrapped as unknown as F;
}

/** Marks functions that run as library frames (e.g. a layer's forward). */
export const LIBRARY = Symbol('wasmgrad.library');

/** Runs a user callback from library code: what it makes reaches user code and is never internal. */
export function userCode<T>(fn: () => T): T {
  if (!inFrame) return fn();
  inFrame = false;
  try { return fn(); } finally { inFrame = true; }
}

/** Called by every new tensor. */
export function created(t: Tensor): void {
  t.storage.gen = gens.gen;
  if (inFrame) { t._exposed = false; t.storage.hidden++; frames[frames.length - 1].created.push(t); }
  else exposed(t, false);
  const scope = scopes[scopes.length - 1];
  if (scope) scope.add(t);
}

// A tensor that user code can reach from now on: tracked by generations, and freed by the garbage
// collector's finalizer if dropped while still in wasm memory.
export function exposed(t: Tensor, wasHidden: boolean): void {
  t._exposed = true;
  if (wasHidden) t.storage.hidden--;
  t.storage._see(t.offset, t.shape, t.strides);
  t._registerFinalizer();
  gens.track(t.storage);
}

/** Marks a tensor this frame made as reachable from user code (e.g. optimizer state), as if returned. */
export function handBack(t: Tensor): void { t._exposed = true; }

/** Frees a tensor if it is a library intermediate nothing kept (else leaves it to its holders). */
export function releaseIfInternal(t: Tensor): void {
  if (!t._exposed && !t._kept) t._release('the library');
}

/** A tensor the library held (a replaced gradient, old optimizer state) and lets go of. */
export function letGo(t: Tensor): void {
  if (t._released) return;
  t._kept = false;
  if (!t._exposed) { t._release('the library'); return; }
  // User code may hold it: it stays valid, and generations may move it out later.
  t.storage.pinned = false;
  gens.track(t.storage);
}

// ---- generations ----

/**
 * A generation also ends once the tensors made since its start pass this many bytes and a quarter
 * of the bytes in use (and, in loops that call backward(), twice one step's), so loops without
 * backward() stay flat, and garbage stays a fraction of live memory.
 */
export const MIN_GENERATION_BYTES = 1 << 20;

class Generations {
  gen = 1;
  bytesSince = 0;
  threshold = MIN_GENERATION_BYTES;
  private stepBytes = 0;
  private current: Movable[] = [];
  private previous: Movable[] = [];

  /**
   * Starts tracking a storage. `fresh`: newly made bytes, which count toward the byte trigger. Bytes
   * moved back in do not: counted, a 25 MB dataset moved back for one batch ended a generation by
   * itself, so a loop touching it once a step saw two generations a step and moved it out and in
   * again every step (the example CNN trained at 1,470 samples/s instead of 2,450).
   */
  track(s: Movable, fresh = true): void {
    if (s.tracked || s.pinned) return;
    s.tracked = true;
    s.gen = this.gen;
    this.current.push(s);
    if (fresh) this.bytesSince += s.bytes;
  }

  /** Starts a generation: storages untouched during the last two move out of wasm memory. */
  boundary(inUse: number, fromBackward = false): void {
    // Backward-driven loops end generations themselves; the byte trigger then only catches
    // loops that run far more between backward() calls than one step allocates.
    if (fromBackward) this.stepBytes = this.bytesSince;
    this.threshold = Math.max(MIN_GENERATION_BYTES, inUse / 4, 2 * this.stepBytes);
    const carried: Movable[] = [];
    const oldest = this.gen - 1;
    for (const s of this.previous) {
      if (s.refs <= 0 || s.pinned || s.spilled) { s.tracked = false; continue; }
      if (s.gen >= oldest) { carried.push(s); continue; }
      s.tracked = false;
      s.spill();
    }
    this.previous = this.current.length ? this.current.concat(carried) : carried;
    this.current = [];
    this.gen++;
    this.bytesSince = 0;
  }
}

export const gens = new Generations();

/** A user-level backward() starts a generation (src/autograd/engine.ts). */
export function backwardBoundary(): void { gens.boundary(memoryInUse(), true); }

// ---- tidy ----

export const scopes: Set<Tensor>[] = [];

// What tidy does to a tensor it frees: like dispose(), a leaf takes its (kept) gradient with it,
// unless the scope returns that gradient.
function releaseInScope(t: Tensor, keepers: Set<unknown>, by: string): void {
  const g = t.grad;
  if (g && t.isLeaf && !g._released && !keepers.has(g)) g._release(by);
  t._release(by);
}

/**
 * Runs fn and disposes every tensor created inside it except those it returns (alone, or in an
 * array or object one level deep) and those marked with keep(). `tidy('name', fn)` names the scope
 * in the error a released tensor gives when used later (so does a named function).
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function (tidy(fn) or tidy(name, fn)), got ${typeof fn}`);
  const name = typeof nameOrFn === 'string' ? nameOrFn : fn.name;
  const by = name ? `the end of the tidy() scope '${name}'` : 'the end of a tidy() scope';
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // A throwing scope returns nothing: release all it made before passing the error on.
    scopes.pop();
    for (const t of scope) if (!t._kept && !t._released) releaseInScope(t, new Set(), by);
    throw e;
  }
  scopes.pop();
  const keepers = new Set<unknown>();
  const collect = (v: unknown) => { if (v && typeof v === 'object') keepers.add(v); };
  // Tensors come back alone or one level inside an array or object. Typed arrays (read-out values)
  // hold none and are not walked: Object.values of a 131k-element Float32Array took 38% of an LSTM
  // inference.
  if (Array.isArray(result)) result.forEach(collect);
  else if (result && typeof result === 'object' && !(result as any)._isTensor && !ArrayBuffer.isView(result)) Object.values(result as object).forEach(collect);
  collect(result);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keepers.has(t)) { if (outer) outer.add(t); continue; }
    if (!t._kept && !t._released) releaseInScope(t, keepers, by);
  }
  return result!;
}

// Safety net: a tensor the program dropped gives its storage reference back when collected.
export const finalizer = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<{ release(): void }>((h) => h.release())
  : null;
