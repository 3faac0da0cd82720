// Activation layers: thin modules over the fused activation kernels (see nn/functional.ts).
import type { Tensor } from '../tensor.js';
import { Module, pyFloat, libraryForwards } from './module.js';
import * as F from './functional.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

// Constructor arguments as PyTorch's (src/options.ts); `inplace: true` is refused, not ignored.
const INPLACE = { inplace: { accept: false, why: 'the output is always a new tensor' } };
const spec = (op: string, positional: string[], types: ArgSpec['types'] = {}): ArgSpec => ({ op, positional, types, unsupported: INPLACE });
const args = <O extends object>(op: string, positional: string[], a: readonly unknown[], types?: ArgSpec['types']): O =>
  parseArgs<O>(spec(op, positional, types), a);
type Inplace = { inplace?: boolean };

export class ReLU extends Module {
  /** Takes PyTorch's `inplace` (false only). */
  constructor(...a: PositionalArgs<[inplace: boolean], Inplace>) { super(); args('ReLU', ['inplace'], a); }
  forward(x: Tensor): Tensor { return x.relu(); }
}

/** max(x, 0) + negativeSlope·min(x, 0). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  /** `new LeakyReLU(0.2)` or `new LeakyReLU({ negativeSlope: 0.2 })`. */
  constructor(...a: PositionalArgs<[negativeSlope: number, inplace: boolean], { negativeSlope?: number } & Inplace>) {
    super();
    this.negativeSlope = args<{ negativeSlope?: number }>('LeakyReLU', ['negativeSlope', 'inplace'], a, { negativeSlope: 'number' }).negativeSlope ?? 0.01;
  }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}`; }
}

export class Sigmoid extends Module {
  constructor(...a: []) { super(); args('Sigmoid', [], a); }
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Tanh extends Module {
  constructor(...a: []) { super(); args('Tanh', [], a); }
  forward(x: Tensor): Tensor { return x.tanh(); }
}

/** x for x > 0, alpha·(exp(x) - 1) otherwise. */
export class ELU extends Module {
  readonly alpha: number;
  /** `new ELU(0.5)` or `new ELU({ alpha: 0.5 })`. */
  constructor(...a: PositionalArgs<[alpha: number, inplace: boolean], { alpha?: number } & Inplace>) {
    super();
    this.alpha = args<{ alpha?: number }>('ELU', ['alpha', 'inplace'], a, { alpha: 'number' }).alpha ?? 1;
  }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}`; }
}

/** x·Φ(x) (exact, erf-based), or its tanh approximation with approximate = 'tanh'. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  /** `new GELU('tanh')` or `new GELU({ approximate: 'tanh' })`. */
  constructor(...a: PositionalArgs<[approximate: 'none' | 'tanh'], { approximate?: 'none' | 'tanh' }>) {
    super();
    const approximate = args<{ approximate?: 'none' | 'tanh' }>('GELU', ['approximate'], a).approximate ?? 'none';
    this.approximate = approximate;
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${approximate}'`);
  }
  forward(x: Tensor): Tensor { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** x·sigmoid(x) (a.k.a. swish). */
export class SiLU extends Module {
  /** Takes PyTorch's `inplace` (false only). */
  constructor(...a: PositionalArgs<[inplace: boolean], Inplace>) { super(); args('SiLU', ['inplace'], a); }
  forward(x: Tensor): Tensor { return x.silu(); }
}

/** log(1 + exp(beta·x)) / beta, linear above threshold. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  /** `new Softplus(2, 20)` or `new Softplus({ beta: 2 })`. */
  constructor(...a: PositionalArgs<[beta: number, threshold: number], { beta?: number; threshold?: number }>) {
    super();
    const o = args<{ beta?: number; threshold?: number }>('Softplus', ['beta', 'threshold'], a, { beta: 'number', threshold: 'number' });
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  forward(x: Tensor): Tensor { return x.softplus(this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

export class LogSigmoid extends Module {
  constructor(...a: []) { super(); args('LogSigmoid', [], a); }
  forward(x: Tensor): Tensor { return x.logSigmoid(); }
}

/** Clamps to [minVal, maxVal]. */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  /** `new Hardtanh(-2, 2)` or `new Hardtanh({ minVal: -2, maxVal: 2 })`. */
  constructor(...a: PositionalArgs<[minVal: number, maxVal: number, inplace: boolean], { minVal?: number; maxVal?: number } & Inplace>) {
    super();
    const o = args<{ minVal?: number; maxVal?: number }>(this._getName(), ['minVal', 'maxVal', 'inplace'], a, { minVal: 'number', maxVal: 'number' });
    this.minVal = o.minVal ?? -1;
    this.maxVal = o.maxVal ?? 1;
  }
  forward(x: Tensor): Tensor { return x.hardtanh(this.minVal, this.maxVal); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`; }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Hardtanh {
  /** Takes PyTorch's `inplace` (false only). */
  constructor(...a: PositionalArgs<[inplace: boolean], Inplace>) { args('ReLU6', ['inplace'], a); super(0, 6); }
  override extraRepr(): string { return ''; }
}

/** Softmax along `dim` (default the last dim). */
export class Softmax extends Module {
  readonly dim: number;
  /** `new Softmax(1)` or `new Softmax({ dim: 1 })`. */
  constructor(...a: PositionalArgs<[dim: number], { dim?: number }>) {
    super();
    this.dim = args<{ dim?: number }>('Softmax', ['dim'], a, { dim: 'integer' }).dim ?? -1;
  }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** log(softmax(x)) along `dim`, computed stably (default the last dim). */
export class LogSoftmax extends Module {
  readonly dim: number;
  /** `new LogSoftmax(1)` or `new LogSoftmax({ dim: 1 })`. */
  constructor(...a: PositionalArgs<[dim: number], { dim?: number }>) {
    super();
    this.dim = args<{ dim?: number }>('LogSoftmax', ['dim'], a, { dim: 'integer' }).dim ?? -1;
  }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(ReLU, LeakyReLU, Sigmoid, Tanh, ELU, GELU, SiLU, Softplus, LogSigmoid, Hardtanh, Softmax, LogSoftmax);
