// The classification RBM of Larochelle & Bengio (ICML 2008): one RBM over an input x (Bernoulli
// units, data in [0, 1]) and a one-hot class y, with hidden units h:
//   E(x, y, h) = -bᵀx - dᵀy - cᵀh - hᵀWx - hᵀUy,     W [hidden, inputs], U [hidden, classes].
// p(y | x) is exact: with s_y(x) = d_y + Σ_j softplus(c_j + U_jy + W_j·x), p(y | x) = softmax_y s(x).
// Training objectives (all through autograd and a wasmgrad optimizer):
//   'discriminative': -log p(y | x), exact gradient;
//   'generative':     -log p(x, y), CD-1 gradient: ∂F(x, y) - ∂F(x̃, ỹ) with (x̃, ỹ) one Gibbs step
//                     from the data (F the free energy), so the surrogate F(x, y) - F(x̃, ỹ) has it;
//   'hybrid':         discriminative + alpha · generative.
import { Tensor } from '../tensor.js';
import { frame, framed } from '../lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { linear } from '../ops/matmul.js';
import { bernoulli, empty, randperm, zeros } from '../ops/creation.js';
import { oneHot } from '../ops/one-hot.js';
import { multinomial } from '../ops/sampling.js';
import { crossEntropy } from '../ops/loss.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { SGD } from '../optim/index.js';
import type { Optimizer } from '../optim/index.js';
import { checkOptions, type ArgSpec } from '../options.js';
import { checkSize, checkUnitInterval } from './rbm.js';

export type ClassRBMObjective = 'generative' | 'discriminative' | 'hybrid';

export interface ClassRBMOptions {
  /** Standard deviation of the initial weights (default 0.01). */
  initStd?: number;
}

export interface ClassFitOptions {
  objective?: ClassRBMObjective;
  /** Weight of the generative term in the hybrid objective (default 0.01, the paper's best on MNIST). */
  alpha?: number;
  epochs?: number;
  batchSize?: number;
  /** SGD learning rate when no optimizer is given (default 0.05). */
  lr?: number;
  /** SGD momentum when no optimizer is given (default 0.9). */
  momentum?: number;
  /** Builds the optimizer for the parameters (default SGD with lr and momentum). */
  optimizer?: (params: Tensor[]) => Optimizer<any>;
  verbose?: boolean;
  onEpoch?: (stats: ClassEpochStats) => void;
}

export interface ClassEpochStats {
  epoch: number; epochs: number;
  /** Mean -log p(y | x) over the epoch's batches. */
  nll: number;
  /** Mean generative surrogate F(x, y) - F(x̃, ỹ) (NaN for the discriminative objective). */
  cdGap: number;
  seconds: number;
}

const ARGS: ArgSpec = { op: 'ClassRBM', keywords: ['initStd'], types: { initStd: 'number' } };
const FIT_ARGS: ArgSpec = {
  op: 'ClassRBM.fit',
  keywords: ['objective', 'alpha', 'epochs', 'batchSize', 'lr', 'momentum', 'optimizer', 'verbose', 'onEpoch'],
  types: { objective: 'string', alpha: 'number', epochs: 'number', batchSize: 'number', lr: 'number', momentum: 'number', optimizer: 'function', verbose: 'boolean', onEpoch: 'function' },
};
const OBJECTIVES: readonly ClassRBMObjective[] = ['generative', 'discriminative', 'hybrid'];

export class ClassRBM extends Module {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly nClasses: number;
  /** W [nHidden, nVisible] */
  weight!: Tensor;
  /** U [nHidden, nClasses] */
  classWeight!: Tensor;
  /** b [nVisible] */
  visibleBias!: Tensor;
  /** c [nHidden] */
  hiddenBias!: Tensor;
  /** d [nClasses] */
  classBias!: Tensor;
  private sgd: SGD | null = null;

