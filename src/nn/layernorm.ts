// LayerNorm: normalisation over the trailing normalizedShape dims of each sample (torch.nn.LayerNorm).
import type { Tensor } from '../tensor.js';
import { ones, zeros } from '../ops/creation.js';
import { layerNorm, normShape } from '../ops/layer-norm.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module, pyBool, pyFloat, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export interface LayerNormOptions {
  eps?: number;
  /** Learnable elementwise weight (ones) and bias (zeros) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether there is a bias (default true; PyTorch 2.1's `bias`). */
  bias?: boolean;
}

/** nn.LayerNorm's arguments after normalizedShape, in PyTorch's order, then optionally the options object. */
export type LayerNormArgs = PositionalArgs<[eps: number, elementwiseAffine: boolean, bias: boolean], LayerNormOptions>;
const LAYERNORM_ARGS: ArgSpec = {
  op: 'LayerNorm', leading: ['normalizedShape'], positional: ['eps', 'elementwiseAffine', 'bias'],
  types: { eps: 'number', elementwiseAffine: 'boolean', bias: 'boolean' },
};

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight!: Tensor | null;
  bias!: Tensor | null;

  /**
   * new nn.LayerNorm(512) normalises the last dim; new nn.LayerNorm([C, H, W]) the last three.
   * `new LayerNorm(512, { eps: 1e-6 })` or, as in PyTorch, `new LayerNorm(512, 1e-6)`.
   */
  constructor(normalizedShape: number | number[], ...args: LayerNormArgs) {
    super();
    const opts = parseArgs<LayerNormOptions>(LAYERNORM_ARGS, args);
    this.normalizedShape = normShape(normalizedShape, 'LayerNorm');
    this.eps = opts.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new Error(`LayerNorm: eps must be non-negative, got ${this.eps}`);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = new Parameter(ones(this.normalizedShape));
      if (opts.bias === false) this.registerParameter('bias', null);
      else this.bias = new Parameter(zeros(this.normalizedShape));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
  }

  resetParameters(): void {
    noGrad(() => {
      if (this.weight) this.weight.fill_(1);
      if (this.bias) this.bias.zero_();
    });
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(LayerNorm);
