// Deep Belief Network: a stack of RBMs, each trained greedily on the hidden probabilities of the one
// below (Hinton, Osindero & Teh 2006). Uses: features (transform), generation (Gibbs sampling in the
// top RBM, then a downward pass), completing partial inputs (complete), and initialising a
// feed-forward net for supervised fine-tuning (toSequential).
import { Tensor } from '../tensor.js';
import { tidy } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Sigmoid } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { RBM, COMPLETE_KEYS, checkSize, checkSteps, checkUnitType, completeVisible, drawUnits, type CompleteOptions, type UnitType } from './rbm.js';
import { FIT_KEYS, type EpochStats, type FitOptions } from './cd.js';
import { checkOptions, type ArgSpec } from '../options.js';

export interface DBNOptions {
  /** Units of the bottom (data) layer: 'bernoulli' (default) or 'gaussian'. */
  visible?: UnitType;
  /** Units of the top hidden layer: 'bernoulli' (default) or 'gaussian' (linear codes, for dimensionality reduction). */
  topHidden?: UnitType;
  /** Initial weight standard deviation of every RBM (default 0.01). */
  initStd?: number;
}

export interface PretrainOptions extends FitOptions {
  /** Per-layer overrides of the fit options (index 0 = bottom RBM), e.g. a smaller lr for a Gaussian layer. */
  layers?: FitOptions[];
  /** Called when a layer finishes, with its per-epoch statistics. */
  onLayer?: (layer: number, history: EpochStats[]) => void;
}

export interface DBNCompleteOptions extends CompleteOptions {
  /** Gibbs only: steps in the top RBM per pass (default 1); a few more let the chains move between digits. */
  topSteps?: number;
}

const DBN_ARGS: ArgSpec = { op: 'DBN', keywords: ['visible', 'topHidden', 'initStd'], types: { visible: 'string', topHidden: 'string', initStd: 'number' } };
const PRETRAIN_ARGS: ArgSpec = { op: 'DBN.pretrain', keywords: [...FIT_KEYS, 'layers', 'onLayer'], types: { layers: 'array', onLayer: 'function' } };
const GENERATE_ARGS: ArgSpec = { op: 'DBN.generate', keywords: ['k'], types: { k: 'integer' } };
const DBN_COMPLETE_ARGS: ArgSpec = { op: 'DBN.complete', keywords: [...COMPLETE_KEYS, 'topSteps'] };

export class DBN extends Module {
  readonly rbms: RBM[];

  /** new DBN([784, 500, 500]) builds the RBMs; new DBN([rbm1, rbm2]) stacks existing ones. */
  constructor(layers: readonly number[] | readonly RBM[], opts: DBNOptions = {}) {
    super();
    checkOptions(DBN_ARGS, opts);
    if (!Array.isArray(layers) || layers.length === 0) throw new Error(`DBN: expected layer sizes like [784, 500, 500] or an array of RBMs, got ${String(layers)}`);
    if (layers.every((l) => l instanceof RBM)) {
      this.rbms = (layers as RBM[]).slice();
      for (let i = 1; i < this.rbms.length; i++) {
        const below = this.rbms[i - 1], above = this.rbms[i];
        if (below.nHidden !== above.nVisible) {
          throw new Error(`DBN: RBM ${i - 1} has ${below.nHidden} hidden units but RBM ${i} has ${above.nVisible} visible units; stacked layers must match`);
        }
        if (below.hiddenType === 'gaussian' && above.visibleType !== 'gaussian') {
          throw new Error(`DBN: RBM ${i - 1} has real-valued (gaussian) hidden units, so RBM ${i} needs gaussian visible units`);
        }
      }
    } else if (layers.every((l) => typeof l === 'number')) {
      const sizes = layers as number[];
      if (sizes.length < 2) throw new Error(`DBN: need at least two layer sizes (visible and hidden), got [${sizes}]`);
      sizes.forEach((n, i) => checkSize(n, `layer size ${i}`, 'DBN'));
      const visible = checkUnitType(opts.visible ?? 'bernoulli', 'visible', 'DBN');
      const top = checkUnitType(opts.topHidden ?? 'bernoulli', 'top hidden', 'DBN');
      this.rbms = [];
      for (let i = 0; i + 1 < sizes.length; i++) {
        this.rbms.push(new RBM(sizes[i], sizes[i + 1], {
          visible: i === 0 ? visible : 'bernoulli',
          hidden: i === sizes.length - 2 ? top : 'bernoulli',
          initStd: opts.initStd,
        }));
      }
    } else {
      throw new Error('DBN: layers must be all numbers (sizes) or all RBMs');
    }
    this.rbms.forEach((r, i) => this.registerModule(String(i), r));
  }

  /** Units per layer, bottom to top ([784, 500, 500]). */
  get sizes(): number[] { return [this.rbms[0].nVisible, ...this.rbms.map((r) => r.nHidden)]; }
  get nVisible(): number { return this.rbms[0].nVisible; }
  get visibleType(): UnitType { return this.rbms[0].visibleType; }

  checkVisible(v: Tensor, op: string): void { this.rbms[0].checkVisible(v, op); }

