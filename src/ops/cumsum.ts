// cumsum along a dim. The running sum is kept in a double and rounded once per output, as PyTorch's
// CPU kernel does, so long float32 prefixes match it; the gradient is the reversed running sum.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim } from '../shape.js';
import { describe } from './sort.js';

// Running sums of src [outer, n, inner] along n into dst (same layout); reverse runs from the end.
function scan(src: Tensor, dst: Tensor, outer: number, n: number, inner: number, reverse: boolean, op: string): void {
  if (!dst.numel()) return;
  const isInt = src.dtype === 'int32';
  const acc = new Float64Array(inner);
  // Addresses first (reading one may move a tensor back into wasm memory); views after.
  const s = src.ptr(op) >> 2, t = dst.ptr() >> 2;
  const from = isInt ? backend.i32 : backend.f32;
  const to = isInt ? backend.i32 : backend.f32;
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let step = 0; step < n; step++) {
      const j = reverse ? n - 1 - step : step;
      const row = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) {
        const v = (acc[i] += from[s + row + i]);
        if (isInt && (v > 2147483647 || v < -2147483648)) {
          throw new Error(`${op}: the running sum ${v} overflows int32 (PyTorch would give int64); convert with .float() first`);
        }
        to[t + row + i] = v;
      }
    }
  }
}

/** Running sums along dim (PyTorch requires the dim, and so does this). int32 in gives int32 out. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const op = 'cumsum';
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describe(x)}`);
  if (typeof dim !== 'number') throw new Error(`${op}: dim must be a number (PyTorch's cumsum has no default dim), got ${describe(dim)}`);
  const d = normDim(dim, x.ndim, op);
  const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const outer = prod(x.shape.slice(0, d)), n = x.ndim ? x.shape[d] : 1, inner = prod(x.shape.slice(d + 1));
  const xc = x.contiguous();
  const out = Tensor._empty(x.shape, x.dtype);
  scan(xc, out, outer, n, inner, false, op);
  if (needsGrad(x)) {
    record(out, 'CumsumBackward0', [x], (g) => {
      const dx = Tensor._empty(x.shape);
      scan(g.contiguous(), dx, outer, n, inner, true, 'CumsumBackward0');
      return [dx];
    });
  }
  return out;
}
