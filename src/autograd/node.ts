// A tape entry: the op that produced a tensor, its inputs, and how to push a gradient back to them.
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from './grad-mode.js';

export type BackwardFn = (grad: Tensor) => (Tensor | null | undefined)[];

export class Node {
  released = false;
  /** The output, held only when it asked to retain its grad. */
  retained: Tensor | null = null;
  /** The version of the output's storage when this node was recorded (record() sets it). */
  outVersion = 0;
  /** The node that made each input, as it was when this node was recorded (null for leaves). */
  readonly next: (Node | null)[];
  // Version counters (Tensor._writePtr) of what backward reads, as they were at record time.
  private savedVersions: number[];
  private readonly inputVersions: number[];
  constructor(
    readonly name: string,
    readonly inputs: (Tensor | null)[],
    private fn: BackwardFn | null,
    private saved: Tensor[],
    readonly createdStack?: string,
  ) {
    this.savedVersions = saved.map((t) => { t._savedRefs++; return t.storage.version; });
    this.inputVersions = inputs.map((t) => (t ? t.storage.version : 0));
    this.next = inputs.map((t) => (t ? t.gradFn : null));
  }

  /**
   * Throws PyTorch's error when a tensor backward reads was changed in place after the forward pass
   * saved it. In-place ops are not recorded on the tape, so an input changed in place after the node
   * that made it ran (and before this node used it) is refused too: the gradient through that node
   * would be the gradient of the old values.
   */
  checkVersions(): void {
    const saved = this.saved, sv = this.savedVersions;
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i];
      if (t.storage.version !== sv[i]) {
        throw new Error(`${this.name} backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `${describe(t)}${t.gradFn ? `, which is output 0 of ${t.gradFn.name},` : ''} is at version ${t.storage.version}; expected version ${sv[i]} instead. ` +
          'Hint: in-place ops (fill_, zero_, copy_, mulScalar_, ...) change tensors that backward still needs; clone() the tensor before changing it, or use the out-of-place op');
      }
    }
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const from = this.next[i];
      if (from && from.outVersion !== this.inputVersions[i]) {
        throw new Error(`${this.name} backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `${describe(inputs[i]!)}, which is output 0 of ${from.name}, was at version ${this.inputVersions[i]} when ${this.name} used it; ` +
          `expected version ${from.outVersion} instead (in-place ops are not recorded by autograd, so the gradient through ${from.name} ` +
          'would be that of the values before the change). Hint: use the out-of-place op on tensors that require grad (mul instead of mulScalar_, clamp instead of clamp_)');
      }
    }
  }

  apply(grad: Tensor): (Tensor | null | undefined)[] {
    if (!this.fn) {
      throw new Error(`backward: trying to backward through the graph a second time (at ${this.name}); ` +
        'its saved tensors were freed after the first backward — pass { retainGraph: true } to the first call');
    }
    this.checkVersions();
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
    this.savedVersions = [];
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
  out.gradFn.outVersion = out.storage.version;
  return out;
}

// PyTorch's "[torch.FloatTensor [3]]".
function describe(t: Tensor): string { return `[${t.dtype} [${t.shape}]]`; }