  /**
   * Greedy layer-wise pretraining: RBM 0 on the data, then each RBM on the hidden probabilities of
   * the trained one below. Returns each layer's per-epoch statistics.
   */
  pretrain(data: Tensor, opts: PretrainOptions = {}): EpochStats[][] {
    if (!(data instanceof Tensor) || data.ndim !== 2 || data.shape[1] !== this.nVisible) {
      throw new Error(`DBN.pretrain: expected data of shape [N, ${this.nVisible}], got ${data instanceof Tensor ? `[${data.shape}]` : typeof data}`);
    }
    checkOptions(PRETRAIN_ARGS, opts);
    const { layers: perLayer = [], onLayer, ...shared } = opts;
    const histories: EpochStats[][] = [];
    let x = data;
    for (let i = 0; i < this.rbms.length; i++) {
      const history = this.rbms[i].fit(x, { ...shared, ...(perLayer[i] ?? {}) });
      histories.push(history);
      onLayer?.(i, history);
      if (i + 1 < this.rbms.length) {
        const next = this.rbms[i].transform(x).keep();
        if (x !== data) x.dispose();
        x = next;
      }
    }
    if (x !== data) x.dispose();
    return histories;
  }

  forward(v: Tensor): Tensor { return this.transform(v); }

  /** The top layer's hidden probabilities (codes for Gaussian top units): a deterministic up-pass. */
  transform(v: Tensor): Tensor {
    this.checkVisible(v, 'transform');
    return noGrad(() => tidy(() => this.up(v, this.rbms.length)));
  }

  // Hidden probabilities after `layers` RBMs.
  private up(v: Tensor, layers: number): Tensor {
    let x = v;
    for (let i = 0; i < layers; i++) x = this.rbms[i].hiddenProbs(x);
    return x;
  }

  // Visible probabilities of RBM 0 from the hidden layer of RBM `from - 1`, passing means down.
  private down(h: Tensor, from: number): Tensor {
    let x = h;
    for (let i = from - 1; i >= 0; i--) x = this.rbms[i].visibleProbs(x);
    return x;
  }

  /**
   * n samples from the model: k steps of Gibbs sampling in the top RBM (its visible layer is the
   * penultimate layer), then one downward pass of probabilities to the data layer.
   */
  generate(n: number, opts: { k?: number } = {}): Tensor {
    checkOptions(GENERATE_ARGS, opts);
    checkSize(n, 'n', 'DBN.generate');
    const k = checkSteps(opts.k ?? 1000, 'DBN.generate');
    const top = this.rbms.length - 1;
    return noGrad(() => tidy(() => this.down(this.rbms[top].sample(n, k), top)));
  }

  /**
   * Fills in the unknown pixels of v (mask 1 = known, 0 = unknown) with the known ones clamped; see
   * CompleteOptions. Mean-field passes go up the stack with probabilities and back down. Gibbs passes
   * (sample: true) follow the DBN's generative model: sample up to the penultimate layer, run `topSteps`
   * Gibbs steps in the top RBM (the DBN's prior), then sample down and return P(v | h₁).
   */
  complete(v: Tensor, mask: Tensor, opts: DBNCompleteOptions = {}): Tensor {
    checkOptions(DBN_COMPLETE_ARGS, opts);
    const { topSteps: topOpt, ...rest } = opts;
    const topSteps = checkSteps(topOpt ?? 1, 'DBN.complete', 'topSteps');
    const L = this.rbms.length, top = this.rbms[L - 1];
    return completeVisible(this, 'DBN', v, mask, rest, (x, sampled) => {
      if (!sampled) return this.down(this.up(x, L), L);
      if (L === 1) return top.visibleProbs(drawUnits(top.hiddenProbs(x), top.hiddenType));
      let h = x;
      for (let i = 0; i < L - 1; i++) h = drawUnits(this.rbms[i].hiddenProbs(h), this.rbms[i].hiddenType);
      for (let s = 0; s < topSteps; s++) {
        h = drawUnits(top.visibleProbs(drawUnits(top.hiddenProbs(h), top.hiddenType)), top.visibleType);
      }
      for (let i = L - 2; i > 0; i--) h = drawUnits(this.rbms[i].visibleProbs(h), this.rbms[i].visibleType);
      return this.rbms[0].visibleProbs(h);
    });
  }

  /**
   * An nn.Sequential of Linear (+ Sigmoid for Bernoulli hidden units) layers holding copies of the
   * RBM weights and hidden biases, plus an optional head: a Module (its input size must match the
   * top layer) or a number of outputs for a new Linear. Train it with backprop and any optimizer.
   */
  toSequential(head?: Module | number | null): Sequential {
    const mods: Module[] = [];
    noGrad(() => {
      for (const r of this.rbms) {
        const lin = new Linear(r.nVisible, r.nHidden);
        lin.weight.copy_(r.weight);
        lin.bias!.copy_(r.hiddenBias);
        mods.push(lin);
        if (r.hiddenType === 'bernoulli') mods.push(new Sigmoid());
      }
    });
    const top = this.sizes[this.sizes.length - 1];
    if (typeof head === 'number') {
      mods.push(new Linear(top, checkSize(head, 'head size', 'DBN.toSequential')));
    } else if (head instanceof Module) {
      const inputs = inputSize(head);
      if (inputs !== null && inputs !== top) {
        throw new Error(`DBN.toSequential: the head takes ${inputs} inputs but the top layer of the DBN [${this.sizes}] has ${top} units`);
      }
      mods.push(head);
    } else if (head !== undefined && head !== null) {
      throw new Error(`DBN.toSequential: head must be a Module or a number of outputs, got ${typeof head}`);
    }
    return new Sequential(...mods);
  }

  override extraRepr(): string { return `sizes=[${this.sizes.join(', ')}]`; }
}

// The input width of a head: a Linear's inFeatures, or that of the first Linear in a container.
function inputSize(m: Module): number | null {
  if (m instanceof Linear) return m.inFeatures;
  if (m instanceof RBM) return m.nVisible;
  const first = m.children()[0];
  return first ? inputSize(first) : null;
}
