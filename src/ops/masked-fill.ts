// maskedFill: value where the mask is 1, x elsewhere. Comparisons (eq, gt, ...) give float32 masks
// of 0 and 1 (PyTorch's are bool), so a mask is a float32 or int32 tensor holding only 0 and 1;
// anything else is refused rather than read as "non-zero is true".
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { needsGrad, record } from '../autograd/node.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { sumToShape } from './grad-utils.js';
import { cast } from './elementwise.js';
import * as views from './views.js';
import { describe } from './sort.js';

// t broadcast to shape as a contiguous tensor (a bit-exact copy: int32 values pass unchanged).
function spread(t: Tensor, shape: number[]): Tensor {
  return sameShape(t.shape, shape) ? t.contiguous() : views.contiguous(views.expand(t, shape));
}

function checkMask(mask: Tensor, op: string): void {
  const m = mask.contiguous();
  const n = m.numel();
  if (!n) return;
  const p = m.ptr(op) >> 2;
  const vals = mask.dtype === 'int32' ? backend.i32 : backend.f32;
  for (let i = 0; i < n; i++) {
    const v = vals[p + i];
    if (v !== 0 && v !== 1) {
      throw new Error(`${op}: the mask must hold only 0 and 1 (like the float32 masks eq, gt, ... return), ` +
        `got ${v} at flat position ${i} of a ${mask.dtype} mask of shape [${mask.shape}]`);
    }
  }
}

/** x with `value` where mask is 1 (mask broadcasts with x); value is a number or a 0-d tensor. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  const op = 'maskedFill';
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describe(x)}`);
  if (!(mask instanceof Tensor)) throw new Error(`${op}: mask must be a Tensor of 0s and 1s (e.g. x.gt(0)), got ${describe(mask)}`);
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new Error(`${op}: a tensor value must be 0-d (as in PyTorch), got shape [${value.shape}]`);
  } else if (typeof value !== 'number') {
    throw new Error(`${op}: value must be a number or a 0-d Tensor, got ${describe(value)}`);
  }
  checkMask(mask, op);
  const shape = broadcastShapes(x.shape, mask.shape, op);
  const fillValue = value instanceof Tensor ? value.item() : value;
  const cond = spread(mask.dtype === 'float32' ? mask : cast(mask, 'float32'), shape);
  const src = spread(x, shape);
  const fill = Tensor._empty(shape, x.dtype);
  const out = Tensor._empty(shape, x.dtype);
  const n = out.numel();
  if (n) {
    if (x.dtype === 'int32') backend.k.ew_fill_i32(fill.ptr(), n, intValue(fillValue, op));
    else backend.k.ew_fill(fill.ptr(), n, fillValue);
    backend.k.ew_where(cond.ptr(op), fill.ptr(), src.ptr(op), out.ptr(), n);
  }
  const vt = value instanceof Tensor ? value : null;
  if (x.dtype === 'float32' && needsGrad(x, vt)) {
    record(out, 'MaskedFillBackward0', [x, vt], (g) => {
      const gc = g.contiguous();
      const zeros = Tensor._empty(shape);
      const m = zeros.numel();
      if (m) backend.k.ew_fill(zeros.ptr(), m, 0);
      let gx: Tensor | null = null, gv: Tensor | null = null;
      if (x.requiresGrad) {
        gx = Tensor._empty(shape);
        if (m) backend.k.ew_where(cond.ptr(), zeros.ptr(), gc.ptr(), gx.ptr(), m);
        gx = sumToShape(gx, x.shape);
      }
      if (vt && vt.requiresGrad) {
        const picked = Tensor._empty(shape);
        if (m) backend.k.ew_where(cond.ptr(), gc.ptr(), zeros.ptr(), picked.ptr(), m);
        gv = sumToShape(picked, []);
      }
      return [gx, gv];
    }, [cond]);
  }
  return out;
}

function intValue(v: number, op: string): number {
  if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
    throw new Error(`${op}: cannot fill an int32 tensor with ${v} (PyTorch refuses a float value for an integer tensor too); convert with .float() first`);
  }
  return v;
}
