// Tensor lifetimes without manual disposal. Three mechanisms, from most to least deterministic:
//  1. dispose() and tidy(fn) scopes (explicit, like tfjs);
//  2. step generations: results of ops are "ephemeral"; each backward() starts a new generation
//     and releases the ephemeral tensors of the generation before the previous one that were not
//     used since, not kept (keep(), Parameters, buffers, grads, optimizer state) and not saved by
//     a live graph. So a PyTorch-style loop runs in flat memory with no dispose calls;
//  3. a FinalizationRegistry safety net for everything else (runs when the event loop turns).
import type { Tensor } from './tensor.js';

export interface Releasable {
  _released: boolean;
  _kept: boolean;
  _savedRefs: number;
  _gen: number;
  _ephemeral: boolean;
  _release(): void;
  readonly grad?: Releasable | null;
  readonly isLeaf?: boolean;
}

// What tidy does to a tensor it frees: like dispose(), a leaf takes its (kept) gradient with it,
// unless the scope returns that gradient.
function releaseInScope(t: Releasable, keepers: Set<unknown>): void {
  const g = t.grad;
  if (g && t.isLeaf && !g._released && !keepers.has(g)) g._release();
  t._release();
}

class Lifetimes {
  gen = 1;
  private current: Releasable[] = [];
  private previous: Releasable[] = [];
  readonly scopes: Set<Releasable>[] = [];

  track(t: Releasable): void {
    t._gen = this.gen;
    if (t._ephemeral) this.current.push(t);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.add(t);
  }

  /** Hands a no-longer-kept tensor (e.g. a replaced .grad) back to automatic release. */
  retire(t: Releasable): void {
    if (t._released || !t._kept) return;
    t._kept = false;
    t._ephemeral = true;
    t._gen = this.gen;
    this.current.push(t);
  }

  // Called at the start of every backward(): retire the generation before last.
  boundary(): void {
    const carried: Releasable[] = [];
    const oldest = this.gen - 1;
    for (const t of this.previous) {
      if (t._released || t._kept) continue;
      if (t._gen > oldest || t._savedRefs > 0) carried.push(t); // touched recently or needed by a graph
      else t._release();
    }
    this.previous = this.current.concat(carried);
    this.current = [];
    this.gen++;
  }

  get ephemeralCount(): number { return this.current.length + this.previous.length; }
}

export const lifetimes = new Lifetimes();

let useClock = 0;
/** A counter that advances on every tensor access (to tell whether a tensor was used since a moment). */
export function useClockNow(): number { return useClock; }

/** Marks a tensor as used now, so step generations keep it (called on every op input). */
export function touch(t: Releasable & { _lastUse?: number }): void {
  t._gen = lifetimes.gen;
  t._lastUse = ++useClock;
}

/**
 * Runs fn and disposes every tensor created inside it except those it returns (in an array or
 * object, one level deep) and those marked with keep().
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Releasable>();
  lifetimes.scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // A throwing scope returns nothing: release all it made before passing the error on.
    lifetimes.scopes.pop();
    for (const t of scope) if (!t._kept && !t._released) releaseInScope(t, new Set());
    throw e;
  }
  lifetimes.scopes.pop();
  const keepers = new Set<unknown>();
  const collect = (v: unknown) => { if (v && typeof v === 'object') keepers.add(v); };
  // Tensors come back alone or one level inside an array or object. Typed arrays (read-out values)
  // hold none and are not walked: Object.values of a 131k-element Float32Array took 38% of an LSTM
  // inference.
  if (Array.isArray(result)) result.forEach(collect);
  else if (result && typeof result === 'object' && !(result as any).shape && !ArrayBuffer.isView(result)) Object.values(result as object).forEach(collect);
  collect(result);
  const outer = lifetimes.scopes[lifetimes.scopes.length - 1];
  for (const t of scope) {
    if (keepers.has(t)) { if (outer) outer.add(t); continue; }
    if (!t._kept && !t._released) releaseInScope(t, keepers);
  }
  // A kept result's storage survives; grads of kept params are not in the scope set's ownership.
  return result!;
}

// Safety net: a tensor the program dropped gives its storage reference back when collected.
export const finalizer = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<{ release(): void }>((h) => h.release())
  : null;

export type { Tensor };
