// Restricted Boltzmann Machine: one layer of visible and one of hidden units joined by a weight
// matrix W [hidden, visible] (the nn.Linear layout, so a trained RBM drops into a feed-forward net).
//
// Energy (Bernoulli units): E(v, h) = -bᵀv - cᵀh - hᵀWv. Gaussian (unit-variance) visible units
// replace -bᵀv by ½‖v - b‖²; Gaussian hidden units add ½‖h‖² and are linear in their input.
// Conditionals: P(h = 1 | v) = σ(Wv + c), P(v = 1 | h) = σ(Wᵀh + b); Gaussian units have mean
// Wv + c (or Wᵀh + b) and unit variance.
import { Tensor } from '../tensor.js';
import { countOutsideUnit, drawUnitsFrom, flipOnePerRow } from '../ops/rbm.js';
import { checkSteps } from './checks.js';
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { linear } from '../ops/matmul.js';
import { where } from '../ops/elementwise.js';
import { bernoulli, randint, randn, zeros, zerosLike, empty } from '../ops/creation.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { fitRBM, type FitOptions, type EpochStats } from './cd.js';
import { checkOptions, type ArgSpec } from '../options.js';

export type UnitType = 'bernoulli' | 'gaussian';

export interface RBMOptions {
  /** Visible units: 'bernoulli' (binary data or probabilities in [0, 1], default) or 'gaussian' (real-valued, unit variance). */
  visible?: UnitType;
  /** Hidden units: 'bernoulli' (default) or 'gaussian' (linear units with unit-variance noise, for low-dimensional codes). */
  hidden?: UnitType;
  /** Standard deviation of the initial weights (default 0.01, as in Hinton's practical guide). */
  initStd?: number;
}

const RBM_ARGS: ArgSpec = { op: 'RBM', keywords: ['visible', 'hidden', 'initStd'], types: { visible: 'string', hidden: 'string', initStd: 'number' } };
const SAMPLE_ARGS: ArgSpec = { op: 'RBM.sample', keywords: ['init'], types: { init: 'tensor' } };
/** @internal */
export const COMPLETE_KEYS = ['steps', 'sample', 'chains', 'burnIn', 'estimate', 'init'];
const COMPLETE_TYPES = { sample: 'boolean', estimate: 'string', init: 'tensor' } as const;

export interface CompleteOptions {
  /** Up-down passes per chain (default 30). */
  steps?: number;
  /**
   * false (default): deterministic mean-field passes (they settle on one confident guess).
   * true: Gibbs sampling with the known units clamped; the hidden and unknown visible units are sampled.
   */
  sample?: boolean;
  /** Gibbs only: independent chains per input, run side by side as one batch (default 1). */
  chains?: number;
  /** Gibbs only: passes discarded before averaging (default floor(steps / 2)). */
  burnIn?: number;
  /**
   * Gibbs only. 'mean' (default): the posterior-mean estimate, P(v | h) averaged over every chain and
   * every pass after burn-in (Rao-Blackwellised; lowest expected squared error, but blurry where the
   * model is unsure). 'sample': P(v | h) of the last pass of the first chain, one plausible, sharper completion.
   */
  estimate?: 'mean' | 'sample';
  /** Starting values of the unknown units (broadcast to the data, e.g. the mean training image); default 0. */
  init?: Tensor;
}

/** One clamped pass: the visible means P(v | ·) computed from a visible batch. */
export type CompletionPass = (x: Tensor, sampled: boolean) => Tensor;

const UNIT_TYPES: readonly UnitType[] = ['bernoulli', 'gaussian'];

export function checkUnitType(t: unknown, what: string, op: string): UnitType {
  if (!UNIT_TYPES.includes(t as UnitType)) throw new Error(`${op}: ${what} units must be 'bernoulli' or 'gaussian', got ${JSON.stringify(t)}`);
  return t as UnitType;
}

export { checkSteps };

export function checkSize(n: unknown, what: string, op: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`${op}: ${what} must be a positive integer, got ${n}`);
  return n;
}

/** Throws unless every value of x lies in [0, 1] (what Bernoulli visible units can model). */
export function checkUnitInterval(x: Tensor, op: string): void {
  const bad = countOutsideUnit(x, op);
  if (bad > 0) {
    const values = x.data();
    let i = 0;
    while (values[i] >= 0 && values[i] <= 1) i++;
    throw new Error(`${op}: Bernoulli visible units need data in [0, 1], but ${bad} of ${x.numel()} values are outside ` +
      `(first: ${values[i]} at flat index ${i}); scale the data to [0, 1] or use { visible: 'gaussian' }`);
  }
}

