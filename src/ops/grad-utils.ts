// Gradient plumbing shared by ops and the engine: reducing broadcast gradients back to an
// input's shape, summing gradients, accumulating into leaves. It calls the sum and add it needs as
// Tensor methods (attached by tensor-methods.ts) rather than importing reduce.ts and elementwise.ts,
// which import this module: no import cycle.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { sameShape } from '../shape.js';

export function onesLike(t: Tensor): Tensor {
  const o = Tensor._empty(t.shape);
  backend.k.ew_fill(o.ptr(), o.numel(), 1);
  return o;
}

/** Sums a broadcast gradient over the dims that broadcasting expanded, giving `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  }
  const s = dims.length ? g.sum(dims, true) : g;
  return s.reshape(shape as number[]);
}

/** a + b for two gradients of the same shape (any strides), in one kernel pass. */
export function addGrads(a: Tensor, b: Tensor): Tensor {
  return a.add(b);
}

function ownable(g: Tensor): boolean {
  return !g._exposed && !g._kept && g.storage.refs === 1 && g.offset === 0 && g.isContiguous() && !g.requiresGrad;
}

/**
 * leaf.grad += g. The first gradient is adopted when nothing else can see it (and the caller
 * allows it), else copied.
 */
export function accumulateGrad(leaf: Tensor, g: Tensor, mayAdopt = true): void {
  if (!sameShape(leaf.shape, g.shape)) {
    throw new Error(`backward: gradient of shape [${g.shape}] for a tensor of shape [${leaf.shape}]`);
  }
  if (leaf.grad && !leaf.grad.isDisposed) {
    const gc = g.contiguous();
    backend.k.ew_axpy(leaf.grad.ptr('backward'), gc.ptr('backward'), g.numel(), 1);
    return;
  }
  let owned: Tensor;
  if (mayAdopt && ownable(g)) owned = g;
  else {
    owned = Tensor._empty(g.shape);
    const gc = g.contiguous();
    // Addresses first: reading them may move a tensor back into wasm memory (and grow it).
    const dst = owned.ptr(), src = gc.ptr();
    backend.u8.copyWithin(dst, src, src + g.numel() * 4);
  }
  leaf.grad = owned;
}
