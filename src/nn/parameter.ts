// Parameter: a Tensor that a Module owns and trains. It shares the storage of the tensor it wraps,
// is a leaf that requires grad, and is kept (never released by tidy scopes or step generations).
import { Tensor } from '../tensor.js';
import { contiguous } from '../ops/views.js';
import { noGrad } from '../autograd/grad-mode.js';

export class Parameter extends Tensor {
  /**
   * Wraps `data` (sharing its memory when it is contiguous, like torch.nn.Parameter). The result is a
   * leaf: the graph that produced `data`, if any, is not followed.
   */
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new Error(`Parameter: expected a Tensor, got ${data === null ? 'null' : typeof data}`);
    if (requiresGrad && data.dtype !== 'float32') {
      throw new Error(`Parameter: only float32 tensors can require gradients, got ${data.dtype} (pass requiresGrad = false)`);
    }
    // Kernels and in-place initialisers want dense memory, so a strided view is copied once here.
    const src = data.isContiguous() ? data : noGrad(() => contiguous(data));
    src.ptr('Parameter'); // throws if disposed
    src.storage.refs++;
    super(src.storage, src.shape.slice(), src.strides.slice(), src.offset, src.dtype);
    this.requiresGrad = requiresGrad;
    this.keep();
  }
}

export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
