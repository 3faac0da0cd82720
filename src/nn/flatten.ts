// Flatten and Unflatten: reshaping layers (views when the layout allows).
import type { Tensor } from '../tensor.js';
import { normDim } from '../shape.js';
import { Module, libraryForwards } from './module.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

const FLATTEN_ARGS: ArgSpec = { op: 'Flatten', positional: ['startDim', 'endDim'], types: { startDim: 'integer', endDim: 'integer' } };

/** Flattens dims startDim..endDim into one (default: everything but the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  /** `new Flatten(1, -1)` or `new Flatten({ startDim: 1, endDim: -1 })`. */
  constructor(...args: PositionalArgs<[startDim: number, endDim: number], { startDim?: number; endDim?: number }>) {
    super();
    const opts = parseArgs<{ startDim?: number; endDim?: number }>(FLATTEN_ARGS, args);
    this.startDim = opts.startDim ?? 1;
    this.endDim = opts.endDim ?? -1;
  }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}

/** Expands dim `dim` into `sizes` (one entry may be -1). */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];
  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || unflattenedSize.some((s) => !Number.isInteger(s) || s < -1)) {
      throw new Error(`Unflatten: unflattenedSize must be a non-empty array of sizes (one may be -1), got ${JSON.stringify(unflattenedSize)}`);
    }
    this.unflattenedSize = unflattenedSize.slice();
  }
  forward(x: Tensor): Tensor {
    const d = normDim(this.dim, x.ndim, 'Unflatten');
    const sizes = this.unflattenedSize;
    const known = sizes.reduce((a, s) => (s === -1 ? a : a * s), 1);
    const resolved = sizes.map((s) => (s === -1 ? x.shape[d] / known : s));
    if (resolved.some((s) => !Number.isInteger(s)) || resolved.reduce((a, b) => a * b, 1) !== x.shape[d]) {
      throw new Error(`Unflatten: sizes (${sizes.join(', ')}) don't multiply up to the size of dim ${this.dim} (${x.shape[d]}) of input [${x.shape}]`);
    }
    return x.reshape([...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
  }
  override extraRepr(): string {
    const tuple = this.unflattenedSize.length === 1 ? `(${this.unflattenedSize[0]},)` : `(${this.unflattenedSize.join(', ')})`;
    return `dim=${this.dim}, unflattened_size=${tuple}`;
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Flatten, Unflatten);
