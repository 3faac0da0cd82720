// Dropout layer: inverted dropout while training, identity in eval mode.
import type { Tensor } from '../tensor.js';
import { dropout, checkDropoutP } from '../ops/dropout.js';
import { Module, pyFloat, libraryForwards } from './module.js';

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkDropoutP(p, 'Dropout');
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Dropout);
