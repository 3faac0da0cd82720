// Loss modules: each holds its options (and class weights as buffers, like PyTorch) and calls the
// functional loss.
import type { Tensor } from '../tensor.js';
import * as L from '../ops/loss.js';
import { Module, libraryForwards } from './module.js';
import { parseArgs, type PositionalArgs } from '../options.js';

// Constructor arguments are the functional loss's options, checked the same way (src/options.ts);
// the class-weighted losses also take PyTorch's positional `weight`.
const parse = <O extends object>(op: string, positional: string[], keywords: string[], args: readonly unknown[]): O => {
  const spec = L.lossSpec(op, positional, keywords);
  return parseArgs<O>({ ...spec, leading: [] }, args);
};

abstract class Loss extends Module {
  readonly reduction: L.Reduction;
  constructor(opts: { reduction?: L.Reduction }) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export class MSELoss extends Loss {
  constructor(...args: [opts?: L.ReductionOptions]) { super(parse('MSELoss', [], [], args)); }
  forward(input: Tensor, target: Tensor): Tensor { return L.mseLoss(input, target, { reduction: this.reduction }); }
}

export class L1Loss extends Loss {
  constructor(...args: [opts?: L.ReductionOptions]) { super(parse('L1Loss', [], [], args)); }
  forward(input: Tensor, target: Tensor): Tensor { return L.l1Loss(input, target, { reduction: this.reduction }); }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  /** `new HuberLoss({ delta: 0.5 })` or, as in PyTorch, `new HuberLoss('mean', 0.5)`. */
  constructor(...args: PositionalArgs<[reduction: L.Reduction, delta: number], L.HuberLossOptions>) {
    const opts = parse<L.HuberLossOptions>('HuberLoss', ['reduction', 'delta'], [], args);
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor { return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta }); }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(...args: [opts?: L.SmoothL1LossOptions]) {
    const opts = parse<L.SmoothL1LossOptions>('SmoothL1Loss', [], ['beta'], args);
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor { return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta }); }
}

export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  weight!: Tensor | null;
  /** `new NLLLoss({ weight })` or, as in PyTorch, `new NLLLoss(weight)`. */
  constructor(...args: PositionalArgs<[weight: Tensor | null], L.NllLossOptions>) {
    const opts = parse<L.NllLossOptions>('NLLLoss', ['weight'], ['ignoreIndex'], args);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  weight!: Tensor | null;
  /** `new CrossEntropyLoss({ labelSmoothing: 0.1 })`; the class weight also as PyTorch's first argument, `new CrossEntropyLoss(weight)`. */
  constructor(...args: PositionalArgs<[weight: Tensor | null], L.CrossEntropyOptions>) {
    const opts = parse<L.CrossEntropyOptions>('CrossEntropyLoss', ['weight'], ['ignoreIndex', 'labelSmoothing'], args);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

export class BCELoss extends Loss {
  weight!: Tensor | null;
  /** `new BCELoss({ weight })` or, as in PyTorch, `new BCELoss(weight)`. */
  constructor(...args: PositionalArgs<[weight: Tensor | null], L.BinaryCrossEntropyOptions>) {
    const opts = parse<L.BinaryCrossEntropyOptions>('BCELoss', ['weight'], [], args);
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  weight!: Tensor | null;
  pos_weight!: Tensor | null;
  /** `new BCEWithLogitsLoss({ posWeight })`; the weight also as PyTorch's first argument, `new BCEWithLogitsLoss(weight)`. */
  constructor(...args: PositionalArgs<[weight: Tensor | null], L.BceWithLogitsOptions>) {
    const opts = parse<L.BceWithLogitsOptions>('BCEWithLogitsLoss', ['weight'], ['posWeight'], args);
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

export class KLDivLoss extends Module {
  readonly reduction: L.KlDivReduction;
  readonly logTarget: boolean;
  constructor(...args: [opts?: L.KlDivOptions]) {
    super();
    const opts = parse<L.KlDivOptions>('KLDivLoss', [], ['logTarget'], args);
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(MSELoss, L1Loss, HuberLoss, SmoothL1Loss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss);
