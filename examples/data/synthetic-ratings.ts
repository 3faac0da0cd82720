// A seeded synthetic ratings set shaped like MovieLens 100K (no dataset can be downloaded here).
//
// The model behind it:
//  - users u and items i have latent factors p_u, q_i ~ N(0, I/d) (d = 8) and biases b_u ~ N(0, 0.3²),
//    b_i ~ N(0, 0.45²) plus a popularity term (popular films are rated a little higher, as in MovieLens);
//  - popularity is Zipf-like: item i (in a random order) is picked with weight (rank + 10)^-1.1;
//  - user activity is log-normal (median 65 ratings, at least 20, at most 60% of the items), scaled
//    so the set holds about `ratings` ratings (about 94% missing at the default size);
//  - which items a user rates: weighted sampling without replacement (Efraimidis-Spirakis keys) with
//    weight popularity · exp(0.5·p_u·q_i) (people watch what they expect to like);
//  - the rating is an ordinal link: y = b_u + b_i + 1.6·p_u·q_i + logistic noise (scale 0.45), cut at
//    thresholds -1.6, -0.75, 0.2, 1.25 into 1..5 (5/14/31/33/17% at the default size; MovieLens
//    100K has 6/11/27/34/21%).
// Everything comes from one mulberry32 stream, so a seed gives the same set on every machine.
//
// `npx tsx scripts/make-synthetic-ratings.ts` writes a set in MovieLens `u.data` format (the committed
// small fixture examples/data/synthetic-u.data was made with its defaults).

export interface SyntheticRatingsOptions { users?: number; items?: number; ratings?: number; seed?: number; factors?: number }
export interface SyntheticRatings { user: Int32Array; item: Int32Array; rating: Float32Array; nUsers: number; nItems: number }

// The library's src/data/seeded-random.ts, copied: the benchmark CLI bundles this file and may only
// use wasmgrad's public entry, which has no seeded JS generator.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The MovieLens-100K-shaped set: 1,000 users x 1,700 items, about 100,000 ratings by default. */
export function syntheticRatings(opts: SyntheticRatingsOptions = {}): SyntheticRatings {
  const U = opts.users ?? 1000, I = opts.items ?? 1700, target = opts.ratings ?? 100_000, d = opts.factors ?? 8;
  const rand = mulberry32(opts.seed ?? 0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const P = Float64Array.from({ length: U * d }, () => gauss() / Math.sqrt(d));
  const Q = Float64Array.from({ length: I * d }, () => gauss() / Math.sqrt(d));
  const bu = Float64Array.from({ length: U }, () => 0.3 * gauss());
  // Popularity ranks in a random order of the items.
  const rank = Int32Array.from({ length: I }, (_, i) => i);
  for (let i = I - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [rank[i], rank[j]] = [rank[j], rank[i]]; }
  const pop = Float64Array.from(rank, (r) => Math.pow(r + 10, -1.1));
  const maxPop = Math.max(...pop);
  const bi = Float64Array.from({ length: I }, (_, i) => 0.45 * gauss() + 0.3 * Math.log(pop[i] / maxPop) / 5 + 0.3);
  // Activity: log-normal, then scaled to the target count.
  const raw = Float64Array.from({ length: U }, () => Math.exp(Math.log(65) + 0.9 * gauss()));
  const scale = target / raw.reduce((a, b) => a + b, 0);
  const counts = Int32Array.from(raw, (r) => Math.max(20, Math.min(Math.floor(0.6 * I), Math.round(r * scale))));
  const users: number[] = [], items: number[] = [], ratings: number[] = [];
  const dot = (u: number, i: number) => { let s = 0; for (let f = 0; f < d; f++) s += P[u * d + f] * Q[i * d + f]; return s; };
  const cuts = [-1.6, -0.75, 0.2, 1.25];
  const keys = new Float64Array(I);
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < I; i++) keys[i] = Math.log(1 - rand()) / (pop[i] * Math.exp(0.5 * dot(u, i)));
    // The largest keys win (keys are negative; weight ↑ means key ↑ toward 0).
    const cut = Float64Array.from(keys).sort()[I - counts[u]];
    for (let i = 0; i < I; i++) {
      if (keys[i] < cut) continue;
      const x = rand();
      const y = bu[u] + bi[i] + 1.6 * dot(u, i) + 0.45 * Math.log(x / (1 - x));
      let r = 1;
      while (r <= 4 && y > cuts[r - 1]) r++;
      users.push(u); items.push(i); ratings.push(r);
    }
  }
  return { user: Int32Array.from(users), item: Int32Array.from(items), rating: Float32Array.from(ratings), nUsers: U, nItems: I };
}

/** MovieLens u.data text (1-based ids; timestamps count up from 874724710, as in the real file). */
export function toUData(s: SyntheticRatings): string {
  const lines: string[] = [];
  for (let j = 0; j < s.user.length; j++) lines.push(`${s.user[j] + 1}\t${s.item[j] + 1}\t${s.rating[j]}\t${874724710 + j}`);
  return lines.join('\n') + '\n';
}
