// Conv1d and Conv2d: weight [out, in/groups, *kernel] and bias [out] with PyTorch's default
// initialisation and printed form; the maths is ops/conv.ts.
import type { Tensor } from '../tensor.js';
import { empty } from '../ops/creation.js';
import { conv1d, conv2d, pair, type ConvActivation, type ConvPadding, type Pair } from '../ops/conv.js';
import { Module, pyBool, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { resetWeightAndBias } from './default-init.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export interface Conv2dModuleOptions {
  stride?: Pair;
  /** An int or [h, w], 'valid', or 'same' (stride 1 only). */
  padding?: ConvPadding;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Only zero padding is implemented. */
  paddingMode?: 'zeros';
}

export interface Conv1dModuleOptions {
  stride?: number | readonly [number];
  padding?: number | readonly [number] | 'same' | 'valid';
  dilation?: number | readonly [number];
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros';
}

/** nn.Conv2d's positional parameters after the kernel size, in PyTorch's order. */
export type Conv2dArgs = PositionalArgs<[stride: Pair, padding: ConvPadding, dilation: Pair, groups: number, bias: boolean, paddingMode: 'zeros'], Conv2dModuleOptions>;
/** nn.Conv1d's positional parameters after the kernel size, in PyTorch's order. */
export type Conv1dArgs = PositionalArgs<[stride: number | readonly [number], padding: number | readonly [number] | 'same' | 'valid',
  dilation: number | readonly [number], groups: number, bias: boolean, paddingMode: 'zeros'], Conv1dModuleOptions>;

// Conv*d(in, out, kernel, stride, padding, dilation, groups, bias, padding_mode) as in PyTorch (src/options.ts).
const convSpec = (op: string): ArgSpec => ({
  op, leading: ['inChannels', 'outChannels', 'kernelSize'], positional: ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'],
  types: { groups: 'integer', bias: 'boolean', paddingMode: 'string' },
});
const CONV2D_ARGS = convSpec('Conv2d'), CONV1D_ARGS = convSpec('Conv1d');

const tuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

// What Conv1d and Conv2d share: checks, parameters, initialisation and printing. Sizes are stored
// per spatial dim (1 or 2 entries), like PyTorch's _ConvNd.
abstract class ConvNd extends Module {
  weight!: Parameter;
  bias!: Parameter | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number[],
    readonly stride: number[],
    readonly padding: number[] | 'same' | 'valid',
    readonly dilation: number[],
    readonly groups: number,
    bias: boolean,
    readonly paddingMode: string,
  ) {
    super();
    const name = this._getName();
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: ${what} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(groups) || groups < 1) throw new Error(`${name}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new Error(`${name}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new Error(`${name}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    if (padding === 'same' && stride.some((s) => s !== 1)) {
      throw new Error(`${name}: padding='same' is not supported for strided convolutions (stride ${tuple(stride)})`);
    }
    if (paddingMode !== 'zeros') throw new Error(`${name}: paddingMode '${paddingMode}' is not supported (only 'zeros')`);
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...kernelSize]));
    this.bias = bias ? new Parameter(empty([outChannels])) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default: kaiming_uniform_(a = sqrt(5)) on the weight, which is U(-1/sqrt(fanIn), 1/sqrt(fanIn))
   * with fanIn = in/groups * prod(kernel), and the same bound for the bias.
   */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  override extraRepr(): string {
    const zeros = (v: number[]) => v.every((x) => x === 0), ones = (v: number[]) => v.every((x) => x === 1);
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (!zeros(this.padding)) s += `, padding=${tuple(this.padding)}`;
    if (!ones(this.dilation)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    return s;
  }
}

/** Applies a 2-D convolution over [N, C, H, W] (or [C, H, W]) inputs, like torch.nn.Conv2d. */
export class Conv2d extends ConvNd {
  declare readonly kernelSize: [number, number];
  declare readonly stride: [number, number];
  declare readonly dilation: [number, number];
  declare readonly padding: [number, number] | 'same' | 'valid';

  /** `new Conv2d(1, 8, 3, { padding: 1 })` or, as in PyTorch, `new Conv2d(1, 8, 3, 1, 1)` (stride 1, padding 1). */
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, ...args: Conv2dArgs) {
    const op = 'Conv2d';
    const opts = parseArgs<Conv2dModuleOptions>(CONV2D_ARGS, args);
    const padding = opts.padding ?? 0;
    super(inChannels, outChannels, pair(kernelSize, 'kernelSize', op, 1), pair(opts.stride ?? 1, 'stride', op, 1),
      padding === 'same' || padding === 'valid' ? padding : pair(padding, 'padding', op, 0),
      pair(opts.dilation ?? 1, 'dilation', op, 1), opts.groups ?? 1, opts.bias ?? true, opts.paddingMode ?? 'zeros');
  }

  forward(x: Tensor): Tensor {
    return this._forwardFused(x, 'none');
  }

  /** @internal forward() followed by an activation, in one op (nn.Sequential uses this for Conv2d + ReLU). */
  _forwardFused(x: Tensor, activation: ConvActivation, negativeSlope = 0.01): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, activation, negativeSlope,
    });
  }
}

// A 1-D size argument: an int or a 1-tuple, checked.
function single(v: number | readonly number[], what: string, min: number): [number] {
  const x = typeof v === 'number' ? v : v.length === 1 ? v[0] : NaN;
  if (!Number.isInteger(x) || x < min) {
    throw new Error(`Conv1d: ${what} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a 1-tuple, got ${JSON.stringify(v)}`);
  }
  return [x];
}

/** Applies a 1-D convolution over [N, C, L] (or [C, L]) inputs, like torch.nn.Conv1d. */
export class Conv1d extends ConvNd {
  /** `new Conv1d(4, 8, 3, { padding: 1 })` or, as in PyTorch, `new Conv1d(4, 8, 3, 1, 1)`. */
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], ...args: Conv1dArgs) {
    const opts = parseArgs<Conv1dModuleOptions>(CONV1D_ARGS, args);
    const padding = opts.padding ?? 0;
    super(inChannels, outChannels, single(kernelSize, 'kernelSize', 1), single(opts.stride ?? 1, 'stride', 1),
      padding === 'same' || padding === 'valid' ? padding : single(padding, 'padding', 0),
      single(opts.dilation ?? 1, 'dilation', 1), opts.groups ?? 1, opts.bias ?? true, opts.paddingMode ?? 'zeros');
  }

  forward(x: Tensor): Tensor {
    return this._forwardFused(x, 'none');
  }

  /** @internal forward() followed by an activation, in one op (nn.Sequential uses this for Conv1d + ReLU). */
  _forwardFused(x: Tensor, activation: ConvActivation, negativeSlope = 0.01): Tensor {
    const p = this.padding;
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride[0], padding: typeof p === 'string' ? p : p[0], dilation: this.dilation[0], groups: this.groups,
      activation, negativeSlope,
    });
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Conv2d, Conv1d);
