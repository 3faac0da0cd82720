// BatchNorm2d: batch normalisation of [N, C, H, W] inputs per channel C, statistics over N, H, W.
// Everything but the rank check is the shared BatchNorm (nn/batchnorm.ts, ops/normalization.ts).
import type { Tensor } from '../tensor.js';
import { BatchNorm } from './batchnorm.js';

export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected 4D input [N, C, H, W], got ${x.ndim}D input of shape [${x.shape}]`);
  }
}