  constructor(nVisible: number, nHidden: number, nClasses: number, opts: ClassRBMOptions = {}) {
    super();
    checkOptions(ARGS, opts);
    this.nVisible = checkSize(nVisible, 'nVisible', 'ClassRBM');
    this.nHidden = checkSize(nHidden, 'nHidden', 'ClassRBM');
    this.nClasses = checkSize(nClasses, 'nClasses', 'ClassRBM');
    if (nClasses < 2) throw new Error(`ClassRBM: nClasses must be at least 2, got ${nClasses}`);
    const std = opts.initStd ?? 0.01;
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`ClassRBM: initStd must be a finite number >= 0, got ${std}`);
    this.weight = new Parameter(empty([nHidden, nVisible]));
    this.classWeight = new Parameter(empty([nHidden, nClasses]));
    this.visibleBias = new Parameter(zeros([nVisible]));
    this.hiddenBias = new Parameter(zeros([nHidden]));
    this.classBias = new Parameter(zeros([nClasses]));
    noGrad(() => { this.weight.normal_(0, std); this.classWeight.normal_(0, std); });
  }

  private checkInput(x: Tensor, op: string): void {
    if (!(x instanceof Tensor)) throw new Error(`ClassRBM.${op}: expected a float32 Tensor [N, ${this.nVisible}], got ${x === null ? 'null' : typeof x}`);
    if (x.dtype !== 'float32' || x.ndim !== 2 || x.shape[1] !== this.nVisible) {
      throw new Error(`ClassRBM.${op}: expected a float32 Tensor [N, ${this.nVisible}] (ClassRBM ${this.nVisible} inputs x ${this.nClasses} classes), got ${x.dtype} [${x.shape}]`);
    }
  }

  private checkLabels(y: Tensor, n: number, op: string): void {
    if (!(y instanceof Tensor) || y.dtype !== 'int32' || y.ndim !== 1 || y.shape[0] !== n) {
      throw new Error(`ClassRBM.${op}: expected int32 class indices of shape [${n}], got ${y instanceof Tensor ? `${y.dtype} [${y.shape}]` : typeof y}`);
    }
    const [lo, hi] = n ? frame(() => [y.min().item(), y.max().item()]) : [0, 0];
    if (lo < 0 || hi >= this.nClasses) throw new Error(`ClassRBM.${op}: class indices must lie in 0..${this.nClasses - 1}, got values in ${lo}..${hi}`);
  }

  /** Class scores s_y(x) = d_y + Σ_j softplus(c_j + U_jy + W_j·x), [N, nClasses]: the logits of p(y | x). Differentiable. */
  classScores(x: Tensor): Tensor {
    this.checkInput(x, 'classScores');
    const pre = linear(x, this.weight, this.hiddenBias);                         // [N, H]
    const all = pre.unsqueeze(1).add(this.classWeight.t().unsqueeze(0));         // [N, C, H]
    return all.softplus().sum(-1).add(this.classBias);
  }

  forward(x: Tensor): Tensor { return this.classScores(x); }

  /** p(y | x), exact, [N, nClasses]. */
  predictProba(x: Tensor): Tensor { return noGrad(() => this.classScores(x).softmax(-1)); }

  /** The most probable class of each row, int32 [N]. */
  predict(x: Tensor): Tensor { return noGrad(() => this.classScores(x).argmax(-1)); }

  /** Free energy F(x, y) = -bᵀx - d_y - Σ_j softplus(c_j + U_jy + W_j·x) per row; y one-hot (or class probabilities) [N, C]. */
  freeEnergy(x: Tensor, yOneHot: Tensor): Tensor {
    const pre = linear(x, this.weight, this.hiddenBias).add(linear(yOneHot, this.classWeight));
    return x.mul(this.visibleBias).sum(-1).add(yOneHot.mul(this.classBias).sum(-1)).neg().sub(pre.softplus().sum(-1));
  }

  /**
   * The generative CD-1 surrogate for a batch: mean F(x, y) - F(x̃, ỹ), where h ~ p(h | x, y),
   * x̃ = p(x | h) and ỹ ~ p(y | h) (one-hot). Its gradient is the CD-1 estimate of -∂ log p(x, y).
   */
  cdLoss(x: Tensor, y: Tensor): Tensor {
    this.checkInput(x, 'cdLoss');
    this.checkLabels(y, x.shape[0], 'cdLoss');
    const y1 = oneHot(y, this.nClasses).float();
    const [xNeg, yNeg] = noGrad(() => {
      const h = bernoulli(linear(x, this.weight, this.hiddenBias).add(linear(y1, this.classWeight)).sigmoid());
      const xs = linear(h, this.weight.t(), this.visibleBias, 'sigmoid');
      const ys = oneHot(multinomial(linear(h, this.classWeight.t(), this.classBias).softmax(-1), 1).reshape([-1]), this.nClasses).float();
      return [xs, ys];
    });
    return this.freeEnergy(x, y1).sub(this.freeEnergy(xNeg, yNeg)).mean();
  }

  /** The training loss of one batch for an objective (see the file's header). */
  loss(x: Tensor, y: Tensor, objective: ClassRBMObjective = 'hybrid', alpha = 0.01): Tensor {
    if (!OBJECTIVES.includes(objective)) throw new Error(`ClassRBM.loss: objective must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(objective)}`);
    if (objective === 'generative') return this.cdLoss(x, y);
    this.checkLabels(y, x.shape[0], 'loss');
    const nll = crossEntropy(this.classScores(x), y);
    return objective === 'discriminative' ? nll : nll.add(this.cdLoss(x, y).mul(alpha));
  }

  /** Trains on inputs x [N, nVisible] in [0, 1] and int32 labels y [N]. Returns one ClassEpochStats per epoch. */
  fit(x: Tensor, y: Tensor, opts: ClassFitOptions = {}): ClassEpochStats[] {
    const op = 'ClassRBM.fit';
    checkOptions(FIT_ARGS, opts);
    this.checkInput(x, 'fit');
    checkUnitInterval(x, op);
    this.checkLabels(y, x.shape[0], 'fit');
    const objective = opts.objective ?? 'hybrid';
    if (!OBJECTIVES.includes(objective)) throw new Error(`${op}: objective must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(objective)}`);
    const alpha = opts.alpha ?? 0.01;
    const epochs = opts.epochs ?? 10, bs = opts.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`${op}: epochs must be a non-negative integer, got ${epochs}`);
    if (!Number.isInteger(bs) || bs < 1) throw new Error(`${op}: batchSize must be a positive integer, got ${bs}`);
    const params = this.parameters();
    // The default SGD is kept on the model: its velocity carries over between fit calls and no
    // momentum buffers are left behind by each call.
    let opt: Optimizer<any>;
    if (opts.optimizer) opt = opts.optimizer(params);
    else {
      this.sgd ??= new SGD(params, { lr: 0.05, momentum: 0.9 });
      for (const g of this.sgd.paramGroups) { g.lr = opts.lr ?? 0.05; g.momentum = opts.momentum ?? 0.9; }
      opt = this.sgd;
    }
    const N = x.shape[0];
    const history: ClassEpochStats[] = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const order = frame(() => randperm(N));
      let nllSum = 0, gapSum = 0, batches = 0;
      for (let s = 0; s < N; s += bs) {
        const [nll, gap] = frame(() => {
          const idx = order.narrow(0, s, Math.min(bs, N - s));
          const xb = x.indexSelect(0, idx), yb = y.indexSelect(0, idx);
          opt.zeroGrad();
          // Generative training reads p(y | x) only for the progress figure.
          const nllT = objective === 'generative' ? noGrad(() => crossEntropy(this.classScores(xb), yb)) : crossEntropy(this.classScores(xb), yb);
          let loss = nllT;
          let gapV = NaN;
          if (objective !== 'discriminative') {
            const gen = this.cdLoss(xb, yb);
            gapV = gen.item();
            loss = objective === 'generative' ? gen : nllT.add(gen.mul(alpha));
          }
          loss.backward();
          opt.step();
          return [nllT.item(), gapV];
        });
        nllSum += nll; gapSum += gap; batches++;
      }
      order.dispose();
      const stats: ClassEpochStats = { epoch, epochs, nll: nllSum / batches, cdGap: gapSum / batches, seconds: (performance.now() - t0) / 1000 };
      history.push(stats);
      if (opts.verbose) console.log(`ClassRBM ${objective} epoch ${epoch}/${epochs}  -log p(y|x) ${stats.nll.toFixed(4)}  ${stats.seconds.toFixed(1)} s`);
      opts.onEpoch?.(stats);
    }
    return history;
  }

  override extraRepr(): string {
    return `visible=${this.nVisible}, hidden=${this.nHidden}, classes=${this.nClasses}`;
  }
}

for (const name of ['classScores', 'predictProba', 'predict', 'freeEnergy', 'cdLoss', 'loss'] as const) {
  (ClassRBM.prototype as any)[name] = framed((ClassRBM.prototype as any)[name]);
}
