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

/** Calls fn until `seconds` (default WARM_SECONDS) have passed (at least once), untimed. */
export async function warmUp(fn: () => unknown | Promise<unknown>, seconds = WARM_SECONDS): Promise<void> {
  const t0 = performance.now();
  do await fn(); while (performance.now() - t0 < seconds * 1000);
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

/**
 * A block of `calls` timed calls of fn after `warmCalls` untimed ones, returning ms per call: the
 * unit of turn-taking for per-call workloads (the first call after the other side's turn meets cold
 * caches). pytorch_peer.py's ms_per_call is the same.
 */
export function msPerCall(fn: () => unknown, calls: number, warmCalls = 1): () => number {
  return () => {
    for (let i = 0; i < warmCalls; i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    return (performance.now() - t0) / calls;
  };
}

/** The q-quantile (0..1) of samples, interpolating between order statistics (numpy's default). */
export function quantile(samples: number[], q: number): number {
  const s = samples.slice().sort((a, b) => a - b);
  const at = (s.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
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

/** One case of a workload as a block of work that wasmgrad and PyTorch run in turn (`wasmgrad-bench vs-torch`). */
export interface PairedCase {
  /** The case's name, also the name pytorch_peer.py gives the same block on its side. */
  case: string;
  metric: string;
  higherIsBetter: boolean;
  /** One block of wasmgrad's side; it times itself (after its own untimed steps) and returns its figure in `metric`. */
  wasmgrad: () => number;
}

/** A workload's cases for the PyTorch comparison: wasmgrad's blocks, and what pytorch_peer.py's `setup` needs to build PyTorch's. */
export interface TorchPairing {
  cases: PairedCase[];
  /** pytorch_peer.py's workload name and parameters (the same shapes, model, loss, optimizer and block size). */
  torch: { workload: string; params: Record<string, unknown> };
}

export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Row[]>;
  /** Its cases as alternating blocks against PyTorch (vs-torch mode), for the workloads that have them. */
  pairWithTorch?(ctx: Pick<BenchContext, 'quick' | 'note'>): TorchPairing;
}
