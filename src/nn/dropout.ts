// Dropout layer: inverted dropout while training, identity in eval mode.
import type { Tensor } from '../tensor.js';
import { dropout, checkDropoutP } from '../ops/dropout.js';
import { Module, pyFloat, libraryForwards } from './module.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

/** Dropout and Dropout2d take (p, inplace) like PyTorch; in-place dropout is refused, not ignored. */
export type DropoutArgs = PositionalArgs<[p: number, inplace: boolean], { p?: number; inplace?: boolean }>;
export const dropoutSpec = (op: string): ArgSpec => ({
  op, positional: ['p', 'inplace'], types: { p: 'number' },
  unsupported: { inplace: { accept: false, why: 'the output is always a new tensor; use y = dropout(x)' } },
});
const DROPOUT_ARGS = dropoutSpec('Dropout');

export class Dropout extends Module {
  readonly p: number;
  /** `new Dropout(0.2)` or `new Dropout({ p: 0.2 })`. */
  constructor(...args: DropoutArgs) {
    super();
    this.p = parseArgs<{ p?: number }>(DROPOUT_ARGS, args).p ?? 0.5;
    checkDropoutP(this.p, 'Dropout');
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Dropout);
