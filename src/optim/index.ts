// wasmgrad.optim: optimizers, learning-rate schedulers and gradient clipping.
export { Optimizer, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState, type OptimizerStateDict, type ZeroGradOptions, type Closure } from './optimizer.js';
export { SGD, type SGDOptions, type SGDArgs } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamArgs } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropArgs } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradArgs } from './adagrad.js';
export {
  LRScheduler, LambdaLR, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau,
  type LrGroups, type ReduceLROnPlateauOptions, type LambdaLROptions, type StepLROptions, type MultiStepLROptions,
  type ExponentialLROptions, type CosineAnnealingLROptions,
} from './lr-scheduler.js';
export { type ClipGradNormOptions } from './clip-grad.js';
import { framed } from '../lifetime.js';
import * as clip from './clip-grad.js';
/** Runs as a library frame (src/lifetime.ts). */
export const clipGradNorm = framed(clip.clipGradNorm);
export const clipGradValue = framed(clip.clipGradValue);
