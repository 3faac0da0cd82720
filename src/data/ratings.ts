// Explicit ratings (user, item, rating) for collaborative filtering: MovieLens parsing, a seeded
// per-user train/test split, and the per-user (CSR) view the softmax RBM trains from.
// Users and items are renumbered 0..n-1 in ascending order of their ids in the file; `userIds` and
// `itemIds` map the numbers back.
import { mulberry32 } from './seeded-random.js';
import { checkOptions, type ArgSpec } from '../options.js';

export interface LoadRatingsOptions {
  /** 'movielens': `u.data` (tab-separated), `ratings.dat` (`::`) or `ratings.csv` (comma, header line). */
  format?: 'movielens';
}

/** Per-user rows: the ratings of user u are items[rowPtr[u] .. rowPtr[u + 1]) (ascending item) and values. */
export interface UserRows { rowPtr: Int32Array; items: Int32Array; values: Float32Array }

export class Ratings {
  /** Dense user number (0..nUsers-1), item number and rating of each entry. */
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float32Array;
  readonly nUsers: number;
  readonly nItems: number;
  /** The id in the source of each user / item number. */
  readonly userIds: Int32Array;
  readonly itemIds: Int32Array;
  private rows: UserRows | null = null;

  constructor(user: Int32Array, item: Int32Array, rating: Float32Array, nUsers: number, nItems: number,
    ids: { userIds?: Int32Array; itemIds?: Int32Array } = {}) {
    if (item.length !== user.length || rating.length !== user.length) {
      throw new Error(`Ratings: user, item and rating arrays must have one length, got ${user.length}, ${item.length}, ${rating.length}`);
    }
    for (let i = 0; i < user.length; i++) {
      if (!(user[i] >= 0 && user[i] < nUsers)) throw new Error(`Ratings: entry ${i} has user ${user[i]}, expected 0..${nUsers - 1}`);
      if (!(item[i] >= 0 && item[i] < nItems)) throw new Error(`Ratings: entry ${i} has item ${item[i]}, expected 0..${nItems - 1}`);
      if (!Number.isFinite(rating[i])) throw new Error(`Ratings: entry ${i} has rating ${rating[i]}`);
    }
    this.user = user; this.item = item; this.rating = rating;
    this.nUsers = nUsers; this.nItems = nItems;
    this.userIds = ids.userIds ?? Int32Array.from({ length: nUsers }, (_, i) => i);
    this.itemIds = ids.itemIds ?? Int32Array.from({ length: nItems }, (_, i) => i);
  }

  get length(): number { return this.user.length; }

  /** The entries at the given positions, with the same users, items and ids. */
  subset(indices: ArrayLike<number>): Ratings {
    const n = indices.length;
    const u = new Int32Array(n), it = new Int32Array(n), r = new Float32Array(n);
    for (let i = 0; i < n; i++) { const j = indices[i]; u[i] = this.user[j]; it[i] = this.item[j]; r[i] = this.rating[j]; }
    return new Ratings(u, it, r, this.nUsers, this.nItems, { userIds: this.userIds, itemIds: this.itemIds });
  }

  /** Mean of all ratings. */
  mean(): number {
    let s = 0;
    for (let i = 0; i < this.length; i++) s += this.rating[i];
    return this.length ? s / this.length : NaN;
  }

  /** The ratings grouped by user (computed once). */
  byUser(): UserRows {
    if (this.rows) return this.rows;
    const rowPtr = new Int32Array(this.nUsers + 1);
    for (let i = 0; i < this.length; i++) rowPtr[this.user[i] + 1]++;
    for (let u = 0; u < this.nUsers; u++) rowPtr[u + 1] += rowPtr[u];
    const order = Array.from({ length: this.length }, (_, i) => i)
      .sort((a, b) => this.user[a] - this.user[b] || this.item[a] - this.item[b]);
    const items = new Int32Array(this.length), values = new Float32Array(this.length);
    order.forEach((j, i) => { items[i] = this.item[j]; values[i] = this.rating[j]; });
    this.rows = { rowPtr, items, values };
    return this.rows;
  }
}

const LOAD_ARGS: ArgSpec = { op: 'loadRatings', keywords: ['format'], types: { format: 'string' } };

/**
 * Parses a MovieLens ratings file: `user item rating timestamp` per line, separated by tabs
 * (100K `u.data`), `::` (1M/10M `ratings.dat`) or commas (`ratings.csv`, whose header line is
 * skipped). Blank lines are skipped; any other line that does not hold integer ids and a finite
 * rating throws, naming the line.
 */
