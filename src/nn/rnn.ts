// Recurrent layers with PyTorch semantics and state_dict names: RNN, LSTM, GRU (multi-layer,
// bidirectional, batchFirst, inter-layer dropout, unbatched input) and the single-step cells.
// The maths lives in ops/rnn.ts: each layer and direction is one fused whole-sequence op.
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { full } from '../ops/creation.js';
import { concat, stack } from '../ops/join.js';
import { dropout as dropoutOp, checkDropoutP } from '../ops/dropout.js';
import { GATE_COUNT, rnnCell, rnnLayer, type RnnMode, type RnnWeights } from '../ops/rnn.js';
import * as views from '../ops/views.js';
import { Module, pyBool, pyFloat, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { expectFloat, type FloatOp } from '../dtypes.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export interface RNNOptions {
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Elman RNN only: 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
  /** Use bias_ih / bias_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (states are not affected). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only (default 0). */
  dropout?: number;
  /** Run a second, reversed direction per layer and concatenate the two outputs (default false). */
  bidirectional?: boolean;
}
export type LSTMOptions = Omit<RNNOptions, 'nonlinearity'>;
export type GRUOptions = LSTMOptions;
export interface RNNCellOptions { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }
export interface LSTMCellOptions { bias?: boolean }
export type GRUCellOptions = LSTMCellOptions;

/** nn.RNN's positional parameters after the sizes, in PyTorch's order. */
export type RNNArgs = PositionalArgs<[numLayers: number, nonlinearity: 'tanh' | 'relu', bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], RNNOptions>;
/** nn.LSTM's positional parameters after the sizes, in PyTorch's order (projSize: 0 only). */
export type LSTMArgs = PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean, projSize: 0], LSTMOptions & { projSize?: 0 }>;
/** nn.GRU's positional parameters after the sizes, in PyTorch's order. */
export type GRUArgs = PositionalArgs<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean], GRUOptions>;

// PyTorch's positional orders (src/options.ts): RNN(input, hidden, num_layers, nonlinearity, bias,
// batch_first, dropout, bidirectional); LSTM and GRU without nonlinearity (LSTM adds proj_size).
const RNN_TYPES = { numLayers: 'integer', bias: 'boolean', batchFirst: 'boolean', dropout: 'number', bidirectional: 'boolean', nonlinearity: 'string' } as const;
const rnnSpec = (op: string, positional: string[], extra: Partial<ArgSpec> = {}): ArgSpec =>
  ({ op, leading: ['inputSize', 'hiddenSize'], positional, types: RNN_TYPES, ...extra });
