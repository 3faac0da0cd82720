// Datasets: indexable collections of samples. TensorDataset slices aligned tensors along dim 0 and
// can gather a whole batch with one indexSelect per tensor; Subset and randomSplit view part of a dataset.
import { Tensor, isTensor } from '../tensor.js';
import { indexSelect } from '../ops/indexing.js';
import { tensor } from '../ops/creation.js';
import { checkSeed, permutation } from '../ops/permutation.js';
import { LIBRARY } from '../lifetime.js';
import { gatheredRows } from '../storage.js';
import { checkOptions } from '../options.js';

export abstract class Dataset<T = unknown> {
  /** The sample at position i (0 <= i < length). */
  abstract get(i: number): T;
  abstract get length(): number;
  /**
   * Optional fast path: the batch of samples at the positions in `indices` (a 1-D int32 tensor),
   * already collated. The DataLoader uses it when no custom collate is given.
   */
  getBatch?(indices: Tensor): T;

  /** Throws unless 0 <= i < length (for subclasses' get). */
  protected checkIndex(i: number, op: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new Error(`${op}: index ${i} is out of range for a dataset of length ${this.length}`);
  }
}

/** Samples are the i-th rows of each tensor: get(i) -> [t0[i], t1[i], ...]. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!isTensor(t)) throw new Error(`TensorDataset: argument ${i} is ${typeof t}, expected a Tensor`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0) {
      throw new Error(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples (shape [${tensors[0].shape}]) ` +
        `but tensor ${bad} has ${tensors[bad].shape[0]} (shape [${tensors[bad].shape}]); all first dimensions must match`);
    }
    this.tensors = tensors;
  }

  get length(): number { return this.tensors[0].shape[0]; }

  get(i: number): Tensor[] {
    this.checkIndex(i, 'TensorDataset.get');
    return this.tensors.map((t) => t.select(0, i));
  }

  override getBatch(indices: Tensor): Tensor[] {
    const batches = this.tensors.map((t) => indexSelect(t, 0, indices)); // (validates the indices)
    if (indices.dtype === 'int32' && indices.ndim === 1) {
      const rows = indices.data() as Int32Array;
      // A batch the loop drops can later leave wasm memory without a copy: it is rebuilt from its tensor if used again.
      batches.forEach((batch, i) => gatheredRows(batch, this.tensors[i], rows));
    }
    return batches;
  }
}

// The DataLoader runs library-written batch gathers as frames (src/lifetime.ts).
(TensorDataset.prototype.getBatch as any)[LIBRARY] = true;

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  readonly indices: Int32Array;
  private indexTensor: Tensor | null = null;

  constructor(readonly dataset: Dataset<T>, indices: ArrayLike<number>) {
    super();
    const n = dataset.length;
    this.indices = Int32Array.from(indices as ArrayLike<number>);
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`Subset: index ${i} at position ${j} is out of range for a dataset of length ${n}`);
    }
    const inner = dataset.getBatch as ((idx: Tensor) => T) & { [LIBRARY]?: boolean } | undefined;
    if (inner) {
      this.getBatch = (idx) => inner.call(dataset, indexSelect(this.indexOnDevice(), 0, idx));
      if (inner[LIBRARY]) (this.getBatch as any)[LIBRARY] = true;
    }
  }

  get length(): number { return this.indices.length; }

  get(i: number): T {
    this.checkIndex(i, 'Subset.get');
    return this.dataset.get(this.indices[i]);
  }

  // The indices in wasm memory, so a batch maps through them with one gather.
  private indexOnDevice(): Tensor {
    if (!this.indexTensor || this.indexTensor.isDisposed) this.indexTensor = tensor(this.indices).keep();
    return this.indexTensor;
  }
}

/**
 * Splits `dataset` into non-overlapping random Subsets of the given lengths, or of the given
 * fractions of its length (summing to 1; leftover samples go one each to the first splits, like
 * PyTorch). With `seed` the split is reproducible and leaves the global generator untouched.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], opts: { seed?: number } = {}): Subset<T>[] {
  const op = 'randomSplit';
  checkOptions({ op, keywords: ['seed'], unsupported: { generator: { why: 'pass { seed: n } for a reproducible split' } } }, opts);
  checkSeed(op, opts.seed);
  if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`${op}: lengths must be a non-empty array`);
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = sizes.map((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new Error(`${op}: fraction ${f} at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]++;
  }
  sizes.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0) throw new Error(`${op}: length ${s} at index ${i} must be a non-negative integer (or pass fractions summing to 1)`);
  });
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== n) throw new Error(`${op}: the lengths [${sizes}] sum to ${sum}, but the dataset has ${n} samples`);
  const perm = permutation(n, opts.seed);
  const order = perm.data() as Int32Array;
  perm.dispose();
  let offset = 0;
  return sizes.map((s) => { const sub = new Subset(dataset, order.subarray(offset, offset + s)); offset += s; return sub; });
}
