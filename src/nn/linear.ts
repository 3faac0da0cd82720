// Linear (y = x·Wᵀ + b through the fused GEMM op) and Identity.
import type { Tensor } from '../tensor.js';
import { empty } from '../ops/creation.js';
import { linear, type LinearActivation } from '../ops/matmul.js';
import { Module, pyBool, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { resetWeightAndBias } from './default-init.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

const LINEAR_ARGS: ArgSpec = { op: 'Linear', leading: ['inFeatures', 'outFeatures'], positional: ['bias'], types: { bias: 'boolean' } };

function checkFeatures(n: number, what: string, op: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${op}: ${what} must be a non-negative integer, got ${n}`);
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight!: Tensor;
  bias!: Tensor | null;

  /** weight [outFeatures, inFeatures] and bias [outFeatures], initialised like PyTorch; `new Linear(4, 2, false)` or `{ bias: false }` drops the bias. */
  constructor(inFeatures: number, outFeatures: number, ...args: PositionalArgs<[bias: boolean], { bias?: boolean }>) {
    super();
    const opts = parseArgs<{ bias?: boolean }>(LINEAR_ARGS, args);
    checkFeatures(inFeatures, 'inFeatures', 'Linear');
    checkFeatures(outFeatures, 'outFeatures', 'Linear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    if (opts.bias === false) this.registerParameter('bias', null);
    else this.bias = new Parameter(empty([outFeatures]));
    this.resetParameters();
  }

  /** kaiming_uniform(a = √5) for the weight, i.e. U(-1/√in, 1/√in), and the same bound for the bias. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  /** @internal forward followed by an activation, fused into the GEMM epilogue (used by Sequential). */
  _forwardFused(x: Tensor, act: LinearActivation, slope = 0.01): Tensor {
    return linear(x, this.weight, this.bias, act, slope);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged (a placeholder that keeps a model's structure). */
export class Identity extends Module {
  // PyTorch's Identity accepts and ignores any constructor arguments.
  constructor(..._args: unknown[]) { super(); }
  forward(x: Tensor): Tensor { return x; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Linear, Identity);
