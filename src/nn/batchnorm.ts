// Batch normalisation layers. BatchNorm holds what every variant shares (parameters, running
// statistics, the momentum / cumulative-average rule); subclasses only check the input's rank.
import type { Tensor } from '../tensor.js';
import { zeros, ones, tensor } from '../ops/creation.js';
import { batchNorm } from '../ops/normalization.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module, pyBool, pyFloat, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { parseArgs, type PositionalArgs } from '../options.js';

/** BatchNorm*d's positional parameters after numFeatures, in PyTorch's order. */
export type BatchNormArgs = PositionalArgs<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean], BatchNormOptions>;

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics; null for a cumulative moving average. */
  momentum?: number | null;
  /** Learnable per-channel scale (weight) and shift (bias). */
  affine?: boolean;
  /** Keep running_mean / running_var for evaluation (else batch statistics are always used). */
  trackRunningStats?: boolean;
}

export abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight!: Tensor | null;
  bias!: Tensor | null;
  running_mean!: Tensor | null;
  running_var!: Tensor | null;
  num_batches_tracked!: Tensor | null;

  /** `new BatchNorm1d(64, { momentum: 0.01 })` or, as in PyTorch, `new BatchNorm1d(64, 1e-5, 0.01)`. */
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super();
    const name = this._getName();
    const opts = parseArgs<BatchNormOptions>({
      op: name, leading: ['numFeatures'], positional: ['eps', 'momentum', 'affine', 'trackRunningStats'],
      types: { eps: 'number', momentum: ['number', 'null'], affine: 'boolean', trackRunningStats: 'boolean' },
    }, args);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures]));
      this.bias = new Parameter(zeros([numFeatures]));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Throws unless x has a rank this layer accepts. */
  protected abstract checkInputDim(x: Tensor): void;

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    // The parameters are leaves that require grad: written in no-grad mode, like PyTorch's init.ones_ / zeros_.
    if (this.affine) noGrad(() => { this.weight!.fill_(1); this.bias!.zero_(); });
  }

  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    if (x.ndim >= 2 && x.shape[1] !== this.numFeatures) {
      throw new Error(`${this._getName()}: expected ${this.numFeatures} channels (dim 1) but got input of shape [${x.shape}]`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const n = this.num_batches_tracked.item() + 1;
      noGrad(() => this.num_batches_tracked!.fill_(n));
      if (this.momentum === null) factor = 1 / n; // cumulative moving average
    }
    // Batch statistics while training, or whenever there are no running statistics to use.
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null,
      this.weight, this.bias, useBatchStats, factor, this.eps);
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalisation over [N, C] or [N, C, L] inputs, per channel C. */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`BatchNorm1d: expected 2D or 3D input ([N, C] or [N, C, L]), got ${x.ndim}D input of shape [${x.shape}]`);
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(BatchNorm);
