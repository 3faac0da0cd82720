// Pooling layers (no parameters): MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d. Settings are
// kept as given (an int stays an int) so they print like PyTorch; the maths is ops/pool.ts.
import type { Tensor } from '../tensor.js';
import type { Pair } from '../ops/conv.js';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d, type AdaptiveSize,
} from '../ops/pool.js';
import { Module, pyBool, libraryForwards } from './module.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

// Python's repr of an int, a tuple or None.
const py = (v: number | readonly (number | null)[] | null): string =>
  v === null ? 'None' : typeof v === 'number' ? `${v}` : `(${v.map((x) => (x === null ? 'None' : x)).join(', ')}${v.length === 1 ? ',' : ''})`;

export interface MaxPoolModuleOptions { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean; returnIndices?: boolean }
export interface AvgPool2dModuleOptions { stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }
export interface AvgPool1dModuleOptions { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean }
export interface MaxPool1dModuleOptions { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean; returnIndices?: boolean }

/** nn.MaxPool2d's positional parameters after the kernel size, in PyTorch's order. */
export type MaxPool2dArgs = PositionalArgs<[stride: Pair | null, padding: Pair, dilation: Pair, returnIndices: boolean, ceilMode: boolean], MaxPoolModuleOptions>;
/** nn.MaxPool1d's positional parameters after the kernel size, in PyTorch's order. */
export type MaxPool1dArgs = PositionalArgs<[stride: number | null, padding: number, dilation: number, returnIndices: boolean, ceilMode: boolean], MaxPool1dModuleOptions>;
/** nn.AvgPool2d's positional parameters after the kernel size, in PyTorch's order. */
export type AvgPool2dArgs = PositionalArgs<[stride: Pair | null, padding: Pair, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null], AvgPool2dModuleOptions>;
/** nn.AvgPool1d's positional parameters after the kernel size, in PyTorch's order. */
export type AvgPool1dArgs = PositionalArgs<[stride: number | null, padding: number, ceilMode: boolean, countIncludePad: boolean], AvgPool1dModuleOptions>;

// PyTorch's positional orders (src/options.ts); MaxPool*d puts returnIndices before ceilMode.
const poolSpec = (op: string, positional: string[]): ArgSpec => ({
  op, leading: ['kernelSize'], positional,
  types: { ceilMode: 'boolean', returnIndices: 'boolean', countIncludePad: 'boolean', divisorOverride: ['number', 'null'] },
});
const MAXPOOL = ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'];
const MAXPOOL2D_ARGS = poolSpec('MaxPool2d', MAXPOOL), MAXPOOL1D_ARGS = poolSpec('MaxPool1d', MAXPOOL);
const AVGPOOL2D_ARGS = poolSpec('AvgPool2d', ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
const AVGPOOL1D_ARGS = poolSpec('AvgPool1d', ['stride', 'padding', 'ceilMode', 'countIncludePad']);

// MaxPool1d and MaxPool2d differ only in the op they call and the kernel-size type.
type MaxPoolFn<K> = (x: Tensor, k: K, o: { stride: K; padding: K; dilation: K; ceilMode: boolean; returnIndices?: boolean }) => any;

abstract class MaxPoolNd<K extends Pair> extends Module {
  readonly stride: K;
  readonly padding: K;
  readonly dilation: K;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(readonly kernelSize: K, opts: { stride?: K | null; padding?: K; dilation?: K; ceilMode?: boolean; returnIndices?: boolean },
              private readonly pool: MaxPoolFn<K>) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? (0 as K);
    this.dilation = opts.dilation ?? (1 as K);
    this.ceilMode = opts.ceilMode ?? false;
    this.returnIndices = opts.returnIndices ?? false;
  }
  /** The pooled tensor, or [pooled, indices] when returnIndices was set. */
  forward(x: Tensor): any {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.pool(x, this.kernelSize, this.returnIndices ? { ...o, returnIndices: true } : o);
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, ` +
      `dilation=${py(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Max over kernelSize windows of [N, C, H, W] (or [C, H, W]); stride defaults to the kernel size. */
export class MaxPool2d extends MaxPoolNd<Pair> {
  /** `new MaxPool2d(2, { stride: 1 })` or, as in PyTorch, `new MaxPool2d(2, 1)`. */
  constructor(kernelSize: Pair, ...args: MaxPool2dArgs) {
    super(kernelSize, parseArgs<MaxPoolModuleOptions>(MAXPOOL2D_ARGS, args), maxPool2d as MaxPoolFn<Pair>);
  }
}

/** Max over windows of [N, C, L] (or [C, L]). */
export class MaxPool1d extends MaxPoolNd<number> {
  /** `new MaxPool1d(2, { stride: 1 })` or, as in PyTorch, `new MaxPool1d(2, 1)`. */
  constructor(kernelSize: number, ...args: MaxPool1dArgs) {
    super(kernelSize, parseArgs<MaxPool1dModuleOptions>(MAXPOOL1D_ARGS, args), maxPool1d as MaxPoolFn<number>);
  }
}

/** Mean over kernelSize windows of [N, C, H, W] (or [C, H, W]). */
export class AvgPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  /** `new AvgPool2d(2, { stride: 1 })` or, as in PyTorch, `new AvgPool2d(2, 1)`. */
  constructor(readonly kernelSize: Pair, ...args: AvgPool2dArgs) {
    super();
    const opts = parseArgs<AvgPool2dModuleOptions>(AVGPOOL2D_ARGS, args);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Mean over windows of [N, C, L] (or [C, L]). */
export class AvgPool1d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  /** `new AvgPool1d(2, { stride: 1 })` or, as in PyTorch, `new AvgPool1d(2, 1)`. */
  constructor(readonly kernelSize: number, ...args: AvgPool1dArgs) {
    super();
    const opts = parseArgs<AvgPool1dModuleOptions>(AVGPOOL1D_ARGS, args);
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
  }
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  override extraRepr(): string {
    // PyTorch's AvgPool1d stores 1-tuples.
    return `kernel_size=${py([this.kernelSize])}, stride=${py([this.stride])}, padding=${py([this.padding])}`;
  }
}

/** Average pooling to a fixed output size (null keeps that input dim), like torch.nn.AdaptiveAvgPool2d. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
  override extraRepr(): string { return `output_size=${py(this.outputSize)}`; }
}

/** Average pooling of [N, C, L] (or [C, L]) to a fixed length. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool1d(x, this.outputSize); }
  override extraRepr(): string { return `output_size=${py(this.outputSize)}`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(MaxPoolNd, AvgPool2d, AvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool1d);
