// Timing primitives for the benchmark CLI: warm-up, repeated runs, median with min/max,
// and a progress bar on stderr (so --json output on stdout stays clean).

export interface Stats { median: number; min: number; max: number; runs: number }

export interface Row {
  workload: string;
  case: string;
  impl: string;          // e.g. 'wasmgrad relaxed', 'tfjs-wasm', 'js loop'
  metric: string;        // e.g. 'GFLOP/s', 'samples/s', 'ms/step'
  higherIsBetter: boolean;
  stats: Stats;
  note?: string;
}

export function summarize(samples: number[]): Stats {
  const s = samples.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** Times fn (seconds per call) after warm-up; runs until both minRuns and minSeconds are met. */
export async function timeIt(fn: () => unknown | Promise<unknown>, opts: { warmup?: number; warmupSeconds?: number; minRuns?: number; maxRuns?: number; minSeconds?: number } = {}): Promise<number[]> {
  const { warmup = 2, warmupSeconds = 0.15, minRuns = 5, maxRuns = 50, minSeconds = 0.5 } = opts;
  // Warm up by count and by time: V8 compiles wasm with a baseline tier first and only later swaps
  // in optimized code, which tiny problems would otherwise be timed before.
  const w0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - w0 < warmupSeconds * 1000; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - start < minSeconds * 1000)) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  return samples;
}

// Training loops keep speeding up for about a second (JIT tiers, allocator and heap growth): an
// MNIST MLP went from ~60k to ~105k samples/s over its first 1,500 steps here.
const WARM_SECONDS = 1.5;

/** Calls fn until WARM_SECONDS have passed (at least once), untimed. */
async function warmUp(fn: () => number | Promise<number>): Promise<void> {
  const t0 = performance.now();
  do await fn(); while (performance.now() - t0 < WARM_SECONDS * 1000);
}

/** Calls fn (which reports its own throughput) to warm up, then `runs` times. */
export async function throughputRuns(fn: () => number | Promise<number>, runs: number): Promise<number[]> {
  await warmUp(fn);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return out;
}

/**
 * Like throughputRuns for several implementations at once, called in turn (A B C A B C ...): a
 * shared machine drifts between slow and fast phases over seconds, and taking turns lets every
 * implementation sample the same phases, so the ratios of the medians hold up.
 */
export async function interleavedRuns(fns: (() => number | Promise<number>)[], runs: number): Promise<number[][]> {
  for (const fn of fns) await warmUp(fn);
  const out: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) for (let j = 0; j < fns.length; j++) out[j].push(await fns[j]());
  return out;
}

/** Converts per-call seconds into a throughput: work units per second. */
export function throughput(secondsPerCall: number[], unitsPerCall: number): Stats {
  return summarize(secondsPerCall.map((s) => unitsPerCall / s));
}

export class Progress {
  private label = '';
  constructor(private readonly enabled: boolean) {}
  update(label: string, fraction: number): void {
    if (!this.enabled) return;
    this.label = label;
    const width = 24, filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label}`.padEnd(100).slice(0, 100));
  }
  done(): void { if (this.enabled && this.label) process.stderr.write('\r' + ' '.repeat(100) + '\r'); }
}

/** Libraries the CLI can measure beside wasmgrad (`--compare tfjs,jaxjs,torch`). */
export const PEERS = ['tfjs', 'jaxjs', 'torch'] as const;
export type Peer = (typeof PEERS)[number];

export interface BenchContext {
  /** The peers asked for with --compare. */
  peers: ReadonlySet<Peer>;
  threads: number;
  simd: 'relaxed' | 'plain';
  quick: boolean;
  progress: Progress;
  /** Adds a line to the notes printed under the report (once per distinct text). */
  note(text: string): void;
}

/** A row that could not be measured (a peer not installed, or unable to run the case): the note says why. */
export function notRun(workload: string, c: string, impl: string, note: string, higherIsBetter = true): Row {
  return { workload, case: c, impl, metric: '', higherIsBetter, stats: { median: 0, min: 0, max: 0, runs: 0 }, note };
}

export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Row[]>;
}
