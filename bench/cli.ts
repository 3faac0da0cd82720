#!/usr/bin/env node
// wasmgrad-bench: measures wasmgrad's kernels and training loops side by side with peers in the
// same run (ratios, not absolute numbers, are what survive a noisy shared machine).
//   npm run bench -- gemm mlp --compare tfjs --json --svg chart.svg --threads 1 --simd relaxed
// Threads default to the library's default (all cores where the platform allows).
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { Progress, type BenchContext, type Row, type Workload } from './harness.js';
import { renderTable, renderRatios, renderSvg } from './report.js';

const WORKLOADS = ['gemm', 'conv', 'mlp', 'cnn', 'lstm', 'rbm'] as const;

function usage(): never {
  console.log(`usage: wasmgrad-bench [${WORKLOADS.join('|')}|all ...] [--compare tfjs] [--threads N] [--simd plain|relaxed] [--json] [--svg FILE] [--quick]`);
  process.exit(0);
}

function parseArgs(argv: string[]) {
  const opts = { workloads: [] as string[], compare: false, threads: undefined as number | undefined, simd: 'auto' as 'auto' | 'plain' | 'relaxed', json: false, svg: '', quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') usage();
    else if (a === '--compare') { const v = argv[++i]; if (v !== 'tfjs') throw new Error(`--compare: only 'tfjs' is supported, got '${v}'`); opts.compare = true; }
    else if (a === '--threads') opts.threads = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--simd') { const v = argv[++i]; if (v !== 'plain' && v !== 'relaxed') throw new Error(`--simd: expected plain or relaxed, got '${v}'`); opts.simd = v; }
    else if (a === '--json') opts.json = true;
    else if (a === '--svg') opts.svg = argv[++i];
    else if (a === '--quick') opts.quick = true;
    else if (a === 'all') opts.workloads.push(...WORKLOADS);
    else if ((WORKLOADS as readonly string[]).includes(a)) opts.workloads.push(a);
    else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (!opts.workloads.length) opts.workloads = ['gemm'];
  return opts;
}

async function loadWorkload(name: string): Promise<Workload | string> {
  try {
    const mod = await import(`./workloads/${name}.ts`);
    return mod.default ?? mod.workload ?? Object.values(mod).find((v: any) => v && v.name === name && typeof v.run === 'function');
  } catch (e) {
    return `workload '${name}' unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await wg.init({ simd: opts.simd === 'auto' ? undefined : opts.simd, threads: opts.threads });
  const info = wg.backendInfo();
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), ${info.runtime}, ${os.platform()} ${os.arch()}`;
  const header = `wasmgrad-bench — ${machine}\nwasmgrad build: ${info.simd} SIMD, ${info.threads} thread(s)` +
    // tfjs-backend-wasm 4.22 turns its multithreaded build off under Node (flags_wasm.ts), whatever setThreadsCount says.
    (opts.compare ? '; peers: tfjs 4.22 (its wasm backend runs one thread under Node)' : '');
  const progress = new Progress(!opts.json && process.stderr.isTTY === true);
  const ctx: BenchContext = { compareTfjs: opts.compare, threads: info.threads, simd: info.simd, quick: opts.quick, progress };
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const name of [...new Set(opts.workloads)]) {
    const w = await loadWorkload(name);
    if (typeof w === 'string' || !w) { notes.push(String(w ?? `workload '${name}' not found`)); continue; }
    progress.update(`${name}: starting`, 0);
    rows.push(...await w.run(ctx));
    progress.done();
  }
  if (opts.json) {
    console.log(JSON.stringify({ machine, build: info.simd, threads: info.threads, rows, notes }, null, 2));
  } else {
    console.log(header + '\n');
    console.log(renderTable(rows));
    const ratios = renderRatios(rows);
    if (ratios) console.log('\n' + ratios);
    for (const n of notes) console.log(`note: ${n}`);
  }
  if (opts.svg) { writeFileSync(opts.svg, renderSvg(rows, header)); if (!opts.json) console.log(`\nwrote ${opts.svg}`); }
}

main().catch((e) => { console.error(`wasmgrad-bench: ${(e as Error).message}`); process.exit(1); });
