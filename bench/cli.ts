#!/usr/bin/env node
// wasmgrad-bench: measures wasmgrad's kernels and training loops side by side with peers in the
// same run (ratios, not absolute numbers, are what survive a noisy shared machine).
//   npx wasmgrad-bench gemm mlp --compare tfjs,jaxjs,torch --json --svg chart.svg --threads 1 --simd relaxed
//   npx wasmgrad-bench vs-torch mlp cnn lstm --threads 1,2 --rounds 15   (alternating with PyTorch: bench/vs-torch.ts)
// Threads default to the library's default (all cores where the platform allows). The installed
// package runs this file bundled (dist/bench/cli.js, built by rollup.config.mjs) over the package's
// own dist/index.js; a clone runs it from source (`npm run bench -- ...`). Peers are optional and
// found at run time (bench/peers/resolve.ts): a missing one gets a row saying what to install.
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { PEERS, Progress, type BenchContext, type Peer, type Row, type Workload } from './harness.js';
import { ratios, renderTable, renderRatios, renderSvg } from './report.js';
import { peerLines } from './peers/resolve.js';
import { vsTorchMain } from './vs-torch.js';

// Static imports for the bundler; each workload module loads only when asked for.
const WORKLOADS: Record<string, () => Promise<{ workload: Workload }>> = {
  gemm: () => import('./workloads/gemm.js'),
  conv: () => import('./workloads/conv.js'),
  mlp: () => import('./workloads/mlp.js'),
  cnn: () => import('./workloads/cnn.js'),
  lstm: () => import('./workloads/lstm.js'),
  rbm: () => import('./workloads/rbm.js'),
};
const NAMES = Object.keys(WORKLOADS);
// The workloads each peer is measured on.
const PEER_WORKLOADS: Record<Peer, string[]> = {
  tfjs: ['gemm', 'conv', 'mlp', 'cnn', 'lstm'],
  jaxjs: ['gemm', 'mlp'],
  torch: NAMES,
};
const PEER_NAMES: Record<Peer, string> = { tfjs: 'tfjs', jaxjs: 'jax-js', torch: 'PyTorch' };
// The workloads with blocks that take turns with PyTorch's (Workload.pairWithTorch).
const PAIRED_WITH_TORCH = ['mlp', 'cnn', 'lstm'];

function usage(): never {
  console.log(`usage: wasmgrad-bench [${NAMES.join('|')}|all ...] [--compare ${PEERS.join(',')}] [--threads N] [--simd plain|relaxed] [--json] [--svg FILE] [--quick]
  --compare  peers to measure beside wasmgrad, comma-separated: tfjs (@tensorflow/tfjs-* installed),
             jaxjs (@jax-js/jax installed), torch (PyTorch in /usr/bin/python3 or $WASMGRAD_BENCH_PYTHON)
  --quick    fewer sizes and runs (a functional check, not a measurement)
usage: wasmgrad-bench vs-torch [${PAIRED_WITH_TORCH.join('|')} ...] [--threads 1,N] [--rounds R] [--simd plain|relaxed] [--json] [--quick]
  wasmgrad and PyTorch take turns, block by block, for R rounds (default 15) per case and thread
  count (default 1 and all cores); prints each side's median and the median and quartiles of the
  per-round speed ratio`);
  process.exit(0);
}

