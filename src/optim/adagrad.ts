// Adagrad with learning-rate decay and L2 weight decay (torch.optim.Adagrad).
import type { Tensor } from '../tensor.js';
import { Optimizer, checkBool, checkNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';
import { MAXIMIZE } from './flags.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, opts);
  }

  protected checkOptions(o: AdagradOptions): void {
    checkNonNegative('Adagrad', 'learning rate', o.lr);
    checkNonNegative('Adagrad', 'lrDecay value', o.lrDecay);
    checkNonNegative('Adagrad', 'weightDecay value', o.weightDecay);
    checkNonNegative('Adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'epsilon value', o.eps);
    checkBool('Adagrad', 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdagradOptions>): void {
    const op = 'Adagrad.step';
    const state = this.stateOf(p);
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const sum = this.buffer(state, 'sum', p, g.initialAccumulatorValue).ptr(op);
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    this.launch('opt_adagrad', p, [p.ptr(op), grad.ptr(op), sum], [clr, g.weightDecay, g.eps, g.maximize ? MAXIMIZE : 0]);
  }
}
