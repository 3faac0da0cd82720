// The ops named in the PyTorch op fixtures (scripts/fixtures/ops.py keeps the torch side of this
// table): each maps fixture inputs + keyword args to a call on our API.
import { Tensor, concat, stack, where, matmul, linear, cat, nn } from '../../src/index.js';
import { decodeNumbers, fromSpec, type FixtureNumber, type TensorSpec } from '../helpers.js';

export type ViewStep = ['transpose', number, number] | ['permute', number[]] | ['slice', number, number | null, number | null, number] | ['expand', number[]];

export interface InputSpec extends TensorSpec { view?: ViewStep[] }
export interface OutputSpec extends TensorSpec { requiresGrad: boolean }
export interface OpCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  args?: Record<string, any>;
  outputs: OutputSpec[];
  grads?: (TensorSpec | null)[];
  gradcheck?: boolean;
  atol?: number;
  rtol?: number;
}
export interface OpFixture { generator: string; torch: string; cases: OpCase[] }

/** The fixture families (tests/fixtures/ops-<family>.json). */
export const OP_FAMILIES = ['elementwise', 'activation', 'reduce', 'matmul', 'views', 'indexing', 'extra'] as const;

/** Applies a fixture's view chain, giving the (often non-contiguous) tensor the op receives. */
export function applyView(t: Tensor, steps: ViewStep[] = []): Tensor {
  for (const step of steps) {
    switch (step[0]) {
      case 'transpose': t = t.transpose(step[1], step[2]); break;
      case 'permute': t = t.permute(step[1]); break;
      case 'slice': t = t.slice(step[1], step[2] ?? undefined, step[3] ?? undefined, step[4]); break;
      case 'expand': t = t.expand(step[1]); break;
    }
  }
  return t;
}

type OpResult = Tensor | Tensor[] | { values: Tensor; indices: Tensor };
type OpFn = (x: Tensor[], a: Record<string, any>) => OpResult;

// Binary arithmetic and comparisons take a second tensor, or a number in args.s.
const other = (x: Tensor[], a: Record<string, any>): Tensor | number => ('s' in a ? a.s : x[1]);
const dimArg = (a: Record<string, any>) => a.dim ?? undefined;
// A number in args that may be non-finite (written as 'nan', 'inf' or '-inf').
const numArg = (v: FixtureNumber) => decodeNumbers([v])[0];
// In-place ops run on a clone of the first input (in-place changes to a leaf that requires grad are refused).
const inPlace = (name: 'add_' | 'sub_' | 'mul_' | 'div_') => (x: Tensor[], a: Record<string, any>): Tensor => {
  const self = x[0].clone();
  return name === 'add_' || name === 'sub_' ? self[name](other(x, a), a.alpha ?? 1) : self[name](other(x, a));
};