function parseArgs(argv: string[]) {
  const opts = { workloads: [] as string[], peers: new Set<Peer>(), threads: undefined as number | undefined, simd: 'auto' as 'auto' | 'plain' | 'relaxed', json: false, svg: '', quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') usage();
    else if (a === '--compare') {
      const v = argv[++i] ?? '';
      for (const p of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!(PEERS as readonly string[]).includes(p)) throw new Error(`--compare: unknown peer '${p}' (expected a comma-separated list of ${PEERS.join(', ')})`);
        opts.peers.add(p as Peer);
      }
      if (!v) throw new Error(`--compare: expected a comma-separated list of ${PEERS.join(', ')}`);
    } else if (a === '--threads') opts.threads = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--simd') { const v = argv[++i]; if (v !== 'plain' && v !== 'relaxed') throw new Error(`--simd: expected plain or relaxed, got '${v}'`); opts.simd = v; }
    else if (a === '--json') opts.json = true;
    else if (a === '--svg') opts.svg = argv[++i];
    else if (a === '--quick') opts.quick = true;
    else if (a === 'all') opts.workloads.push(...NAMES);
    else if (NAMES.includes(a)) opts.workloads.push(a);
    else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (!opts.workloads.length) opts.workloads = ['gemm'];
  return opts;
}

async function main() {
  if (process.argv[2] === 'vs-torch') {
    if (process.argv.includes('--help') || process.argv.includes('-h')) usage();
    return vsTorchMain(process.argv.slice(3), PAIRED_WITH_TORCH, async (name) => {
      const { workload } = await WORKLOADS[name]();
      if (!workload.pairWithTorch) throw new Error(`vs-torch: the ${name} workload has no blocks to pair with PyTorch`);
      return workload;
    });
  }
  const opts = parseArgs(process.argv.slice(2));
  await wg.init({ simd: opts.simd === 'auto' ? undefined : opts.simd, threads: opts.threads });
  const info = wg.backendInfo();
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), ${info.runtime}, ${os.platform()} ${os.arch()}`;
  const progress = new Progress(!opts.json && process.stderr.isTTY === true);
  const notes: string[] = [];
  const ctx: BenchContext = {
    peers: opts.peers, threads: info.threads, simd: info.simd, quick: opts.quick, progress,
    note: (text) => { if (!notes.includes(text)) notes.push(text); },
  };
  const workloads = [...new Set(opts.workloads)];
  const rows: Row[] = [];
  for (const name of workloads) {
    progress.update(`${name}: starting`, 0);
    rows.push(...await (await WORKLOADS[name]()).workload.run(ctx));
    progress.done();
  }
  for (const p of opts.peers) {
    const skipped = workloads.filter((w) => !PEER_WORKLOADS[p].includes(w));
    if (skipped.length) ctx.note(`${PEER_NAMES[p]} has no ${skipped.join(', ')} workload here (it is compared on ${PEER_WORKLOADS[p].join(', ')})`);
  }
  if (opts.peers.has('torch') && peerLines.has('torch')) {
    ctx.note('PyTorch runs in its own process after wasmgrad (not taking turns), with the same thread count; in gemm its per-shape rows use one thread, like the raw kernels they sit beside; `wasmgrad-bench vs-torch` takes turns with PyTorch block by block for mlp, cnn and lstm');
  }
  const peers = [...opts.peers].map((p) => peerLines.get(p)).filter(Boolean);
  const header = `wasmgrad-bench — ${machine}\nwasmgrad build: ${info.simd} SIMD, ${info.threads} thread(s)` +
    (peers.length ? `; peers: ${peers.join('; ')}` : '');
  if (opts.json) {
    const ratioOf = new Map(ratios(rows).map((r) => [r.row, r.ratio]));
    console.log(JSON.stringify({ machine, build: info.simd, threads: info.threads, peers, rows: rows.map((r) => ({ ...r, ratio: ratioOf.get(r) })), notes }, null, 2));
  } else {
    console.log(header + '\n');
    console.log(renderTable(rows));
    const below = renderRatios(rows);
    if (below) console.log('\n' + below);
    for (const n of notes) console.log(`note: ${n}`);
  }
  if (opts.svg) { writeFileSync(opts.svg, renderSvg(rows, header)); if (!opts.json) console.log(`\nwrote ${opts.svg}`); }
}

main().catch((e) => { console.error(`wasmgrad-bench: ${(e as Error).message}`); process.exit(1); });
