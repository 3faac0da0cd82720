// `wasmgrad-bench vs-torch`: wasmgrad against native PyTorch, the two taking turns block by block.
// On a shared machine the speed drifts by a factor of two over seconds; two runs one after the other
// sample different phases, but a round of one wasmgrad block and the same block in PyTorch samples
// one phase, so the per-round ratio holds up, and its median and quartiles over the rounds show it.
// PyTorch runs in one persistent python (pytorch_peer.py serve) per thread count; wasmgrad's thread
// count is fixed when it loads, so for several counts each runs in a child process of this CLI.
//   npx wasmgrad-bench vs-torch [mlp cnn lstm] [--threads 1,2] [--rounds 15] [--json] [--quick]
import os from 'node:os';
import { spawn } from 'node:child_process';
import * as wg from '../src/index.js';
import { Progress, quantile, warmUp, type PairedCase, type Workload } from './harness.js';
import { TorchSession } from './peers/torch-session.js';
import { pythonPath, torchAvailable } from './peers/torch.js';

export type WorkloadLoader = (name: string) => Promise<Workload>;

export interface VsTorchOptions {
  workloads: string[];
  threads: number[];
  rounds: number;
  quick: boolean;
  json: boolean;
  simd: 'auto' | 'plain' | 'relaxed';
}

interface Spread { median: number; q1: number; q3: number; samples: number[] }

/** One case on one thread count: each side's figure per round, and wasmgrad's speed over PyTorch's per round. */
export interface PairedResult {
  workload: string;
  case: string;
  threads: number;
  metric: string;
  higherIsBetter: boolean;
  wasmgrad: Spread;
  torch: Spread;
  /** wasmgrad's speed / PyTorch's in each round (for times, PyTorch's time / wasmgrad's): above 1, wasmgrad is faster. */
  ratio: Spread;
}

interface Report { machine: string; build: string; torch: string; rounds: number; results: PairedResult[]; notes: string[] }

// A block of PyTorch on two threads leaves an OpenBLAS thread spinning after it: 64 ms of CPU in
// the half second after a 512x512 matmul here. The pause lets either side's idle threads go to sleep
// before the other side's block starts, so neither pays for the other's spinning.
const SETTLE_MS = 100;
// Training loops speed up over their first second or so (JIT tiers, allocator, heap growth).
const WARM_SECONDS = 1.5, QUICK_WARM_SECONDS = 0.2;

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const spread = (samples: number[]): Spread =>
  ({ median: quantile(samples, 0.5), q1: quantile(samples, 0.25), q3: quantile(samples, 0.75), samples });

export function parseVsTorchArgs(argv: string[], paired: string[]): VsTorchOptions {
  const opts: VsTorchOptions = { workloads: [], threads: [], rounds: 0, quick: false, json: false, simd: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads') {
      const v = argv[++i] ?? '';
      opts.threads = v.split(',').map((s) => Number(s.trim()));
      if (!v || opts.threads.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`vs-torch --threads: expected a comma-separated list of positive integers such as 1,2, got '${v}'`);
    } else if (a === '--rounds') {
      opts.rounds = Number(argv[++i]);
      if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`vs-torch --rounds: expected a positive integer, got '${argv[i]}'`);
    } else if (a === '--simd') {
      const v = argv[++i];
      if (v !== 'plain' && v !== 'relaxed') throw new Error(`vs-torch --simd: expected plain or relaxed, got '${v}'`);
      opts.simd = v;
    } else if (a === '--quick') opts.quick = true;
    else if (a === '--json') opts.json = true;
    else if (paired.includes(a)) opts.workloads.push(a);
    else throw new Error(`vs-torch: unknown argument '${a}' (workloads: ${paired.join(', ')}; options: --threads 1,2 --rounds N --simd plain|relaxed --json --quick)`);
  }
  if (!opts.workloads.length) opts.workloads = paired;
  opts.workloads = [...new Set(opts.workloads)];
  if (!opts.threads.length) opts.threads = [...new Set([1, os.availableParallelism?.() ?? os.cpus().length])];
  opts.threads = [...new Set(opts.threads)];
  if (!opts.rounds) opts.rounds = opts.quick ? 2 : 15;
  return opts;
}