export class RBM extends Module {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly visibleType: UnitType;
  readonly hiddenType: UnitType;
  /** [nHidden, nVisible] */
  weight!: Tensor;
  /** [nVisible] */
  visibleBias!: Tensor;
  /** [nHidden] */
  hiddenBias!: Tensor;

  constructor(nVisible: number, nHidden: number, opts: RBMOptions = {}) {
    super();
    checkOptions(RBM_ARGS, opts);
    this.nVisible = checkSize(nVisible, 'nVisible', 'RBM');
    this.nHidden = checkSize(nHidden, 'nHidden', 'RBM');
    this.visibleType = checkUnitType(opts.visible ?? 'bernoulli', 'visible', 'RBM');
    this.hiddenType = checkUnitType(opts.hidden ?? 'bernoulli', 'hidden', 'RBM');
    const std = opts.initStd ?? 0.01;
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`RBM: initStd must be a finite number >= 0, got ${std}`);
    this.weight = new Parameter(empty([nHidden, nVisible]));
    this.visibleBias = new Parameter(zeros([nVisible]));
    this.hiddenBias = new Parameter(zeros([nHidden]));
    noGrad(() => this.weight.normal_(0, std));
  }

  /** Features of v: the hidden probabilities (means for Gaussian hidden units). */
  forward(v: Tensor): Tensor { return this.transform(v); }

  /** Validates a batch of visible vectors ([..., nVisible], float32; in [0, 1] for Bernoulli units). */
  checkVisible(v: Tensor, op: string): void {
    this.checkLast(v, this.nVisible, 'visible', op);
    if (this.visibleType === 'bernoulli') checkUnitInterval(v, `RBM.${op}`);
  }

  private checkLast(x: Tensor, n: number, what: string, op: string): void {
    if (!(x instanceof Tensor)) throw new Error(`RBM.${op}: expected a Tensor of ${what} units, got ${x === null ? 'null' : typeof x}`);
    if (x.dtype !== 'float32') throw new Error(`RBM.${op}: expected a float32 tensor, got ${x.dtype}`);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== n) {
      throw new Error(`RBM.${op}: expected ${what} units with last dim ${n} (RBM ${this.nVisible}x${this.nHidden}), got shape [${x.shape}]`);
    }
  }

  /** P(h = 1 | v) = σ(v·Wᵀ + c) (or the mean v·Wᵀ + c for Gaussian hidden units). */
  hiddenProbs(v: Tensor): Tensor {
    this.checkLast(v, this.nVisible, 'visible', 'hiddenProbs');
    return linear(v, this.weight, this.hiddenBias, this.hiddenType === 'bernoulli' ? 'sigmoid' : 'none');
  }

  /** P(v = 1 | h) = σ(h·W + b) (or the mean h·W + b for Gaussian visible units). */
  visibleProbs(h: Tensor): Tensor {
    this.checkLast(h, this.nHidden, 'hidden', 'visibleProbs');
    return linear(h, this.weight.t(), this.visibleBias, this.visibleType === 'bernoulli' ? 'sigmoid' : 'none');
  }

  /** A hidden state drawn from P(h | v) with the seeded generator (manualSeed). */
  sampleHidden(v: Tensor): Tensor {
    return noGrad(() => tidy(() => drawUnits(this.hiddenProbs(v), this.hiddenType)));
  }

  /** A visible state drawn from P(v | h). */
  sampleVisible(h: Tensor): Tensor {
    return noGrad(() => tidy(() => drawUnits(this.visibleProbs(h), this.visibleType)));
  }

  /** k steps of block Gibbs sampling v → h → v starting from v; returns the last visible sample. */
  gibbs(v: Tensor, k = 1): Tensor {
    checkSteps(k, 'RBM.gibbs');
    this.checkVisible(v, 'gibbs');
    return noGrad(() => tidy(() => {
      let x = v;
      for (let i = 0; i < k; i++) x = this.gibbsStep(x, i === 0).sample;
      return x;
    }));
  }

  // One v → h → v step; returns the visible means and a sample from them (intermediates freed).
  private gibbsStep(v: Tensor, keepInput: boolean): { probs: Tensor; sample: Tensor } {
    const h = drawUnits(this.hiddenProbs(v), this.hiddenType);
    if (!keepInput) v.dispose();
    const probs = this.visibleProbs(h);
    h.dispose();
    return { probs, sample: drawUnits(probs, this.visibleType, false) };
  }

  /**
   * Free energy F(v) = -log Σ_h exp(-E(v, h)) per row (up to a constant for Gaussian units):
   * -bᵀv - Σ_j softplus(c_j + W_j·v), with ½‖v - b‖² in place of -bᵀv for Gaussian visible units and
   * -½(c_j + W_j·v)² in place of softplus for Gaussian hidden units. Differentiable.
   */
  freeEnergy(v: Tensor): Tensor {
    this.checkLast(v, this.nVisible, 'visible', 'freeEnergy');
    const pre = linear(v, this.weight, this.hiddenBias);
    const hiddenTerm = this.hiddenType === 'bernoulli' ? pre.softplus().sum(-1) : pre.square().sum(-1).mul(0.5);
    const visibleTerm = this.visibleType === 'bernoulli'
      ? v.mul(this.visibleBias).sum(-1).neg()
      : v.sub(this.visibleBias).square().sum(-1).mul(0.5);
    return visibleTerm.sub(hiddenTerm);
  }

  /** Mean-field reconstruction P(v | P(h | v)). */
  reconstruct(v: Tensor): Tensor {
    this.checkVisible(v, 'reconstruct');
    return noGrad(() => tidy(() => this.visibleProbs(this.hiddenProbs(v))));
  }

  /** Features for a downstream model: the hidden probabilities, without gradient tracking. */
  transform(v: Tensor): Tensor {
    this.checkLast(v, this.nVisible, 'visible', 'transform');
    return noGrad(() => this.hiddenProbs(v));
  }

  /**
   * Log pseudo-likelihood per row, scikit-learn's BernoulliRBM.score_samples: flip one randomly
   * chosen visible unit in each row (seeded generator) and return nVisible · log σ(F(ṽ) - F(v)).
   */
  pseudoLikelihood(v: Tensor): Tensor {
    if (this.visibleType !== 'bernoulli') throw new Error(`RBM.pseudoLikelihood: defined for Bernoulli visible units only (this RBM has ${this.visibleType} visible units)`);
    this.checkVisible(v, 'pseudoLikelihood');
    return noGrad(() => tidy(() => {
      const rows = v.reshape([-1, this.nVisible]);
      const n = rows.shape[0];
      const flipped = flipOnePerRow(rows, randint(0, this.nVisible, [n]).data());
      const pl = this.freeEnergy(flipped).sub(this.freeEnergy(rows)).logSigmoid().mul(this.nVisible);
      return pl.reshape(v.shape.slice(0, -1));
    }));
  }

  /**
   * n visible vectors from the model: k Gibbs steps from uniformly random visible units (or from
   * `init`), returning P(v | h) of the last step (pixel intensities for images).
   */
  sample(n: number, k = 1000, opts: { init?: Tensor } = {}): Tensor {
    checkOptions(SAMPLE_ARGS, opts);
    checkSize(n, 'n', 'RBM.sample');
    checkSteps(k, 'RBM.sample');
    if (opts.init) {
      this.checkVisible(opts.init, 'sample');
      const rows = opts.init.numel() / this.nVisible;
      if (rows !== n) throw new Error(`RBM.sample: init holds ${rows} visible vectors but n = ${n}`);
    }
    return noGrad(() => tidy(() => {
      let x = opts.init ? opts.init.reshape([-1, this.nVisible]) : this.randomVisible(n);
      let probs: Tensor | null = null;
      for (let i = 0; i < k; i++) {
        if (probs) probs.dispose();
        ({ probs, sample: x } = this.gibbsStep(x, i === 0 && !!opts.init));
      }
      x.dispose();
      return probs!;
    }));
  }

  private randomVisible(n: number): Tensor {
    const half = zeros([n, this.nVisible]).fill_(0.5);
    return this.visibleType === 'bernoulli' ? bernoulli(half) : randn([n, this.nVisible]);
  }

  /**
   * Fills in the unknown visible units of v: units where mask is 1 (or true) stay clamped to v, the
   * others start at `init` (default 0) and are updated by up-down passes; see CompleteOptions.
   * Returns the completed batch, shaped like v.
   */
  complete(v: Tensor, mask: Tensor, opts: CompleteOptions = {}): Tensor {
    return completeVisible(this, 'RBM', v, mask, opts, (x, sampled) => {
      const h = this.hiddenProbs(x);
      return this.visibleProbs(sampled ? drawUnits(h, this.hiddenType) : h);
    });
  }

  /** Trains with CD-k or persistent CD; see FitOptions. Returns one EpochStats per epoch. */
  fit(data: unknown, opts: FitOptions = {}): EpochStats[] {
    return fitRBM(this, data, opts);
  }

  override extraRepr(): string {
    return `visible=${this.nVisible}, hidden=${this.nHidden}, visible_units=${this.visibleType}, hidden_units=${this.hiddenType}`;
  }
}

