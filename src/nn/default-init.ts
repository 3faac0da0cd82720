// The default initialisation PyTorch gives Linear and every ConvNd (each repeats it in its
// reset_parameters): kaiming_uniform_(a = √5) on the weight, i.e. U(-1/√fanIn, 1/√fanIn), then the
// same bound for the bias. One place, so the two layers draw the same numbers in the same order.
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init.js';

export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  noGrad(() => {
    kaimingUniform_(weight, { a: Math.sqrt(5) });
    if (bias) {
      const { fanIn } = calculateFanInAndFanOut(weight);
      // Linear(0, n) has fanIn 0, where PyTorch's Linear uses the bound 0 (a conv's fanIn is >= 1).
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(bias, -bound, bound);
    }
  });
}
