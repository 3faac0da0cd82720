// RMSprop with optional momentum and the centered variant (torch.optim.RMSprop).
import type { Tensor } from '../tensor.js';
import { Optimizer, checkOptionKinds, type ParamGroup, type ParamsInput } from './optimizer.js';
import { OptimFlag } from '../runtime/protocol.js';
import { parseArgs, type PositionalArgs } from '../options.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** torch.optim.RMSprop's positional parameters after params: RMSprop(params, lr, alpha, eps, weightDecay, momentum, centered). */
export type RMSpropArgs = PositionalArgs<[lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean], Partial<RMSpropOptions>>;

export class RMSprop extends Optimizer<RMSpropOptions> {
  /** `new RMSprop(params, { lr: 1e-2 })` or, as in PyTorch, `new RMSprop(params, 1e-2, 0.99)`. */
  constructor(params: ParamsInput<RMSpropOptions>, ...args: RMSpropArgs) {
    const opts = parseArgs<Partial<RMSpropOptions>>({
      op: 'RMSprop', leading: ['params'], positional: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'], keywords: ['maximize'],
    }, args);
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, opts);
  }

  protected checkOptions(o: RMSpropOptions): void {
    checkOptionKinds('RMSprop', o, {
      lr: 'learning rate', eps: 'epsilon value', momentum: 'momentum value', weightDecay: 'weightDecay value', alpha: 'alpha value',
    }, ['centered', 'maximize']);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<RMSpropOptions>): void {
    const op = 'RMSprop.step';
    const state = this.stateOf(p);
    this.countStep(state);
    const sq = this.buffer(state, 'square_avg', p).ptr(op);
    const gavg = g.centered ? this.buffer(state, 'grad_avg', p).ptr(op) : 0;
    const buf = g.momentum > 0 ? this.buffer(state, 'momentum_buffer', p).ptr(op) : 0;
    const flags = (g.centered ? OptimFlag.centered : 0) | (g.momentum > 0 ? OptimFlag.hasMomentum : 0) | (g.maximize ? OptimFlag.maximize : 0);
    this.launch('opt_rmsprop', p, [p.ptr(op), grad.ptr(op), sq, gavg, buf], [g.lr, g.alpha, 1 - g.alpha, g.eps, g.weightDecay, g.momentum, flags]);
  }
}
