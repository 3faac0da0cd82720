// Embedding: a lookup table of numEmbeddings vectors of size embeddingDim (torch.nn.Embedding).
import { Tensor } from '../tensor.js';
import { empty } from '../ops/creation.js';
import { embedding, embeddingSpec, normPaddingIdx, type EmbeddingOptions } from '../ops/embedding.js';
import { parseArgs, type ArgSpec, type PositionalArgs } from '../options.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module, pyBool, pyFloat, libraryForwards } from './module.js';
import { Parameter } from './parameter.js';
import { normal_ } from './init.js';

export type EmbeddingModuleOptions = EmbeddingOptions;
/** nn.Embedding's arguments after the sizes, in PyTorch's order, then optionally the options object. */
export type EmbeddingArgs = PositionalArgs<[paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean], EmbeddingModuleOptions>;

export interface FromPretrainedOptions extends EmbeddingOptions {
  /** Keep the table fixed (weight.requiresGrad = false); default true, as in PyTorch. */
  freeze?: boolean;
}
/** Embedding.fromPretrained's arguments after the table, in PyTorch's order, then optionally the options object. */
export type FromPretrainedArgs = PositionalArgs<[freeze: boolean, paddingIdx: number | null, maxNorm: number | null, normType: number,
  scaleGradByFreq: boolean, sparse: boolean], FromPretrainedOptions>;

const EMBEDDING_ARGS = embeddingSpec('Embedding', ['numEmbeddings', 'embeddingDim']);
const base = embeddingSpec('Embedding.fromPretrained', ['embeddings']);
const FROM_PRETRAINED_ARGS: ArgSpec = { ...base, positional: ['freeze', ...base.positional!], types: { ...base.types, freeze: 'boolean' } };

function checkSize(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`Embedding: ${what} must be a non-negative integer, got ${n}`);
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row (normalised to [0, numEmbeddings)), or null. */
  readonly paddingIdx: number | null;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight!: Tensor;

  /**
   * weight [numEmbeddings, embeddingDim], initialised N(0, 1) like PyTorch, with the paddingIdx row
   * (if any) zero. forward(indices) takes int32 indices of any shape and returns [..., embeddingDim].
   * `new Embedding(1000, 64, { paddingIdx: 0 })` or, as in PyTorch, `new Embedding(1000, 64, 0)`.
   */
  constructor(numEmbeddings: number, embeddingDim: number, ...args: EmbeddingArgs) {
    super();
    const opts = parseArgs<EmbeddingModuleOptions>(EMBEDDING_ARGS, args);
    checkSize(numEmbeddings, 'numEmbeddings');
    checkSize(embeddingDim, 'embeddingDim');
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const pad = normPaddingIdx(opts.paddingIdx, numEmbeddings, 'Embedding');
    this.paddingIdx = pad < 0 ? null : pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    this.sparse = false;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  /** An Embedding whose weight is a copy of `embeddings` [numEmbeddings, embeddingDim] (torch from_pretrained). */
  static fromPretrained(embeddings: Tensor, ...args: FromPretrainedArgs): Embedding {
    const opts = parseArgs<FromPretrainedOptions>(FROM_PRETRAINED_ARGS, args);
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2) {
      throw new Error(`Embedding.fromPretrained: embeddings must be a 2-D tensor [numEmbeddings, embeddingDim], got ${embeddings instanceof Tensor ? `shape [${embeddings.shape}]` : typeof embeddings}`);
    }
    const { freeze = true, ...rest } = opts;
    const m = new Embedding(embeddings.shape[0], embeddings.shape[1], rest as EmbeddingModuleOptions);
    noGrad(() => m.weight.copy_(embeddings));
    m.weight.requiresGrad = !freeze;
    return m;
  }

  resetParameters(): void {
    noGrad(() => {
      normal_(this.weight);
      if (this.paddingIdx !== null) this.weight.select(0, this.paddingIdx).fill_(0);
    });
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType, scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(this.scaleGradByFreq)}`;
    return s;
  }
}

// Layer forwards run as library frames (src/lifetime.ts): their intermediates are freed, not left to the generations.
libraryForwards(Embedding);