/** Every case of the workloads on one thread count, in this process: wasmgrad loads with that count. */
async function measureHere(opts: VsTorchOptions, threads: number, load: WorkloadLoader): Promise<Report> {
  const missing = await torchAvailable();
  if (missing) throw new Error(`vs-torch needs PyTorch: ${missing}`);
  await wg.init({ simd: opts.simd === 'auto' ? undefined : opts.simd, threads });
  const info = wg.backendInfo();
  const notes: string[] = [];
  const note = (text: string) => { if (!notes.includes(text)) notes.push(text); };
  if (info.threads !== threads) note(`wasmgrad ran on ${info.threads} thread(s) where ${threads} were asked for (this platform's limit)`);
  const progress = new Progress(process.stderr.isTTY === true);
  const session = await TorchSession.start(threads);
  const results: PairedResult[] = [];
  try {
    const pairings = [];
    for (const name of opts.workloads) {
      const workload = await load(name);
      const pairing = workload.pairWithTorch!({ quick: opts.quick, note });
      const built = await session.setup(pairing.torch.workload, pairing.torch.params);
      for (const c of pairing.cases) {
        if (!built.includes(c.case)) throw new Error(`vs-torch ${name}: pytorch_peer.py built no '${c.case}' block (it built: ${built.join(', ')})`);
      }
      pairings.push({ name, cases: pairing.cases });
    }
    const total = pairings.reduce((n, p) => n + p.cases.length, 0);
    let done = 0;
    for (const { name, cases } of pairings) {
      for (const c of cases) {
        progress.update(`vs-torch x${threads} ${name} ${c.case}: warm-up`, done / total);
        results.push(await alternate(name, c, session, opts, (k) =>
          progress.update(`vs-torch x${threads} ${name} ${c.case}: round ${k + 1}/${opts.rounds}`, (done + k / opts.rounds) / total)));
        done++;
      }
    }
  } finally {
    session.close();
    progress.done();
  }
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), ${info.runtime}, ${os.platform()} ${os.arch()}`;
  return { machine, build: info.simd, torch: `PyTorch ${session.version} on CPU (${pythonPath()})`, rounds: opts.rounds, results, notes };
}

/** Warm-up on both sides, then `rounds` rounds of one block each; who goes first alternates by round. */
async function alternate(workload: string, c: PairedCase, session: TorchSession, opts: VsTorchOptions, onRound: (k: number) => void): Promise<PairedResult> {
  const warmSeconds = opts.quick ? QUICK_WARM_SECONDS : WARM_SECONDS;
  await warmUp(c.wasmgrad, warmSeconds);
  await session.warm(c.case, warmSeconds);
  const ours: number[] = [], theirs: number[] = [];
  for (let k = 0; k < opts.rounds; k++) {
    onRound(k);
    for (const side of k % 2 ? ['torch', 'wasmgrad'] : ['wasmgrad', 'torch']) {
      await settle();
      if (side === 'wasmgrad') ours.push(c.wasmgrad());
      else theirs.push(await session.block(c.case));
    }
  }
  const ratios = ours.map((v, k) => (c.higherIsBetter ? v / theirs[k] : theirs[k] / v));
  return { workload, case: c.case, threads: session.threads, metric: c.metric, higherIsBetter: c.higherIsBetter,
    wasmgrad: spread(ours), torch: spread(theirs), ratio: spread(ratios) };
}

/** This CLI again, in a child process, on one thread count; its --json report. */
function measureInChild(opts: VsTorchOptions, threads: number): Promise<Report> {
  const args = [...process.execArgv, process.argv[1], 'vs-torch', ...opts.workloads, '--threads', String(threads), '--rounds', String(opts.rounds), '--json'];
  if (opts.quick) args.push('--quick');
  if (opts.simd !== 'auto') args.push('--simd', opts.simd);
  return new Promise((resolve, reject) => {
    // stderr passes through: the child's progress bar, and its error message if it fails.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`vs-torch: the run on ${threads} thread(s) failed (exit code ${code}; its message is above)`));
      else resolve(JSON.parse(out) as Report);
    });
  });
}

const fmt = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A markdown table, a row per workload, case and thread count, for the README's performance section. */
export function renderVsTorch(results: PairedResult[], torchLabel: string): string {
  const head = ['workload', 'case', 'threads', 'wasmgrad', torchLabel, 'unit', `wasmgrad/${torchLabel.split(' ')[0]}`, 'quartiles'];
  const body = results.map((r) => [r.workload, r.case, String(r.threads), fmt(r.wasmgrad.median), fmt(r.torch.median), r.metric,
    `${r.ratio.median.toFixed(2)}x`, `${r.ratio.q1.toFixed(2)}-${r.ratio.q3.toFixed(2)}x`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

export async function vsTorchMain(argv: string[], paired: string[], load: WorkloadLoader): Promise<void> {
  const opts = parseVsTorchArgs(argv, paired);
  const reports: Report[] = [];
  if (opts.threads.length === 1) reports.push(await measureHere(opts, opts.threads[0], load));
  else for (const t of opts.threads) reports.push(await measureInChild(opts, t));   // one at a time: they share the cores
  // Rows grouped by case (workload order, then the case's order), thread counts side by side.
  const caseOrder = new Map<string, number>();
  for (const r of reports.flatMap((x) => x.results)) if (!caseOrder.has(`${r.workload}\u0000${r.case}`)) caseOrder.set(`${r.workload}\u0000${r.case}`, caseOrder.size);
  const results = reports.flatMap((x) => x.results)
    .sort((a, b) => caseOrder.get(`${a.workload}\u0000${a.case}`)! - caseOrder.get(`${b.workload}\u0000${b.case}`)! || a.threads - b.threads);
  const notes = [...new Set(reports.flatMap((x) => x.notes))];
  const { machine, build, torch } = reports[0];
  if (opts.json) {
    console.log(JSON.stringify({ machine, build, torch, rounds: opts.rounds, results, notes } satisfies Report, null, 2));
    return;
  }
  const version = torch.match(/^PyTorch (\d+\.\d+)/)?.[1] ?? '';
  console.log(`wasmgrad-bench vs-torch — ${machine}\nwasmgrad build: ${build} SIMD; ${torch}\n` +
    `${opts.rounds} rounds per case and thread count: a block of wasmgrad, then the same block in PyTorch (who goes first alternates), wall time\n`);
  console.log(renderVsTorch(results, `PyTorch ${version}`));
  console.log(`\nwasmgrad, PyTorch ${version}: each side's median block. wasmgrad/PyTorch: the median over rounds of wasmgrad's speed over ` +
    `PyTorch's in the same round (for ms/step, PyTorch's time over wasmgrad's), above 1x wasmgrad is faster; quartiles: of those per-round ratios.`);
  for (const n of notes) console.log(`note: ${n}`);
}
