// Learning-rate schedulers (torch.optim.lr_scheduler, 1.13): each step() moves the optimizer's
// group lrs along the schedule using PyTorch's chainable (recursive) formulas, so the values match
// PyTorch's to float rounding. The constructor takes the initial step, like PyTorch.

import { parseArgs, type ArgSpec, type PositionalArgs, type RequiredFirstArgs } from '../options.js';

/** What a scheduler needs from an optimizer: its groups' learning rates. */
export interface LrGroups {
  paramGroups: { lr: number; initialLr?: number }[];
}

export abstract class LRScheduler {
  /** The initial lr of each group (the groups' `initialLr`). */
  readonly baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(readonly name: string, readonly optimizer: LrGroups, lastEpoch = -1) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new Error(`${name}: expected an optimizer, got ${optimizer}`);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new Error(`${name}: lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new Error(`${name}: initialLr is not set in paramGroups[${i}] when resuming (lastEpoch ${lastEpoch}); a scheduler created with lastEpoch -1 sets it`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (it needs their options). */
  protected initialStep(): void { this.step(); }

  /** The lrs for this.lastEpoch, from the groups' current lrs (PyTorch's get_lr). */
  protected abstract computeLr(): number[];

  /** Advances one epoch and writes the new lrs into the optimizer's groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = lrs;
  }

  /** The lrs set by the last step, one per group. */
  getLastLr(): number[] { return this.lastLr.slice(); }

  protected groupLrs(): number[] { return this.optimizer.paramGroups.map((g) => g.lr); }

  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.lastEpoch = sd.lastEpoch as number;
    this.stepCount = sd.stepCount as number;
    this.baseLrs.splice(0, this.baseLrs.length, ...(sd.baseLrs as number[]));
    this.lastLr = (sd.lastLr as number[]).slice();
  }
}

function checkInt(name: string, what: string, v: unknown, min: 0 | 1): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${name}: ${what} must be a ${min ? 'positive' : 'non-negative'} integer, got ${v}`);
}
// One value for every param group, or an array of one per group (PyTorch accepts both).
function perGroup<T>(name: string, plural: string, v: T | T[], groups: number): T[] {
  if (!Array.isArray(v)) return new Array(groups).fill(v);
  if (v.length !== groups) throw new Error(`${name}: expected ${groups} ${plural} (one per group), got ${v.length}`);
  return v.slice();
}
function checkNumber(name: string, what: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name}: ${what} must be a finite number, got ${v}`);
}

// PyTorch's positional order after the optimizer, then an options object (src/options.ts).
const VERBOSE = { verbose: { accept: false, why: 'print scheduler.getLastLr() after step() instead' } };
const schedulerSpec = (op: string, positional: string[]): ArgSpec => ({ op, leading: ['optimizer'], positional, unsupported: VERBOSE });

export interface LambdaLROptions { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]; lastEpoch?: number }
export interface StepLROptions { stepSize: number; gamma?: number; lastEpoch?: number }
export interface MultiStepLROptions { milestones: number[]; gamma?: number; lastEpoch?: number }
export interface ExponentialLROptions { gamma: number; lastEpoch?: number }
export interface CosineAnnealingLROptions { TMax: number; etaMin?: number; lastEpoch?: number }

/** lr = baseLr * lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  /** `new LambdaLR(opt, { lrLambda })` or, as in PyTorch, `new LambdaLR(opt, lrLambda, lastEpoch?)`. */
  constructor(optimizer: LrGroups, ...args: RequiredFirstArgs<[lrLambda: LambdaLROptions['lrLambda'], lastEpoch: number], Partial<LambdaLROptions>, LambdaLROptions>) {
    const opts = parseArgs<LambdaLROptions>(schedulerSpec('LambdaLR', ['lrLambda', 'lastEpoch']), args);
    super('LambdaLR', optimizer, opts.lastEpoch);
    if (!Array.isArray(opts.lrLambda) && typeof opts.lrLambda !== 'function') {
      throw new Error(`LambdaLR: lrLambda must be a function or an array of functions, got ${typeof opts.lrLambda}`);
    }
    this.lambdas = perGroup('LambdaLR', 'lrLambdas', opts.lrLambda, optimizer.paramGroups.length);
    this.initialStep();
  }
  protected computeLr(): number[] { return this.baseLrs.map((b, i) => b * this.lambdas[i](this.lastEpoch)); }
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  /** `new StepLR(opt, { stepSize: 30, gamma: 0.1 })` or, as in PyTorch, `new StepLR(opt, 30, 0.1)`. */
  constructor(optimizer: LrGroups, ...args: RequiredFirstArgs<[stepSize: number, gamma: number, lastEpoch: number], Partial<StepLROptions>, StepLROptions>) {
    const opts = parseArgs<StepLROptions>(schedulerSpec('StepLR', ['stepSize', 'gamma', 'lastEpoch']), args);
    super('StepLR', optimizer, opts.lastEpoch);
    checkInt('StepLR', 'stepSize', opts.stepSize, 1);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    checkNumber('StepLR', 'gamma', this.gamma);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/** Multiplies the lr by gamma at each milestone epoch (a milestone listed twice applies gamma twice). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: Map<number, number>;
  readonly gamma: number;
  /** `new MultiStepLR(opt, { milestones: [30, 80] })` or, as in PyTorch, `new MultiStepLR(opt, [30, 80], 0.1)`. */
  constructor(optimizer: LrGroups, ...args: RequiredFirstArgs<[milestones: number[], gamma: number, lastEpoch: number], Partial<MultiStepLROptions>, MultiStepLROptions>) {
    const opts = parseArgs<MultiStepLROptions>(schedulerSpec('MultiStepLR', ['milestones', 'gamma', 'lastEpoch']), args);
    super('MultiStepLR', optimizer, opts.lastEpoch);
    if (!Array.isArray(opts.milestones)) throw new Error(`MultiStepLR: milestones must be an array of epochs, got ${opts.milestones}`);
    this.milestones = new Map();
    for (const m of opts.milestones) {
      if (!Number.isInteger(m) || m < 0) throw new Error(`MultiStepLR: milestones must be non-negative integers, got ${m}`);
      this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    }
    this.gamma = opts.gamma ?? 0.1;
    checkNumber('MultiStepLR', 'gamma', this.gamma);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    const lrs = this.groupLrs();
    return count === undefined ? lrs : lrs.map((lr) => lr * this.gamma ** count);
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  /** `new ExponentialLR(opt, { gamma: 0.9 })` or, as in PyTorch, `new ExponentialLR(opt, 0.9)`. */
  constructor(optimizer: LrGroups, ...args: RequiredFirstArgs<[gamma: number, lastEpoch: number], Partial<ExponentialLROptions>, ExponentialLROptions>) {
    const opts = parseArgs<ExponentialLROptions>(schedulerSpec('ExponentialLR', ['gamma', 'lastEpoch']), args);
    super('ExponentialLR', optimizer, opts.lastEpoch);
    checkNumber('ExponentialLR', 'gamma', opts.gamma);
    this.gamma = opts.gamma;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the base lr down to etaMin over TMax epochs, then back up (SGDR without
 * restarts), with PyTorch 1.13's recursive update so the sequence matches it exactly.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly TMax: number;
  readonly etaMin: number;
  /** `new CosineAnnealingLR(opt, { TMax: 100 })` or, as in PyTorch, `new CosineAnnealingLR(opt, 100, etaMin?)`. */
  constructor(optimizer: LrGroups, ...args: RequiredFirstArgs<[TMax: number, etaMin: number, lastEpoch: number], Partial<CosineAnnealingLROptions>, CosineAnnealingLROptions>) {
    const opts = parseArgs<CosineAnnealingLROptions>(schedulerSpec('CosineAnnealingLR', ['TMax', 'etaMin', 'lastEpoch']), args);
    super('CosineAnnealingLR', optimizer, opts.lastEpoch);
    checkInt('CosineAnnealingLR', 'TMax', opts.TMax, 1);
    this.TMax = opts.TMax;
    this.etaMin = opts.etaMin ?? 0;
    checkNumber('CosineAnnealingLR', 'etaMin', this.etaMin);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { TMax: T, etaMin: eta, lastEpoch: e } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => eta + (b - eta) * (1 + Math.cos((e * Math.PI) / T)) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + (this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T)) / 2);
    }
    return lrs.map((lr) => (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T)) * (lr - eta) + eta);
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': lower metric is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  /** A lower bound on the lr, for all groups or one per group. */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped. */
  eps?: number;
}

/** Multiplies the lr by factor when the metric passed to step(metric) stops improving for patience epochs. */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  /** `new ReduceLROnPlateau(opt, { mode: 'max', patience: 5 })` or, as in PyTorch, `new ReduceLROnPlateau(opt, 'max', 0.1, 5)`. */
  constructor(readonly optimizer: LrGroups, ...args: PositionalArgs<[mode: 'min' | 'max', factor: number, patience: number, threshold: number,
    thresholdMode: 'rel' | 'abs', cooldown: number, minLr: number | number[], eps: number], ReduceLROnPlateauOptions>) {
    const name = 'ReduceLROnPlateau';
    const opts = parseArgs<ReduceLROnPlateauOptions>(schedulerSpec(name,
      ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']), args);
    this.mode = opts.mode ?? 'min';
    this.factor = opts.factor ?? 0.1;
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`${name}: mode must be 'min' or 'max', got '${this.mode}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`${name}: thresholdMode must be 'rel' or 'abs', got '${this.thresholdMode}'`);
    if (!(this.factor < 1)) throw new Error(`${name}: factor must be < 1.0, got ${this.factor}`);
    checkInt(name, 'patience', this.patience, 0);
    checkInt(name, 'cooldown', this.cooldown, 0);
    this.minLrs = perGroup(name, 'minLrs', opts.minLr ?? 0, optimizer.paramGroups.length);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  get inCooldown(): boolean { return this.cooldownCounter > 0; }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Reports this epoch's metric (a number, or a one-element tensor). */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) { this.best = current; this.numBadEpochs = 0; }
    else this.numBadEpochs++;
    if (this.inCooldown) { this.cooldownCounter--; this.numBadEpochs = 0; } // bad epochs in cooldown don't count
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] { return this.lastLr.slice(); }

  stateDict(): Record<string, unknown> {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.best = sd.best as number;
    this.numBadEpochs = sd.numBadEpochs as number;
    this.cooldownCounter = sd.cooldownCounter as number;
    this.lastEpoch = sd.lastEpoch as number;
  }
}
