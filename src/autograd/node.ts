// A tape entry: the op that produced a tensor, its inputs, and how to push a gradient back to them.
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from './grad-mode.js';

export type BackwardFn = (grad: Tensor) => (Tensor | null | undefined)[];

export class Node {
  released = false;
  /** The output, held only when it asked to retain its grad. */
  retained: Tensor | null = null;
  constructor(
    readonly name: string,
    readonly inputs: (Tensor | null)[],
    private fn: BackwardFn | null,
    private saved: Tensor[],
    readonly createdStack?: string,
  ) {
    for (const t of saved) t._savedRefs++;
  }

  apply(grad: Tensor): (Tensor | null | undefined)[] {
    if (!this.fn) {
      throw new Error(`backward: trying to backward through the graph a second time (at ${this.name}); ` +
        'its saved tensors were freed after the first backward — pass { retainGraph: true } to the first call');
    }
    return this.fn(grad);
  }

  /** Frees what backward needed: a library intermediate goes once no node saves it any more. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.saved) {
      if (--t._savedRefs === 0 && t._graphOwned && !t._exposed && !t._kept) t._release('the library');
    }
    this.saved = [];
    this.fn = null;
  }
}

/** True when an op on these inputs must be recorded. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

/**
 * Records `out` as produced by an op. `backward` receives d(loss)/d(out) and returns one gradient
 * per input (null where an input needs none). `saved` must list every tensor the closure reads
 * (other than its gradient argument): they are kept alive until backward ran, and nothing else is.
 */
export function record(out: Tensor, name: string, inputs: (Tensor | null)[], backward: BackwardFn, saved: Tensor[] = []): Tensor {
  out.requiresGrad = true;
  out.gradFn = new Node(name, inputs.map((t) => (t && t.requiresGrad ? t : null)), backward, saved);
  return out;
}
