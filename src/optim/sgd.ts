// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay
// (torch.optim.SGD). Batch, stochastic and mini-batch gradient descent differ only in the DataLoader's batchSize.
import type { Tensor } from '../tensor.js';
import { Optimizer, checkOptionKinds, type ParamGroup, type ParamsInput } from './optimizer.js';
import { OptimFlag } from '../runtime/protocol.js';
import { parseArgs, type RequiredFirstArgs } from '../options.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/**
 * torch.optim.SGD's positional parameters after params: SGD(params, lr, momentum, dampening,
 * weightDecay, nesterov), lr required (positionally or in the options).
 */
export type SGDArgs = RequiredFirstArgs<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], Partial<SGDOptions>, { lr: number }>;

export class SGD extends Optimizer<SGDOptions> {
  /** `new SGD(params, { lr: 0.1, momentum: 0.9 })` or, as in PyTorch, `new SGD(params, 0.1, 0.9)`. */
  constructor(params: ParamsInput<SGDOptions>, ...args: SGDArgs) {
    const opts = parseArgs<Partial<SGDOptions>>({
      op: 'SGD', leading: ['params'], positional: ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'], keywords: ['maximize'],
    }, args);
    if (opts.lr === undefined) throw new Error('SGD: the learning rate lr is required (e.g. new SGD(params, 0.01) or new SGD(params, { lr: 0.01 }))');
    super('SGD', params, { lr: opts.lr, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, opts);
  }

  protected checkOptions(o: SGDOptions): void {
    checkOptionKinds('SGD', o, {
      lr: 'learning rate', momentum: 'momentum value', weightDecay: 'weightDecay value', dampening: 'dampening value',
    }, ['nesterov', 'maximize']);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error(`SGD: nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<SGDOptions>): void {
    let flags = (g.maximize ? OptimFlag.maximize : 0) | (g.nesterov ? OptimFlag.nesterov : 0);
    let buf = 0;
    if (g.momentum !== 0) {
      const state = this.stateOf(p);
      if (!state.momentum_buffer) flags |= OptimFlag.firstStep; // PyTorch starts the buffer at the gradient
      buf = this.buffer(state, 'momentum_buffer', p).ptr('SGD.step');
      flags |= OptimFlag.hasMomentum;
    }
    this.launch('opt_sgd', p, [p.ptr('SGD.step'), grad.ptr('SGD.step'), buf], [g.lr, g.momentum, 1 - g.dampening, g.weightDecay, flags]);
  }
}
