// Activations (fused SIMD kernels forward and backward) and numerically stable softmax / log-softmax.
import { Tensor } from '../tensor.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';
import type { UnaryName } from '../runtime/protocol.js';
import { needsGrad, record } from '../autograd/node.js';
import { normDim } from '../shape.js';
import { unary } from './elementwise.js';
import { DTYPE_RULES, expectFloat, type FloatOp } from '../dtypes.js';

export type ActivationName = Extract<UnaryName, 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'softplus' | 'silu' | 'logSigmoid' | 'hardtanh'>;

export function activation(x: Tensor, name: ActivationName, p1 = 0, p2 = 0): Tensor {
  // 'promote' activations read int32 as float32 in unary(); the others refuse it (src/dtypes.ts).
  if (DTYPE_RULES[name] === 'float') expectFloat(name as FloatOp, x);
  return unary(x, name, p1, p2);
}

export function softmax(x: Tensor, dim: number, isLog: boolean): Tensor {
  const op = isLog ? 'logSoftmax' : 'softmax';
  expectFloat(op, x);
  const d = x.ndim === 0 ? 0 : normDim(dim, x.ndim, op);
  const xc = x.contiguous();
  const shape = x.ndim ? x.shape : [1];
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const n = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const y = Tensor._empty(x.shape);
  // Each outer slice is normalised on its own, so slices of outer may go to different threads.
  const slice = n * inner * 4, work = outer * n * inner;
  if (y.numel()) {
    const xp = xc.ptr(op), yp = y.ptr();
    parallelRows('red_softmax', outer, work, MIN_PARALLEL_ELEMENTS, (s, c) => [xp + s * slice, yp + s * slice, c, n, inner, isLog ? 1 : 0], 1);
  }
  if (needsGrad(x)) {
    record(y, isLog ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [x], (g) => {
      const gc = g.contiguous();
      const dx = Tensor._empty(x.shape);
      if (dx.numel()) {
        const yp = y.ptr(op), gp = gc.ptr(op), dp = dx.ptr();
        parallelRows('red_softmax_backward', outer, work, MIN_PARALLEL_ELEMENTS, (s, c) =>
          [yp + s * slice, gp + s * slice, dp + s * slice, c, n, inner, isLog ? 1 : 0], 1);
      }
      return [dx];
    }, [y]);
  }
  return y;
}
