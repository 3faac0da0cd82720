// PyTorch as a peer (`--compare torch`): the workloads run in a python3 that can import torch
// (Debian's python3-torch here; WASMGRAD_BENCH_PYTHON picks another interpreter), through
// pytorch_peer.py beside this file, which the CLI bundle ships next to itself. One process per
// workload and thread count: OPENBLAS_NUM_THREADS (read once when OpenBLAS loads) and OMP_NUM_THREADS
// are set in its environment and the script calls torch.set_num_threads with the same count.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { peerLines } from './resolve.js';

// Written as `new URL('./…', import.meta.url)` so the CLI bundle can point it at its shipped copy.
export const SCRIPT = fileURLToPath(new URL('./pytorch_peer.py', import.meta.url));

export function pythonPath(): string {
  return process.env.WASMGRAD_BENCH_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** The environment of a python running PyTorch on `threads` threads (OpenBLAS reads its count once, at load). */
export function threadEnv(threads: number): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
}

function run(args: string[], threads: number, timeoutMs: number): Promise<string> {
  const env = threadEnv(threads);
  return new Promise((resolve, reject) => {
    execFile(pythonPath(), args, { env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${stderr.trim().split('\n').slice(-3).join(' / ') || err.message}`));
      else resolve(stdout);
    });
  });
}

let probe: Promise<string | null> | null = null;
let version = '';

/** null when torch imports in the python found, else what to do about it. */
export function torchAvailable(): Promise<string | null> {
  probe ??= run(['-c', 'import torch; print(torch.__version__)'], 1, 60_000).then(
    (out) => { version = out.trim(); return null; },
    (e) => `PyTorch is not importable by ${pythonPath()} (${(e as Error).message.split('\n')[0].slice(0, 160)}): ` +
      'install it (apt install python3-torch, or pip install torch) or set WASMGRAD_BENCH_PYTHON to a python that has it',
  );
  return probe;
}

/** The implementation label for rows measured with `threads` threads, e.g. 'PyTorch 1.13 x2'. */
export function torchLabel(threads: number): string {
  return `PyTorch ${version.split('.').slice(0, 2).join('.')} x${threads}`;
}

export interface TorchResult { version: string; threads: number; cases: Record<string, number[]> }

/**
 * Runs `workload` in PyTorch with `params` (shapes, timing options; see pytorch_peer.py) on
 * `threads` threads. Per case it returns seconds per call, or samples/s for the training loops.
 */
export async function runTorch(workload: string, params: Record<string, unknown>, threads: number): Promise<TorchResult> {
  const out = await run([SCRIPT, workload, JSON.stringify({ ...params, threads })], threads, 30 * 60_000);
  const result = JSON.parse(out.trim().split('\n').pop()!) as TorchResult;
  peerLines.set('torch', `PyTorch ${result.version} on CPU (${pythonPath()})`);
  return result;
}
