// add_, sub_, mul_, div_: PyTorch's in-place arithmetic, with a tensor (broadcast to self's shape)
// or a number. Unlike the library's own in-place helpers (fill_, mulScalar_, ...), these are
// recorded by autograd as PyTorch records them: self becomes the output of a new node whose input
// is self's previous graph, so `h = x.mul(2); h.add_(b)` gives b and x their gradients.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { Binary } from '../runtime/protocol.js';
import { writeMeta3 } from '../runtime/scratch.js';
import { needsGrad, record } from '../autograd/node.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { sumToShape } from './grad-utils.js';
import { binaryRaw, cast, copyInto, operandFor, unaryInPlace_, unaryRaw, updateInPlace_ } from './elementwise.js';
import { describe } from './sort.js';

export type InPlaceOp = 'add' | 'sub' | 'mul' | 'div';
const NODE: Record<InPlaceOp, string> = { add: 'AddBackward0', sub: 'SubBackward0', mul: 'MulBackward0', div: 'DivBackward0' };

function copyOf(t: Tensor, op: string): Tensor {
  const c = Tensor._empty(t.shape);
  copyInto(c, t, op);
  return c;
}

/** self (op)= other (times alpha for add/sub), in place; returns self. */
export function arithmetic_(self: Tensor, other: Tensor | number, op: InPlaceOp, alpha = 1): Tensor {
  const name = `${op}_`;
  if (typeof other !== 'number' && !(other instanceof Tensor)) throw new Error(`${name}: expected a Tensor or a number, got ${describe(other)}`);
  if (typeof alpha !== 'number') throw new Error(`${name}: alpha must be a number, got ${describe(alpha)}`);
  if (self.dtype !== 'float32') {
    throw new Error(`${name}: expected a float32 tensor to update in place, got ${self.dtype} (shape [${self.shape}]); ` +
      `in-place ops keep the dtype, so convert first (x = x.float()) or use the out-of-place ${op}`);
  }
  const ot = typeof other === 'number' ? null : other;
  if (ot) {
    const shape = ot.ndim <= self.ndim ? tryBroadcast(self.shape, ot.shape) : null;
    if (!shape || !sameShape(shape, self.shape)) {
      throw new Error(`${name}: the other tensor of shape [${ot.shape}] does not broadcast to self's shape [${self.shape}] ` +
        '(an in-place op cannot change the shape); use the out-of-place op');
    }
  }

  const rec = needsGrad(self, ot);
  let prev: Tensor | null = null, oldSelf: Tensor | null = null;
  if (rec) {
    // A leaf that requires grad (or a view of one) is refused by _writePtr, with PyTorch's message.
    if (self.requiresGrad && (self.isLeaf || self._leafView)) self._writePtr(name);
    if (self.storage.refs > 1) {
      // PyTorch rewrites the graphs of every view of the same memory; this library does not, so the
      // gradient of the other tensors would miss this change.
      throw new Error(`${name}: autograd cannot record an in-place op on a tensor that shares its memory with another tensor ` +
        `(a view such as reshape, narrow, select or detach, or the tensor it views), shape [${self.shape}]; ` +
        `use the out-of-place op (x = x.${op}(...)), or run it inside wg.noGrad(() => ...) if no gradient should flow through it`);
    }
    // The gradient of the other operand reads self's values from before the write.
    if ((op === 'mul' || op === 'div') && ot?.requiresGrad) oldSelf = copyOf(self, name);
    if (self.requiresGrad) {
      // Self's graph so far, as the new node's input (a view object: self's gradFn is about to change).
      prev = self._view(self.shape.slice(), self.strides.slice(), self.offset);
      prev.requiresGrad = true;
      prev.gradFn = self.gradFn;
    }
  }
  // x.mul_(x): the other operand is self as it was before the write (operandFor copies shared memory).
  const otVals = ot === self ? (oldSelf ?? self) : ot ? (ot.dtype === 'float32' ? ot : cast(ot, 'float32')) : null;
  const otNode = ot === self ? prev : ot;
  const oldFn = self.gradFn, oldRequires = self.requiresGrad;

  if (rec) {
    const s = typeof other === 'number' ? other : 0;
    const backward = (g: Tensor): (Tensor | null)[] => {
      const o = otVals!;
      const want = (t: Tensor | null) => !!t && t.requiresGrad;
      switch (op) {
        case 'add':
        case 'sub': {
          const a = op === 'add' ? alpha : -alpha;
          return [g, want(otNode) ? sumToShape(a === 1 ? g : unaryRaw(g, 'mulScalar', a), o.shape) : null];
        }
        case 'mul':
          if (!ot) return [unaryRaw(g, 'mulScalar', s)];
          return [want(prev) ? binaryRaw('mul', g, o, 'MulBackward0') : null,
            want(otNode) ? sumToShape(binaryRaw('mul', g, oldSelf!, 'MulBackward0'), o.shape) : null];
        case 'div': {
          if (!ot) return [unaryRaw(g, 'mulScalar', 1 / s)];
          const ga = binaryRaw('div', g, o, 'DivBackward0');
          // d(a/b)/db = -(a/b)/b with a the old self.
          return [want(prev) ? ga : null,
            want(otNode) ? sumToShape(unaryRaw(binaryRaw('div', binaryRaw('mul', ga, oldSelf!, 'DivBackward0'), o, 'DivBackward0'), 'neg'), o.shape) : null];
        }
      }
    };
    const saved = [otVals, oldSelf].filter((t): t is Tensor => t !== null && (op === 'mul' || op === 'div'));
    // Recorded before the write, so the node sees the versions its inputs had when they were read.
    record(self, NODE[op], [prev, otNode ?? null], backward, saved);
    if (oldFn?.retained === self) { oldFn.retained = null; self.gradFn!.retained = self; }
  }

  try {
    if (!ot) {
      const s = other as number;
      if (op === 'add' || op === 'sub') unaryInPlace_(self, 'addScalar', op === 'add' ? s * alpha : -s * alpha, 0, name);
      else unaryInPlace_(self, 'mulScalar', op === 'mul' ? s : 1 / s, 0, name);
    } else {
      let b = otVals!;
      if ((op === 'add' || op === 'sub') && alpha !== 1) b = unaryRaw(b, 'mulScalar', alpha);
      const code = Binary[op];
      updateInPlace_(self, name, (p, n, order) => {
        const bp = operandFor(self, b, order, name).ptr(name);
        backend.k.ew_binary(code, p, bp, p, 1, writeMeta3(n, 1, 1));
      });
    }
  } catch (e) {
    if (rec) { self.gradFn = oldFn; self.requiresGrad = oldRequires; }
    throw e;
  }
  if (rec) self.gradFn!.outVersion = self.storage.version;
  return self;
}

function tryBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  try { return broadcastShapes(a, b, 'broadcast'); } catch { return null; }
}
