// What max(dim), min(dim), topk and sort return: PyTorch's named tuples (torch.return_types.max, ...)
// in JS form. A plain object, so library frames and tidy() see the two tensors in it.
import type { Tensor } from '../tensor.js';

/**
 * A (values, indices) pair, like PyTorch's named tuple: read `.values` / `.indices`, destructure
 * `const [values, indices] = x.max(1)`, or index it as `r[0]` / `r[1]`.
 */
export interface ValuesIndices {
  readonly values: Tensor;
  readonly indices: Tensor;
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length: 2;
  [Symbol.iterator](): IterableIterator<Tensor>;
}

function* pair(this: ValuesIndices): IterableIterator<Tensor> {
  yield this.values;
  yield this.indices;
}

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  // Only values and indices are enumerable: they are what frames, tidy() and console.log walk.
  return Object.freeze(Object.defineProperties({ values, indices }, {
    0: { value: values },
    1: { value: indices },
    length: { value: 2 },
    [Symbol.iterator]: { value: pair },
  })) as unknown as ValuesIndices;
}