export const OPS: Record<string, OpFn> = {
  // elementwise
  add: (x, a) => x[0].add(other(x, a), a.alpha),
  sub: (x, a) => x[0].sub(other(x, a), a.alpha),
  rsub: (x, a) => x[0].rsub(a.s),
  mul: (x, a) => x[0].mul(other(x, a)),
  div: (x, a) => x[0].div(other(x, a)),
  pow: (x, a) => x[0].pow(other(x, a)),
  maximum: (x, a) => x[0].maximum(other(x, a)),
  minimum: (x, a) => x[0].minimum(other(x, a)),
  neg: (x) => x[0].neg(),
  exp: (x) => x[0].exp(),
  log: (x) => x[0].log(),
  sqrt: (x) => x[0].sqrt(),
  abs: (x) => x[0].abs(),
  clamp: (x, a) => x[0].clamp(a.min, a.max),
  eq: (x, a) => x[0].eq(other(x, a)),
  ne: (x, a) => x[0].ne(other(x, a)),
  lt: (x, a) => x[0].lt(other(x, a)),
  le: (x, a) => x[0].le(other(x, a)),
  gt: (x, a) => x[0].gt(other(x, a)),
  ge: (x, a) => x[0].ge(other(x, a)),
  where: (x, a) => ('a' in a ? where(x[0], a.a, x[1]) : where(x[0], x[1], 'b' in a ? a.b : x[2])),
  // activations
  sigmoid: (x) => x[0].sigmoid(),
  tanh: (x) => x[0].tanh(),
  relu: (x) => x[0].relu(),
  leakyRelu: (x, a) => x[0].leakyRelu(a.slope),
  elu: (x, a) => x[0].elu(a.alpha),
  gelu: (x) => x[0].gelu(),
  softplus: (x, a) => x[0].softplus(a.beta, a.threshold),
  silu: (x) => x[0].silu(),
  logSigmoid: (x) => x[0].logSigmoid(),
  softmax: (x, a) => x[0].softmax(a.dim),
  logSoftmax: (x, a) => x[0].logSoftmax(a.dim),
  // reductions
  sum: (x, a) => x[0].sum(a.dim, a.keepdim),
  mean: (x, a) => x[0].mean(a.dim, a.keepdim),
  max: (x, a) => (a.dim === undefined ? x[0].max() : x[0].max(a.dim, a.keepdim)),
  min: (x, a) => (a.dim === undefined ? x[0].min() : x[0].min(a.dim, a.keepdim)),
  amax: (x, a) => x[0].amax(a.dim, a.keepdim),
  amin: (x, a) => x[0].amin(a.dim, a.keepdim),
  argmax: (x, a) => x[0].argmax(dimArg(a), a.keepdim),
  argmin: (x, a) => x[0].argmin(dimArg(a), a.keepdim),
  var: (x, a) => x[0].var(a.dim, { correction: a.correction, keepdim: a.keepdim }),
  std: (x, a) => x[0].std(a.dim, { correction: a.correction, keepdim: a.keepdim }),
  logsumexp: (x, a) => x[0].logsumexp(a.dim, a.keepdim),
  // linear algebra
  matmul: (x) => matmul(x[0], x[1]),
  mm: (x) => x[0].mm(x[1]),
  dot: (x) => x[0].dot(x[1]),
  linear: (x, a) => linear(x[0], x[1], x[2] ?? null, a.act ?? 'none', a.slope),
  // views
  reshape: (x, a) => x[0].reshape(a.shape),
  view: (x, a) => x[0].view(a.shape),
  transpose: (x, a) => x[0].transpose(a.dim0, a.dim1),
  permute: (x, a) => x[0].permute(a.dims),
  squeeze: (x, a) => x[0].squeeze(dimArg(a)),
  unsqueeze: (x, a) => x[0].unsqueeze(a.dim),
  expand: (x, a) => x[0].expand(a.shape),
  flatten: (x, a) => x[0].flatten(a.startDim, a.endDim),
  narrow: (x, a) => x[0].narrow(a.dim, a.start, a.length),
  slice: (x, a) => x[0].slice(a.dim, a.start ?? undefined, a.end ?? undefined, a.step),
  select: (x, a) => x[0].select(a.dim, a.index),
  chunk: (x, a) => x[0].chunk(a.chunks, a.dim),
  split: (x, a) => x[0].split(a.size, a.dim),
  contiguous: (x) => x[0].contiguous(),
  // join and indexing
  concat: (x, a) => concat(x, a.dim),
  stack: (x, a) => stack(x, a.dim),
  indexSelect: (x, a) => x[0].indexSelect(a.dim, x[1]),
  gather: (x, a) => x[0].gather(a.dim, x[1]),
  // the names of issue 15 (tests/fixtures/ops-extra.json)
  sort: (x, a) => x[0].sort(a.dim ?? -1, a.descending ?? false),
  argsort: (x, a) => x[0].argsort(a.dim ?? -1, a.descending ?? false),
  topk: (x, a) => x[0].topk(a.k, a.dim ?? -1, a.largest ?? true, a.sorted ?? true),
  cumsum: (x, a) => x[0].cumsum(a.dim),
  maskedFill: (x, a) => x[0].maskedFill(x[1], 'value' in a ? numArg(a.value) : x[2]),
  oneHot: (x, a) => nn.functional.oneHot(x[0], a.numClasses ?? -1),
  cat: (x, a) => cat(x, a.dim),
  add_: inPlace('add_'),
  sub_: inPlace('sub_'),
  mul_: inPlace('mul_'),
  div_: inPlace('div_'),
};

/** Every result shape as a list of output tensors (max/min with a dim give [values, indices]). */
export function outputsOf(r: OpResult): Tensor[] {
  if (r instanceof Tensor) return [r];
  if (Array.isArray(r)) return r;
  return [r.values, r.indices];
}

/** Leaves from the case's specs (fresh, contiguous) and the tensors the op receives. */
export function buildInputs(c: OpCase): { leaves: Tensor[]; args: Tensor[] } {
  const leaves = c.inputs.map((s) => fromSpec(s));
  return { leaves, args: leaves.map((t, i) => applyView(t, c.inputs[i].view)) };
}

export function runOp(c: OpCase, args: Tensor[]): Tensor[] {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`op-table: no entry for op '${c.op}' (case '${c.name}')`);
  return outputsOf(fn(args, c.args ?? {}));
}

/** The fixed gradient weights of scripts/fixtures/ops.py grad_weights. */
export function gradWeights(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 37) % 11) / 11 - 0.4);
}
