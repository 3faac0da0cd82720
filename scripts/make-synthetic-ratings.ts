// Writes a seeded synthetic ratings set (examples/data/synthetic-ratings.ts documents the model) in
// MovieLens `u.data` format: user\titem\trating\ttimestamp, 1-based ids. The defaults made the small
// fixture the tests load:
//   npx tsx scripts/make-synthetic-ratings.ts [--users 120] [--items 300] [--ratings 8000] [--seed 7] [--out examples/data/synthetic-u.data]
// The MovieLens-100K-shaped set of the example and the bench: --users 1000 --items 1700 --ratings 100000 --seed 0.
import { writeFileSync } from 'node:fs';
import { syntheticRatings, toUData } from '../examples/data/synthetic-ratings.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1] : 'examples/data/synthetic-u.data';
const s = syntheticRatings({ users: arg('users', 120), items: arg('items', 300), ratings: arg('ratings', 8000), seed: arg('seed', 7) });
writeFileSync(out, toUData(s));
const hist = [1, 2, 3, 4, 5].map((r) => s.rating.filter((x) => x === r).length);
console.log(`wrote ${out}: ${s.user.length} ratings, ${s.nUsers} users x ${s.nItems} items (${(100 * (1 - s.user.length / (s.nUsers * s.nItems))).toFixed(1)}% missing); ratings 1..5: ${hist.join(' / ')}`);
