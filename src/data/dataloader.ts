// DataLoader: iterates a dataset in batches, in order or shuffled per epoch. Batch gradient descent
// is batchSize = dataset.length, stochastic gradient descent batchSize = 1, mini-batch anything between.
import { Tensor, isTensor } from '../tensor.js';
import { stack } from '../ops/join.js';
import { tensor } from '../ops/creation.js';
import type { Dataset } from './dataset.js';
import { LIBRARY, frame, userCode } from '../lifetime.js';
import { checkSeed, identityOrder, shuffleInPlace } from '../ops/permutation.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';

export interface DataLoaderOptions<B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the order at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * Makes shuffling reproducible: epoch e's order depends only on (seed, e), not on other random
   * draws. Without it, shuffles draw from the global generator (manualSeed).
   */
  seed?: number;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collate?: (samples: any[]) => B;
}

/**
 * Stacks samples into a batch: tensors -> stack along a new dim 0; numbers -> a 1-D tensor (int32
 * when all are integers, else float32); arrays/tuples and plain objects -> collated per position/key.
 */
export function defaultCollate(samples: unknown[]): any {
  const first = samples[0];
  if (isTensor(first)) return stack(samples as Tensor[], 0);
  if (typeof first === 'number') {
    const nums = samples as number[];
    return nums.every(Number.isInteger) ? tensor(Int32Array.from(nums)) : tensor(Float32Array.from(nums));
  }
  if (Array.isArray(first)) {
    const bad = samples.findIndex((s) => !Array.isArray(s) || s.length !== first.length);
    if (bad >= 0) throw new Error(`DataLoader: samples have different structures (sample 0 has ${first.length} fields, sample ${bad} does not)`);
    return first.map((_, j) => defaultCollate(samples.map((s) => (s as unknown[])[j])));
  }
  if (first && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate(samples.map((s) => (s as Record<string, unknown>)[key]));
    return out;
  }
  throw new Error(`DataLoader: the default collate cannot batch samples of type ${first === null ? 'null' : typeof first}; pass { collate }`);
}

// PyTorch's DataLoader(dataset, batch_size, shuffle, ...): what we take positionally, and the
// PyTorch options that are refused rather than dropped (src/options.ts).
const LOADER_ARGS: ArgSpec = {
  op: 'DataLoader', leading: ['dataset'], positional: ['batchSize', 'shuffle'], keywords: ['dropLast', 'seed', 'collate'],
  types: { shuffle: 'boolean', dropLast: 'boolean', collate: 'function' },
  renamed: { collateFn: 'collate' },
  unsupported: {
    sampler: { why: 'pass a Subset of the dataset, or shuffle: true' },
    batchSampler: { why: 'pass batchSize, shuffle and dropLast' },
    numWorkers: { accept: 0, why: 'batches are gathered on the calling thread; large kernels already use the threads of init({ threads })' },
    pinMemory: { accept: false, why: 'there is no GPU memory to pin' },
    timeout: { accept: 0, why: 'there are no worker processes' },
    workerInitFn: { why: 'there are no worker processes' },
    multiprocessingContext: { why: 'there are no worker processes' },
    generator: { why: 'pass seed: n for a reproducible shuffle' },
    prefetchFactor: { why: 'there are no worker processes' },
    persistentWorkers: { accept: false, why: 'there are no worker processes' },
    pinMemoryDevice: { accept: '', why: 'there is no GPU memory to pin' },
  },
};

export class DataLoader<B = Tensor[]> implements Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number | undefined;
  private readonly collate: ((samples: any[]) => B) | undefined;
  /** Epochs started so far (the next iteration shuffles with stream `epoch` of the seed). */
  epoch = 0;

  /** `new DataLoader(ds, { batchSize: 64, shuffle: true })` or, as in PyTorch, `new DataLoader(ds, 64, true)`. */
  constructor(readonly dataset: Dataset<any>, ...args: PositionalArgs<[batchSize: number, shuffle: boolean], DataLoaderOptions<B>>) {
    const op = 'DataLoader';
    const opts = parseArgs<DataLoaderOptions<B>>(LOADER_ARGS, args);
    if (!dataset || typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      throw new Error(`${op}: expected a Dataset (with get(i) and length), got ${dataset}`);
    }
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new Error(`${op}: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    checkSeed(op, opts.seed);
    this.seed = opts.seed;
    if (opts.collate !== undefined && typeof opts.collate !== 'function') throw new Error(`${op}: collate must be a function`);
    this.collate = opts.collate;
  }

  /** The number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    const epoch = this.epoch++;
    const batches = this.length;
    if (batches === 0) return;
    // The epoch's order lives in wasm memory: a batch is a view of it, gathered in one kernel call per tensor.
    const order = Tensor._empty([n], 'int32');
    try {
      identityOrder(order);
      if (this.shuffle) shuffleInPlace(order, this.seed, epoch);
      const fast = this.collate === undefined && typeof this.dataset.getBatch === 'function';
      const orderJs = fast ? null : order.data();
      for (let b = 0; b < batches; b++) {
        const start = b * this.batchSize;
        const size = Math.min(this.batchSize, n - start);
        if (fast) {
          // A library gather runs as one frame (the index view and temporaries go at its end); a
          // user-written getBatch is user code.
          const gather = () => this.dataset.getBatch!(order.narrow(0, start, size)) as B;
          yield (this.dataset.getBatch as any)[LIBRARY] ? frame(gather) : userCode(gather);
        } else {
          // Samples come from user code (a Dataset's get, perhaps a collate): theirs, never internal.
          const samples = new Array(size);
          for (let j = 0; j < size; j++) samples[j] = this.dataset.get(orderJs![start + j]);
          yield this.collate ? userCode(() => this.collate!(samples)) : frame(() => defaultCollate(samples));
        }
      }
    } finally {
      order.dispose();
    }
  }
}