/** A draw from units with the given means: Bernoulli(p), or mean + N(0, 1) for Gaussian units. */
export function drawUnits(mean: Tensor, type: UnitType, disposeMean = true): Tensor {
  const out = drawUnitsFrom(mean, type === 'gaussian');
  if (disposeMean) mean.dispose();
  return out;
}

/**
 * The clamped up-down loop shared by RBM.complete and DBN.complete. `pass(x, sampled)` maps a
 * visible batch to new visible means (sampling the hidden layers when `sampled`).
 */
export function completeVisible(model: { nVisible: number; visibleType: UnitType; checkVisible(v: Tensor, op: string): void }, name: string,
  v: Tensor, mask: Tensor, opts: CompleteOptions, pass: CompletionPass): Tensor {
  const op = `${name}.complete`;
  checkOptions({ op, keywords: COMPLETE_KEYS, types: COMPLETE_TYPES }, opts);
  const steps = checkSteps(opts.steps ?? 30, op, 'steps');
  const sampled = !!opts.sample;
  const chains = checkSteps(opts.chains ?? 1, op, 'chains');
  const burnIn = opts.burnIn ?? steps >> 1;
  if (!Number.isInteger(burnIn) || burnIn < 0 || burnIn >= steps) throw new Error(`${op}: burnIn must be an integer in [0, steps - 1] = [0, ${steps - 1}], got ${burnIn}`);
  const estimate = opts.estimate ?? 'mean';
  if (estimate !== 'mean' && estimate !== 'sample') throw new Error(`${op}: estimate must be 'mean' or 'sample', got ${JSON.stringify(estimate)}`);
  if (!sampled && (opts.chains !== undefined || opts.burnIn !== undefined || opts.estimate !== undefined)) {
    throw new Error(`${op}: chains, burnIn and estimate apply to Gibbs sampling; pass { sample: true } (mean-field passes are deterministic)`);
  }
  model.checkVisible(v, 'complete');
  const fits = (t: Tensor) => t.shape.length === v.shape.length && t.shape.every((d, i) => d === v.shape[i] || d === 1);
  if (!(mask instanceof Tensor)) throw new Error(`${op}: mask must be a Tensor (1 = known, 0 = to fill in), got ${mask === null ? 'null' : typeof mask}`);
  if (!fits(mask)) throw new Error(`${op}: mask shape [${mask.shape}] must match (or broadcast to) the data shape [${v.shape}]`);
  if (opts.init !== undefined && (!(opts.init instanceof Tensor) || !fits(opts.init))) {
    throw new Error(`${op}: init must be a Tensor whose shape [${opts.init instanceof Tensor ? opts.init.shape : typeof opts.init}] matches (or broadcasts to) the data shape [${v.shape}]`);
  }
  return noGrad(() => tidy(() => {
    // Chains run side by side as extra rows: [chains * rows, nVisible].
    const rows = v.numel() / model.nVisible;
    const tile = (t: Tensor) => t.expand(v.shape).reshape([1, rows, model.nVisible]).expand([chains, rows, model.nVisible]).reshape([chains * rows, model.nVisible]);
    const target = tile(v).contiguous();
    const known = tile(mask.float().ne(0).float()).contiguous();
    const clamp = (x: Tensor) => where(known, target, x);
    let x = clamp(opts.init ? tile(opts.init) : zerosLike(target));
    const averaged = sampled && estimate === 'mean' ? zerosLike(target) : null;
    let probs: Tensor | null = null;
    for (let s = 0; s < steps; s++) {
      if (probs) probs.dispose();
      probs = tidy(() => pass(x, sampled));
      if (averaged && s >= burnIn) averaged.addInPlace_(probs);
      // Gibbs chains continue from a sample of the unknown units; mean-field from their means.
      const next = tidy(() => clamp(sampled ? drawUnits(probs!, model.visibleType, false) : probs!));
      x.dispose();
      x = next;
    }
    x.dispose();
    let out: Tensor;
    if (averaged) out = averaged.reshape([chains, rows, model.nVisible]).sum(0).mulScalar_(1 / (chains * (steps - burnIn)));
    else out = probs!.narrow(0, 0, rows); // mean-field: every chain is the same; 'sample': the first chain
    return where(known.narrow(0, 0, rows), target.narrow(0, 0, rows), out).reshape(v.shape);
  }));
}
