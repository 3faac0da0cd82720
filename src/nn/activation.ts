// Activation layers: thin modules over the fused activation kernels (see nn/functional.ts).
import type { Tensor } from '../tensor.js';
import { Module, pyFloat, libraryForwards } from './module.js';
import * as F from './functional.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}

/** max(x, 0) + negativeSlope·min(x, 0). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}`; }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}

/** x for x > 0, alpha·(exp(x) - 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}`; }
}

/** x·Φ(x) (exact, erf-based), or its tanh approximation with approximate = 'tanh'. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${approximate}'`);
  }
  forward(x: Tensor): Tensor { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** x·sigmoid(x) (a.k.a. swish). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor { return x.silu(); }
}

/** log(1 + exp(beta·x)) / beta, linear above threshold. */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return x.softplus(this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor { return x.logSigmoid(); }
}

/** Clamps to [minVal, maxVal]. */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) { super(); }
  forward(x: Tensor): Tensor { return x.hardtanh(this.minVal, this.maxVal); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`; }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Hardtanh {
  constructor() { super(0, 6); }
  override extraRepr(): string { return ''; }
}

/** Softmax along `dim` (default the last dim). */
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** log(softmax(x)) along `dim`, computed stably (default the last dim). */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(ReLU, LeakyReLU, Sigmoid, Tanh, ELU, GELU, SiLU, Softplus, LogSigmoid, Hardtanh, Softmax, LogSoftmax);
