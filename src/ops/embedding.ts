// embedding: rows of a weight table picked by an int32 index tensor of any shape, [...] -> [..., dim]
// (torch.nn.functional.embedding). The lookup is the index_select kernel over dim 0 of the weight
// and its gradient the index_add kernel, so repeated indices add up in the weight's gradient.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { MIN_PARALLEL_ELEMENTS, parallelRows } from '../runtime/parallel.js';
import { needsGrad, record } from '../autograd/node.js';
import { noGrad } from '../autograd/grad-mode.js';
import { fromValues } from './creation.js';
import { binaryRaw } from './elementwise.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

const OP = 'embedding';

export interface EmbeddingOptions {
  /** Row whose entries get no gradient (PyTorch padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up whose normType-norm exceeds this are rescaled to it, in place, before the lookup. */
  maxNorm?: number | null;
  /** The p of the maxNorm norm (default 2). */
  normType?: number;
  /** Divide each row's gradient by how often its index occurs in the input. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients: not available (wasmgrad's gradients are dense); only false is accepted. */
  sparse?: boolean;
}

/** F.embedding's arguments after (input, weight), in PyTorch's order, then optionally the options object. */
export type EmbeddingFnArgs = PositionalArgs<[paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean], EmbeddingOptions>;

/** The options of F.embedding and nn.Embedding (src/options.ts): PyTorch's positional order after the sizes. */
export const embeddingSpec = (op: string, leading: string[]): ArgSpec => ({
  op, leading, positional: ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'],
  types: { paddingIdx: ['integer', 'null'], maxNorm: ['number', 'null'], normType: 'number', scaleGradByFreq: 'boolean' },
  unsupported: { sparse: { accept: false, why: 'sparse gradients are not supported (wasmgrad keeps dense gradients)' } },
});
const EMBEDDING_ARGS = embeddingSpec(OP, ['input', 'weight']);

/** paddingIdx as a row number in [0, numEmbeddings), or -1 for none; throws when out of range. */
export function normPaddingIdx(paddingIdx: number | null | undefined, numEmbeddings: number, op: string): number {
  if (paddingIdx === null || paddingIdx === undefined) return -1;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new Error(`${op}: paddingIdx must be an integer within numEmbeddings (${numEmbeddings}), i.e. in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}

function position(i: number, shape: number[]): string {
  const at: number[] = [];
  for (let d = shape.length - 1, r = i; d >= 0; d--) { at.unshift(r % shape[d]); r = Math.floor(r / shape[d]); }
  return `[${at.join(', ')}]`;
}

/**
 * out[..., :] = weight[input[...], :]. input: int32 indices of any shape; weight: float32
 * [numEmbeddings, embeddingDim]. Gradients flow to weight only (indices are not differentiable).
 * `embedding(idx, w, { paddingIdx: 0 })` or, as in PyTorch, `embedding(idx, w, 0)`.
 */
export function embedding(input: Tensor, weight: Tensor, ...args: EmbeddingFnArgs): Tensor {
  const opts = parseArgs<EmbeddingOptions>(EMBEDDING_ARGS, args);
  if (!(input instanceof Tensor)) {
    throw new Error(`${OP}: input must be an int32 Tensor of indices, got ${Array.isArray(input) ? 'an array (wrap it: wg.tensor(values, { dtype: \'int32\' }))' : typeof input}`);
  }
  if (!(weight instanceof Tensor)) throw new Error(`${OP}: weight must be a Tensor of shape [numEmbeddings, embeddingDim]`);
  if (input.dtype !== 'int32') {
    throw new Error(`${OP}: indices must be an int32 tensor, got ${input.dtype} of shape [${input.shape}] ` +
      `(create them with { dtype: 'int32' }, or convert with .int())`);
  }
  if (weight.ndim !== 2 || weight.dtype !== 'float32') {
    throw new Error(`${OP}: weight must be a float32 tensor of shape [numEmbeddings, embeddingDim], got ${weight.dtype} [${weight.shape}]`);
  }
  const [num, dim] = weight.shape;
  const pad = normPaddingIdx(opts.paddingIdx, num, OP);
  const maxNorm = opts.maxNorm ?? null, normType = opts.normType ?? 2;
  if (maxNorm !== null && !(maxNorm >= 0)) throw new Error(`${OP}: maxNorm must be a non-negative number or null, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`${OP}: normType must be positive, got ${normType}`);

  const idx = input.contiguous();
  const nidx = idx.numel();
  const k = backend.k;
  // Validate every index before anything is read or written (outer = 0 only checks).
  const bad = k.ew_index_select(0, idx.ptr(OP), 0, 0, num, nidx, dim);
  if (bad >= 0) {
    const v = idx.data()[bad];
    throw new Error(`${OP}: index ${v} at position ${position(bad, input.shape)} of the input (shape [${input.shape}]) is out of range ` +
      `for a weight of ${num} rows (shape [${weight.shape}]): indices must be in [0, ${num - 1}]`);
  }
  // PyTorch renormalises the rows in place, outside autograd, before looking them up.
  if (maxNorm !== null && nidx && dim) {
    if (!weight.isContiguous()) throw new Error(`${OP}: maxNorm rescales weight rows in place and needs a contiguous weight, got strides [${weight.strides}]`);
    noGrad(() => k.emb_renorm(weight._writePtr(OP), idx.ptr(OP), nidx, dim, maxNorm, normType));
  }
  const w = weight.contiguous();
  const out = Tensor._empty([...input.shape, dim]);
  if (out.numel()) {
    const wp = w.ptr(OP), ip = idx.ptr(OP), op = out.ptr();
    parallelRows('ew_index_select', nidx, out.numel(), MIN_PARALLEL_ELEMENTS, (s, c) => [wp, ip + s * 4, op + s * dim * 4, 1, num, c, dim], 1);
  }
  if (needsGrad(weight)) {
    const scaleByFreq = opts.scaleGradByFreq ?? false;
    record(out, 'EmbeddingBackward0', [null, weight], (g) => {
      const dw = Tensor._empty([num, dim]);
      if (!dw.numel()) return [null, dw];
      k.ew_fill(dw.ptr(), dw.numel(), 0);
      if (nidx) k.ew_index_add(g.contiguous().ptr(OP), idx.ptr(OP), dw.ptr(), 1, num, nidx, dim);
      if (pad >= 0) k.ew_fill(dw.ptr() + pad * dim * 4, dim, 0);
      if (!scaleByFreq || !nidx) return [null, dw];
      // Every contribution to row r is divided by r's count: the same as dividing the summed row.
      const counts = new Float32Array(num).fill(1);
      const seen = new Uint8Array(num);
      for (const i of idx.data()) { if (seen[i]) counts[i]++; else seen[i] = 1; }
      for (let r = 0; r < num; r++) counts[r] = 1 / counts[r];
      return [null, binaryRaw('mul', dw, fromValues(counts, [num, 1], 'float32'), OP)];
    }, [idx]);
  }
  return out;
}
