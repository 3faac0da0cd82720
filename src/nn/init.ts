// nn.init: in-place initialisers with PyTorch's formulas (fans, gains, bounds), drawing from the
// library's seeded generator (manualSeed). Each returns the tensor it filled; none is recorded by
// autograd, and each runs in no-grad mode, as PyTorch's do, so it may fill a parameter directly.
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { eye } from '../ops/creation.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu' | string;
export type FanMode = 'fanIn' | 'fanOut';

function target(t: Tensor, op: string): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${t.dtype}`);
  if (!t.isContiguous()) throw new Error(`${op}: tensor must be contiguous (shape [${t.shape}], strides [${t.strides}])`);
  return t;
}

// Accepts PyTorch's snake_case spellings too ('leaky_relu', 'fan_in').
function camel(s: string): string { return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()); }

/** The recommended gain for a nonlinearity (PyTorch calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  const name = camel(nonlinearity);
  switch (name) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'convTranspose1d': case 'convTranspose2d':
    case 'convTranspose3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new Error(`calculateGain: unsupported nonlinearity '${nonlinearity}' (expected linear, conv*, sigmoid, tanh, relu, leakyRelu or selu)`);
  }
}

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (conv weights [out, in, k...]). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new Error(`calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${t.shape}])`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fanOf(t: Tensor, mode: string, op: string): number {
  const m = camel(mode);
  if (m !== 'fanIn' && m !== 'fanOut') throw new Error(`${op}: mode must be 'fanIn' or 'fanOut', got '${mode}'`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return m === 'fanIn' ? fanIn : fanOut;
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  target(t, 'uniform_');
  if (!(a <= b)) throw new Error(`uniform_: expected a <= b, got a = ${a}, b = ${b}`);
  noGrad(() => t.uniform_(a, b));
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  target(t, 'normal_');
  if (!(std >= 0)) throw new Error(`normal_: std must be non-negative, got ${std}`);
  noGrad(() => t.normal_(mean, std));
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  target(t, 'constant_');
  noGrad(() => t.fill_(value));
  return t;
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Fills a 2-D tensor with the identity (ones on the main diagonal). */
export function eye_(t: Tensor): Tensor {
  target(t, 'eye_');
  if (t.ndim !== 2) throw new Error(`eye_: only tensors with 2 dimensions are supported, got shape [${t.shape}]`);
  const [r, c] = t.shape;
  noGrad(() => t.copy_(eye(r, c)));
  return t;
}

/** U(-a, a) with a = gain·sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  target(t, 'xavierUniform_');
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** N(0, std²) with std = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  target(t, 'xavierNormal_');
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the rectifier that follows (leakyRelu only). */
  a?: number;
  /** 'fanIn' preserves the forward variance, 'fanOut' the backward one. */
  mode?: FanMode | 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

/** kaiming*_'s arguments after the tensor, in PyTorch's order: (a, mode, nonlinearity), then options. */
export type KaimingArgs = PositionalArgs<[a: number, mode: KaimingOptions['mode'], nonlinearity: Nonlinearity], KaimingOptions>;
const kaimingSpec = (op: string): ArgSpec => ({
  op, leading: ['tensor'], positional: ['a', 'mode', 'nonlinearity'], types: { a: 'number', mode: 'string', nonlinearity: 'string' },
});
const KAIMING_UNIFORM = kaimingSpec('kaimingUniform_'), KAIMING_NORMAL = kaimingSpec('kaimingNormal_');

function kaimingStd(t: Tensor, opts: KaimingOptions, op: string): number {
  const fan = fanOf(t, opts.mode ?? 'fanIn', op);
  if (fan === 0) throw new Error(`${op}: initializing a zero-element tensor is not possible (fan is 0 for shape [${t.shape}])`);
  const gain = calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** U(-bound, bound) with bound = gain·sqrt(3 / fan) (He et al.). */
export function kaimingUniform_(t: Tensor, ...args: KaimingArgs): Tensor {
  const opts = parseArgs<KaimingOptions>(KAIMING_UNIFORM, args);
  target(t, 'kaimingUniform_');
  const bound = Math.sqrt(3) * kaimingStd(t, opts, 'kaimingUniform_');
  return uniform_(t, -bound, bound);
}

/** N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, ...args: KaimingArgs): Tensor {
  const opts = parseArgs<KaimingOptions>(KAIMING_NORMAL, args);
  target(t, 'kaimingNormal_');
  return normal_(t, 0, kaimingStd(t, opts, 'kaimingNormal_'));
}
