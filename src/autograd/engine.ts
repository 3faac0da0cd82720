// backward(): one walk over the graph in reverse topological order, accumulating into leaves'
// .grad and freeing each node's saved tensors as soon as it has run.
import type { Tensor } from '../tensor.js';
import type { Node } from './node.js';
import { isAnomalyEnabled, noGrad } from './grad-mode.js';
import { backwardBoundary, frame, inLibrary, releaseIfInternal } from '../lifetime.js';
import { countNonFinite } from '../ops/scalar-reductions.js';
import { accumulateGrad, onesLike, addGrads } from '../ops/grad-utils.js';
import { sameShape } from '../shape.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export interface BackwardOptions {
  /** The gradient of the output (needed when it is not a scalar). */
  gradient?: Tensor | null;
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** PyTorch's create_graph: only false (higher-order gradients are not implemented). */
  createGraph?: boolean;
}
/** backward's arguments in PyTorch's order: (gradient, retainGraph, createGraph), then options. */
export type BackwardArgs = PositionalArgs<[gradient: Tensor | null, retainGraph: boolean, createGraph: boolean], BackwardOptions>;
const BACKWARD_ARGS: ArgSpec = {
  op: 'backward', positional: ['gradient', 'retainGraph', 'createGraph'],
  types: { gradient: ['tensor', 'null'], retainGraph: 'boolean' },
  unsupported: {
    createGraph: { accept: false, why: 'gradients of gradients are not implemented (the backward pass is not recorded)' },
    inputs: { why: 'gradients accumulate into every leaf that requires grad; read the ones you need' },
  },
};

function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  // Iterative DFS: deep graphs (long RNN sequences) must not overflow the JS stack.
  const stack: [Node, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const next = node.next[i];
      if (next && !seen.has(next)) { seen.add(next); stack.push([next, 0]); }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

/** Runs backward from `root`; `args` as Tensor.backward takes them (loss.backward(), y.backward(g, { retainGraph: true })). */
export function backward(root: Tensor, args: readonly unknown[]): void {
  const opts = parseArgs<BackwardOptions>(BACKWARD_ARGS, args);
  const gradient = opts.gradient ?? undefined;
  if (!inLibrary()) backwardBoundary();
  // One frame: every gradient and temporary made here that no leaf adopted is freed at its end.
  frame(() => run(root, gradient, opts));
}

function run(root: Tensor, gradient: Tensor | undefined, opts: BackwardOptions): void {
  root._check('backward');
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor of shape [${root.shape}] does not require grad and has no grad_fn`);
  }
  if (!gradient && root.numel() !== 1) {
    throw new Error(`backward: grad can be implicitly created only for scalar outputs, got shape [${root.shape}]; pass a gradient of that shape`);
  }
  if (gradient && !sameShape(gradient.shape, root.shape)) {
    throw new Error(`backward: gradient shape [${gradient.shape}] does not match the tensor's shape [${root.shape}]`);
  }
  noGrad(() => {
    const seed = gradient ?? onesLike(root);
    if (!root.gradFn) { accumulateGrad(root, seed); return; }
    const grads = new Map<Node, Tensor>();
    // How many pending entries of `grads` hold each tensor: one gradient tensor can flow to several
    // inputs (add passes g to both sides), so it is only dead once no pending entry holds it.
    const pending = new Map<Tensor, number>();
    const hold = (t: Tensor) => pending.set(t, (pending.get(t) ?? 0) + 1);
    const drop = (t: Tensor) => { const n = pending.get(t)! - 1; if (n) pending.set(t, n); else pending.delete(t); };
    grads.set(root.gradFn, seed);
    hold(seed);
    const anomaly = isAnomalyEnabled();
    const order = topoOrder(root.gradFn);
    for (const node of order) {
      const g = grads.get(node);
      if (!g) continue; // no path from the root carries gradient here
      grads.delete(node);
      drop(g);
      if (node.retained) accumulateGrad(node.retained, g, false);
      const inputGrads = node.apply(g);
      if (!opts.retainGraph) node.release();
      const leafGrads: [Tensor, Tensor][] = [];
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        const gi = inputGrads[i];
        if (!input || !gi) continue;
        if (anomaly && countNonFinite(gi, 'anomaly') > 0) {
          throw new Error(`detectAnomaly: function '${node.name}' returned NaN/Inf values in its gradient for input ${i} (shape [${gi.shape}])`);
        }
        // The node that made the input when this node used it (an in-place op recorded since, as
        // add_ is, gives the tensor a new gradFn but does not change what this node read).
        const from = node.next[i];
        if (from) {
          const prev = grads.get(from);
          const next = prev ? addGrads(prev, gi) : gi;
          if (prev) drop(prev);
          grads.set(from, next);
          hold(next);
        } else {
          leafGrads.push([input, gi]);
        }
      }
      // A leaf may adopt its gradient tensor only if no pending node still reads it (a later
      // in-place accumulation into the leaf's .grad would corrupt that node's input).
      for (const [leaf, gi] of leafGrads) accumulateGrad(leaf, gi, !pending.has(gi));
      // The incoming gradient is dead unless an op passed it straight through to an input.
      if (g !== gradient && !pending.has(g) && !inputGrads.includes(g)) releaseIfInternal(g);
    }
    // Nodes no gradient reached are done too (their frames' intermediates can go).
    if (!opts.retainGraph) for (const node of order) node.release();
  });
}
