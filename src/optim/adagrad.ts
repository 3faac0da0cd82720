// Adagrad with learning-rate decay and L2 weight decay (torch.optim.Adagrad).
import type { Tensor } from '../tensor.js';
import { Optimizer, checkOptionKinds, type ParamGroup, type ParamsInput } from './optimizer.js';
import { OptimFlag } from '../runtime/protocol.js';
import { parseArgs, type PositionalArgs } from '../options.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** torch.optim.Adagrad's positional parameters after params: Adagrad(params, lr, lrDecay, weightDecay, initialAccumulatorValue, eps). */
export type AdagradArgs = PositionalArgs<[lr: number, lrDecay: number, weightDecay: number, initialAccumulatorValue: number, eps: number], Partial<AdagradOptions>>;

export class Adagrad extends Optimizer<AdagradOptions> {
  /** `new Adagrad(params, { lr: 1e-2 })` or, as in PyTorch, `new Adagrad(params, 1e-2)`. */
  constructor(params: ParamsInput<AdagradOptions>, ...args: AdagradArgs) {
    const opts = parseArgs<Partial<AdagradOptions>>({
      op: 'Adagrad', leading: ['params'], positional: ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'], keywords: ['maximize'],
    }, args);
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, opts);
  }

  protected checkOptions(o: AdagradOptions): void {
    checkOptionKinds('Adagrad', o, {
      lr: 'learning rate', lrDecay: 'lrDecay value', weightDecay: 'weightDecay value',
      initialAccumulatorValue: 'initialAccumulatorValue', eps: 'epsilon value',
    }, ['maximize']);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdagradOptions>): void {
    const op = 'Adagrad.step';
    const state = this.stateOf(p);
    const step = this.countStep(state);
    const sum = this.buffer(state, 'sum', p, g.initialAccumulatorValue).ptr(op);
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    this.launch('opt_adagrad', p, [p.ptr(op), grad.ptr(op), sum], [clr, g.weightDecay, g.eps, g.maximize ? OptimFlag.maximize : 0]);
  }
}