const LAYERS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];
const RNN_ARGS = rnnSpec('RNN', ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional']);
const LSTM_ARGS = rnnSpec('LSTM', [...LAYERS, 'projSize'], {
  unsupported: { projSize: { accept: 0, why: 'LSTMs with projections are not implemented; add a Linear layer on the output instead' } },
});
const GRU_ARGS = rnnSpec('GRU', LAYERS);
const RNNCELL_ARGS = rnnSpec('RNNCell', ['bias', 'nonlinearity']);
const LSTMCELL_ARGS = rnnSpec('LSTMCell', ['bias']);
const GRUCELL_ARGS = rnnSpec('GRUCell', ['bias']);

const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

function checkSize(op: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${what} must be a positive integer, got ${v}`);
  return v;
}

// U(-1/sqrt(hidden), 1/sqrt(hidden)) for every weight and bias (PyTorch reset_parameters).
function uniformInit(params: Tensor[], hiddenSize: number): void {
  const bound = 1 / Math.sqrt(hiddenSize);
  noGrad(() => { for (const p of params) p.uniform_(-bound, bound); });
}

const newParam = (shape: number[]) => new Parameter(full(shape, 0));

function checkMode(op: string, nonlinearity: unknown): void {
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`${op}: unknown nonlinearity '${nonlinearity}' (expected 'tanh' or 'relu')`);
}

/** Shared machinery of RNN, LSTM and GRU (PyTorch RNNBase). */
export abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** @internal */ readonly _mode: RnnMode;
  /** @internal Parameter names per [layer][direction], in PyTorch's order. */
  readonly _weightNames: string[][][] = [];

  protected constructor(mode: RnnMode, private readonly _op: string, inputSize: number, hiddenSize: number, opts: RNNOptions) {
    super();
    this._mode = mode;
    this.inputSize = checkSize(_op, 'inputSize', inputSize);
    this.hiddenSize = checkSize(_op, 'hiddenSize', hiddenSize);
    this.numLayers = checkSize(_op, 'numLayers', opts.numLayers ?? 1);
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    checkDropoutP(this.dropout, _op);
    this.bidirectional = opts.bidirectional ?? false;
    const G = GATE_COUNT[mode] * hiddenSize, D = this.numDirections;
    for (let l = 0; l < this.numLayers; l++) {
      const layerIn = l === 0 ? inputSize : hiddenSize * D;
      const perDir: string[][] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const names = [`weight_ih${sfx}`, `weight_hh${sfx}`];
        this.registerParameter(names[0], newParam([G, layerIn]));
        this.registerParameter(names[1], newParam([G, hiddenSize]));
        if (this.bias) {
          names.push(`bias_ih${sfx}`, `bias_hh${sfx}`);
          this.registerParameter(names[2], newParam([G]));
          this.registerParameter(names[3], newParam([G]));
        }
        perDir.push(names);
      }
      this._weightNames.push(perDir);
    }
    this.resetParameters();
  }

  get numDirections(): number { return this.bidirectional ? 2 : 1; }

  /** The parameters of every layer and direction, [weight_ih, weight_hh, bias_ih?, bias_hh?] each (PyTorch all_weights). */
  get allWeights(): Tensor[][] {
    return this._weightNames.flat().map((names) => names.map((n) => this._parameters.get(n)!).filter(Boolean));
  }

  resetParameters(): void { uniformInit(this.parameters(), this.hiddenSize); }

  /** @internal The four tensors of one layer and direction. */
  _weights(layer: number, dir: number): RnnWeights {
    const [ih, hh, bih, bhh] = this._weightNames[layer][dir].map((n) => this._parameters.get(n) ?? null);
    if (!ih || !hh) throw new Error(`${this._op}: parameter ${this._weightNames[layer][dir][ih ? 1 : 0]} was set to null`);
    return { wIh: ih, wHh: hh, bIh: bih ?? null, bHh: bhh ?? null };
  }

  /**
   * Validates the input and initial states, runs every layer and direction, and returns
   * [output, hN, cN] in the caller's layout (batchFirst, unbatched).
   */
  protected _run(input: Tensor, h0: Tensor | null, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const op = this._op, I = this.inputSize, H = this.hiddenSize, D = this.numDirections, L = this.numLayers;
    if (!(input instanceof Tensor)) throw new Error(`${op}: input must be a Tensor`);
    expectFloat(op as FloatOp, input);
    const layoutHint = this.batchFirst ? '[batch, seq, ' : '[seq, batch, ';
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new Error(`${op}: input must be 3-D ${layoutHint}${I}] or 2-D unbatched [seq, ${I}], got ${shapeStr(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== I) {
      throw new Error(`${op}: input.size(-1) must be equal to inputSize (${I}), got input of shape ${shapeStr(input.shape)}`);
    }
    const batched = input.ndim === 3;
    // Internal layout: [seq, batch, feature].
    let x = !batched ? views.unsqueeze(input, 1) : this.batchFirst ? views.transpose(input, 0, 1) : input;
    const B = x.shape[1];
    const expected = batched ? [L * D, B, H] : [L * D, H];
    const checkState = (s: Tensor | null, name: string): Tensor | null => {
      if (s === null || s === undefined) return null;
      if (!(s instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${typeof s}`);
      expectFloat(op as FloatOp, s, name);
      if (s.ndim !== expected.length || s.shape.some((v, i) => v !== expected[i])) {
        throw new Error(`${op}: expected ${name} of shape ${shapeStr(expected)} (numLayers*numDirections, ${batched ? 'batch, ' : ''}hiddenSize)` +
          ` for input ${shapeStr(input.shape)}, got ${shapeStr(s.shape)}`);
      }
      return batched ? s : views.unsqueeze(s, 1);
    };
    const hx = checkState(h0, 'h0'), cx = checkState(c0, 'c0');

    const hN: Tensor[] = [], cN: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        const r = rnnLayer(this._mode, x, hx ? views.select(hx, 0, i) : null, cx ? views.select(cx, 0, i) : null, this._weights(l, d), d === 1);
        outs.push(r.output);
        hN.push(r.hN);
        if (r.cN) cN.push(r.cN);
      }
      x = D === 2 ? concat(outs, 2) : outs[0];
      if (l < L - 1 && this.dropout > 0 && this.training) x = dropoutOp(x, this.dropout, true);
    }
    let output = !batched ? views.squeeze(x, 1) : this.batchFirst ? views.transpose(x, 0, 1) : x;
    let h = stack(hN, 0), c = cN.length ? stack(cN, 0) : null;
    if (!batched) { h = views.squeeze(h, 1); c = c && views.squeeze(c, 1); }
    return [output, h, c];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/**
 * Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh), act = tanh or relu.
 * forward(input, h0?) -> [output, hN]; input [seq, batch, inputSize] ([batch, seq, ..] with batchFirst,
 * or unbatched [seq, inputSize]); h0 / hN [numLayers*numDirections, batch, hiddenSize].
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';
  /** `new RNN(8, 16, { numLayers: 2 })` or, as in PyTorch, `new RNN(8, 16, 2)`. */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs) {
    const opts = parseArgs<RNNOptions>(RNN_ARGS, args);
    const nl = opts.nonlinearity ?? 'tanh';
    checkMode('RNN', nl);
    super(nl === 'relu' ? 'rnnRelu' : 'rnnTanh', 'RNN', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this._run(input, h0, null);
    return [out, h];
  }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== 'tanh' ? `, nonlinearity=${this.nonlinearity}` : '');
  }
}

/**
 * LSTM (gates i, f, g, o): forward(input, [h0, c0]?) -> [output, [hN, cN]].
 * Shapes as RNN; c0 / cN have h0's shape.
 */
export class LSTM extends RNNBase {
  /** `new LSTM(8, 16, { numLayers: 2, batchFirst: true })` or, as in PyTorch, `new LSTM(8, 16, 2)`. */
  constructor(inputSize: number, hiddenSize: number, ...args: LSTMArgs) {
    super('lstm', 'LSTM', inputSize, hiddenSize, parseArgs<LSTMOptions>(LSTM_ARGS, args));
  }
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new Error('LSTM: the initial state must be a pair [h0, c0]');
    }
    const [out, h, c] = this._run(input, hx ? hx[0] : null, hx ? hx[1] : null);
    return [out, [h, c!]];
  }
}

/**
 * GRU (gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h):
 * forward(input, h0?) -> [output, hN], shapes as RNN.
 */
export class GRU extends RNNBase {
  /** `new GRU(8, 16, { numLayers: 2, batchFirst: true })` or, as in PyTorch, `new GRU(8, 16, 2)`. */
  constructor(inputSize: number, hiddenSize: number, ...args: GRUArgs) {
    super('gru', 'GRU', inputSize, hiddenSize, parseArgs<GRUOptions>(GRU_ARGS, args));
  }
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this._run(input, h0, null);
    return [out, h];
  }
}

// ---- single-step cells ----

/** Shared machinery of RNNCell, LSTMCell and GRUCell (weight_ih, weight_hh, bias_ih, bias_hh). */
export abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** @internal */ readonly _mode: RnnMode;

  protected constructor(mode: RnnMode, private readonly _op: string, inputSize: number, hiddenSize: number, bias: boolean) {
    super();
    this._mode = mode;
    this.inputSize = checkSize(_op, 'inputSize', inputSize);
    this.hiddenSize = checkSize(_op, 'hiddenSize', hiddenSize);
    this.bias = bias;
    const G = GATE_COUNT[mode] * hiddenSize;
    this.registerParameter('weight_ih', newParam([G, inputSize]));
    this.registerParameter('weight_hh', newParam([G, hiddenSize]));
    this.registerParameter('bias_ih', bias ? newParam([G]) : null);
    this.registerParameter('bias_hh', bias ? newParam([G]) : null);
    this.resetParameters();
  }

  resetParameters(): void { uniformInit(this.parameters(), this.hiddenSize); }

  /** Validates x [batch, inputSize] or [inputSize] and the states, runs one step, returns [h', c']. */
  protected _step(x: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    const op = this._op, I = this.inputSize, H = this.hiddenSize;
    if (!(x instanceof Tensor)) throw new Error(`${op}: input must be a Tensor`);
    expectFloat(op as FloatOp, x);
    for (const [s, name] of [[h, 'hx'], [c, 'cx']] as const) if (s instanceof Tensor) expectFloat(op as FloatOp, s, name);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== I) {
      throw new Error(`${op}: expected input of shape [batch, ${I}] or unbatched [${I}], got ${shapeStr(x.shape)}`);
    }
    const batched = x.ndim === 2;
    const xb = batched ? x : views.unsqueeze(x, 0);
    const expected = batched ? [x.shape[0], H] : [H];
    const state = (s: Tensor | null, name: string): Tensor | null => {
      if (s === null || s === undefined) return null;
      if (!(s instanceof Tensor) || s.ndim !== expected.length || s.shape.some((v, i) => v !== expected[i])) {
        throw new Error(`${op}: expected ${name} of shape ${shapeStr(expected)} for input ${shapeStr(x.shape)}, got ${s instanceof Tensor ? shapeStr(s.shape) : typeof s}`);
      }
      return batched ? s : views.unsqueeze(s, 0);
    };
    const w: RnnWeights = {
      wIh: this._parameters.get('weight_ih')!, wHh: this._parameters.get('weight_hh')!,
      bIh: this._parameters.get('bias_ih') ?? null, bHh: this._parameters.get('bias_hh') ?? null,
    };
    let [h1, c1] = rnnCell(this._mode, xb, state(h, 'hx'), state(c, 'cx'), w);
    if (!batched) { h1 = views.squeeze(h1, 0); c1 = c1 && views.squeeze(c1, 0); }
    return [h1, c1];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}` + (this.bias ? '' : `, bias=${pyBool(false)}`);
  }
}

/** One Elman step: forward(x, h?) -> h'. x [batch, inputSize] or [inputSize]. */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';
  /** `new RNNCell(8, 16, { nonlinearity: 'relu' })` or, as in PyTorch, `new RNNCell(8, 16, true, 'relu')`. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[bias: boolean, nonlinearity: 'tanh' | 'relu'], RNNCellOptions>) {
    const opts = parseArgs<RNNCellOptions>(RNNCELL_ARGS, args);
    const nl = opts.nonlinearity ?? 'tanh';
    checkMode('RNNCell', nl);
    super(nl === 'relu' ? 'rnnRelu' : 'rnnTanh', 'RNNCell', inputSize, hiddenSize, opts.bias ?? true);
    this.nonlinearity = nl;
  }
  forward(x: Tensor, h: Tensor | null = null): Tensor { return this._step(x, h, null)[0]; }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== 'tanh' ? `, nonlinearity=${this.nonlinearity}` : '');
  }
}

/** One LSTM step: forward(x, [h, c]?) -> [h', c']. */
export class LSTMCell extends RNNCellBase {
  /** `new LSTMCell(8, 16, { bias: false })` or, as in PyTorch, `new LSTMCell(8, 16, false)`. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[bias: boolean], LSTMCellOptions>) {
    super('lstm', 'LSTMCell', inputSize, hiddenSize, parseArgs<LSTMCellOptions>(LSTMCELL_ARGS, args).bias ?? true);
  }
  forward(x: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new Error('LSTMCell: the state must be a pair [h, c]');
    }
    const [h, c] = this._step(x, hx ? hx[0] : null, hx ? hx[1] : null);
    return [h, c!];
  }
}

/** One GRU step: forward(x, h?) -> h'. */
export class GRUCell extends RNNCellBase {
  /** `new GRUCell(8, 16, { bias: false })` or, as in PyTorch, `new GRUCell(8, 16, false)`. */
  constructor(inputSize: number, hiddenSize: number, ...args: PositionalArgs<[bias: boolean], GRUCellOptions>) {
    super('gru', 'GRUCell', inputSize, hiddenSize, parseArgs<GRUCellOptions>(GRUCELL_ARGS, args).bias ?? true);
  }
  forward(x: Tensor, h: Tensor | null = null): Tensor { return this._step(x, h, null)[0]; }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell);
