// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), with optional
// AMSGrad (torch.optim.Adam / AdamW). Bias corrections are computed here in f64 per parameter step.
import type { Tensor } from '../tensor.js';
import { Optimizer, checkBool, checkNonNegative, checkRange, type ParamGroup, type ParamsInput } from './optimizer.js';
import { OptimFlag } from '../runtime/protocol.js';
import { parseArgs, type PositionalArgs } from '../options.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** torch.optim.Adam's positional parameters after params: Adam(params, lr, betas, eps, weightDecay, amsgrad). */
export type AdamArgs = PositionalArgs<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], Partial<AdamOptions>>;

export class Adam extends Optimizer<AdamOptions> {
  /** AdamW decays the parameters directly instead of adding weightDecay * p to the gradient. */
  protected readonly decoupled: boolean = false;

  /** `new Adam(params, { lr: 1e-3 })` or, as in PyTorch, `new Adam(params, 1e-3, [0.9, 0.999])`. */
  constructor(params: ParamsInput<AdamOptions>, ...args: AdamArgs) {
    const w = new.target === AdamW || new.target.prototype instanceof AdamW;
    const name = w ? 'AdamW' : 'Adam';
    const opts = parseArgs<Partial<AdamOptions>>({
      op: name, leading: ['params'], positional: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], keywords: ['maximize'],
    }, args);
    super(name, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: w ? 1e-2 : 0, amsgrad: false, maximize: false }, opts);
  }

  protected checkOptions(o: AdamOptions): void {
    const n = this.name;
    checkNonNegative(n, 'learning rate', o.lr);
    checkNonNegative(n, 'epsilon value', o.eps);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new Error(`${n}: betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    checkRange(n, 'beta parameter at index 0:', o.betas[0], (b) => b >= 0 && b < 1, '0 <= beta1 < 1');
    checkRange(n, 'beta parameter at index 1:', o.betas[1], (b) => b >= 0 && b < 1, '0 <= beta2 < 1');
    checkNonNegative(n, 'weightDecay value', o.weightDecay);
    checkBool(n, 'amsgrad', o.amsgrad);
    checkBool(n, 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdamOptions>): void {
    const op = `${this.name}.step`;
    const state = this.stateOf(p);
    const step = this.countStep(state);
    const m = this.buffer(state, 'exp_avg', p), v = this.buffer(state, 'exp_avg_sq', p);
    const vmax = g.amsgrad ? this.buffer(state, 'max_exp_avg_sq', p).ptr(op) : 0;
    const [beta1, beta2] = g.betas;
    const stepSize = g.lr / (1 - beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    const l2 = this.decoupled ? 0 : g.weightDecay;
    const decay = this.decoupled ? 1 - g.lr * g.weightDecay : 1;
    const flags = (g.amsgrad ? OptimFlag.amsgrad : 0) | (g.maximize ? OptimFlag.maximize : 0);
    this.launch('opt_adam', p, [p.ptr(op), grad.ptr(op), m.ptr(op), v.ptr(op), vmax], [beta1, 1 - beta1, beta2, 1 - beta2, g.eps, l2, decay, stepSize, bc2Sqrt, flags]);
  }
}

/** Adam with decoupled weight decay (default weightDecay 1e-2); arguments as Adam's. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
}