export function loadRatings(text: string, opts: LoadRatingsOptions = {}): Ratings {
  checkOptions(LOAD_ARGS, opts);
  const format = opts.format ?? 'movielens';
  if (format !== 'movielens') throw new Error(`loadRatings: unknown format ${JSON.stringify(format)} (supported: 'movielens')`);
  if (typeof text !== 'string') throw new Error(`loadRatings: expected the file's text as a string, got ${text === null ? 'null' : typeof text}`);
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const sep = first.includes('::') ? '::' : first.includes('\t') ? '\t' : first.includes(',') ? ',' : null;
  if (sep === null) throw new Error(`loadRatings: line 1 (${JSON.stringify(first.slice(0, 60))}) is not MovieLens ratings: expected fields separated by a tab, '::' or ','`);
  const us: number[] = [], is: number[] = [], rs: number[] = [];
  lines.forEach((line, n) => {
    if (line.trim() === '') return;
    const f = line.split(sep).map((s) => s.trim());
    if (sep === ',' && us.length === 0 && /^[A-Za-z_]/.test(f[0])) return; // ratings.csv header
    const where = `line ${n + 1} (${JSON.stringify(line.slice(0, 60))})`;
    if (f.length < 3 || f.length > 4) throw new Error(`loadRatings: ${where} has ${f.length} fields, expected user${sep === '\t' ? '\\t' : sep}item${sep === '\t' ? '\\t' : sep}rating[${sep === '\t' ? '\\t' : sep}timestamp]`);
    const u = Number(f[0]), i = Number(f[1]), r = Number(f[2]);
    if (!Number.isInteger(u) || f[0] === '') throw new Error(`loadRatings: ${where}: user id ${JSON.stringify(f[0])} is not an integer`);
    if (!Number.isInteger(i) || f[1] === '') throw new Error(`loadRatings: ${where}: item id ${JSON.stringify(f[1])} is not an integer`);
    if (!Number.isFinite(r) || f[2] === '') throw new Error(`loadRatings: ${where}: rating ${JSON.stringify(f[2])} is not a number`);
    us.push(u); is.push(i); rs.push(r);
  });
  if (us.length === 0) throw new Error('loadRatings: the text holds no ratings');
  const renumber = (ids: number[]) => {
    const sorted = Int32Array.from(new Set(ids)).sort();
    const at = new Map<number, number>();
    sorted.forEach((id, k) => at.set(id, k));
    return { ids: sorted, dense: Int32Array.from(ids, (id) => at.get(id)!) };
  };
  const U = renumber(us), I = renumber(is);
  return new Ratings(U.dense, I.dense, Float32Array.from(rs), U.ids.length, I.ids.length, { userIds: U.ids, itemIds: I.ids });
}

export interface SplitRatingsOptions {
  /** Share of each user's ratings held out (default 0.1); every user keeps at least one for training. */
  testFraction?: number;
  /** Seed of the split's own generator (default 0): the same seed gives the same split everywhere. */
  seed?: number;
}

const SPLIT_ARGS: ArgSpec = { op: 'splitRatings', keywords: ['testFraction', 'seed'], types: { testFraction: 'number', seed: 'number' } };

/**
 * A seeded per-user split: of each user's n ratings, round(n · testFraction) chosen at random go to
 * the test part (at most n - 1). Returns [train, test].
 */
export function splitRatings(r: Ratings, opts: SplitRatingsOptions = {}): [Ratings, Ratings] {
  checkOptions(SPLIT_ARGS, opts);
  if (!(r instanceof Ratings)) throw new Error('splitRatings: expected a Ratings object (from data.loadRatings or new data.Ratings)');
  const frac = opts.testFraction ?? 0.1;
  if (!(frac >= 0 && frac < 1)) throw new Error(`splitRatings: testFraction must be in [0, 1), got ${frac}`);
  const rand = mulberry32(opts.seed ?? 0);
  const byUser: number[][] = Array.from({ length: r.nUsers }, () => []);
  for (let i = 0; i < r.length; i++) byUser[r.user[i]].push(i);
  const train: number[] = [], test: number[] = [];
  for (const rows of byUser) {
    for (let i = rows.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [rows[i], rows[j]] = [rows[j], rows[i]]; }
    const nTest = Math.min(Math.round(rows.length * frac), rows.length - 1);
    for (let k = 0; k < rows.length; k++) (k < nTest ? test : train).push(rows[k]);
  }
  const asc = (a: number, b: number) => a - b;
  return [r.subset(train.sort(asc)), r.subset(test.sort(asc))];
}
