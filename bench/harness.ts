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

/** Calls fn (which reports its own throughput) once to warm up, then `runs` times. */
export async function throughputRuns(fn: () => number | Promise<number>, runs: number): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
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

export interface BenchContext {
  compareTfjs: boolean;
  threads: number;
  simd: 'relaxed' | 'plain';
  quick: boolean;
  progress: Progress;
}

export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Row[]>;
}
