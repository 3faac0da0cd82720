// The package as users get it: `npm pack` the built library, install the tarball into a fresh
// project (offline: it has no runtime dependencies), then use it from ESM, from CommonJS and from a
// type-checked TypeScript file. Needs `npm run build` first (npm test does it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './binaries.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
let work = '';
let project = '';
let tarball = '';
let packedFiles: string[] = [];

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
const node = (file: string) => execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 });

// What every consumer does: init, a tiny model step, and a report of the build it got.
const ESM_CONSUMER = `
import * as wg from 'wasmgrad';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
await wg.init();
wg.manualSeed(0);
const model = new wg.nn.Linear(3, 2);
const out = model.forward(wg.tensor([[1, 2, 3]]));
out.sum().backward();
const relaxedUrl = createRequire(import.meta.url).resolve('wasmgrad/wasm/relaxed');
console.log(JSON.stringify({ info: wg.backendInfo(), shape: out.shape, gradShape: model.weight.grad.shape,
  wasmBytes: readFileSync(relaxedUrl).length }));
`;
const CJS_CONSUMER = `
const wg = require('wasmgrad');
wg.init({ simd: 'plain', threads: 1 }).then(() => {
  const x = wg.tensor([[1, -2], [3, -4]]);
  console.log(JSON.stringify({ info: wg.backendInfo(), relu: x.relu().toArray() }));
});
`;
const TS_CONSUMER = `
import { init, tensor, nn, optim, noGrad, backendInfo, type Tensor, type InitOptions, type BackendInfo } from 'wasmgrad';

const opts: InitOptions = { simd: 'auto', threads: 1 };
await init(opts);
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const x: Tensor = tensor([[1, 2, 3, 4]]);
const loss: Tensor = nn.functional.crossEntropy(model.forward(x), tensor([1], { dtype: 'int32' }));
loss.backward();
opt.step();
const value: number = loss.item();
const info: BackendInfo = backendInfo();
const probs = noGrad(() => model.forward(x).softmax(1).toArray());
console.log(value, info.simd, probs);
// The declarations are real types, not any: these must be rejected.
// @ts-expect-error init takes an options object
await init(42);
// @ts-expect-error item() returns a number
const wrong: string = loss.item();
export { wrong };
`;

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'wasmgrad-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], REPO))[0];
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((f: { path: string }) => f.path);
  project = join(work, 'consumer');
  execFileSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', tarball], project);
  writeFileSync(join(project, 'esm.mjs'), ESM_CONSUMER);
  writeFileSync(join(project, 'cjs.cjs'), CJS_CONSUMER);
  writeFileSync(join(project, 'consumer.ts'), TS_CONSUMER);
});

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('npm package', () => {
  it('package.json declares sideEffects: false and no runtime dependencies', () => {
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('the tarball holds the bundles, types, the three wasm builds and the thread worker, not the sources', () => {
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/types/index.d.ts', 'dist/wasmgrad-simd.wasm',
      'dist/wasmgrad-relaxed.wasm', 'dist/wasmgrad-threads.wasm', 'dist/thread-worker.js', 'package.json', 'README.md']) {
      expect(packedFiles, f).toContain(f);
    }
    // Outside dist/ only the manifest, the README and declared bin targets ship (npm always adds those).
    const bins = Object.values(pkg.bin ?? {}).map((b) => String(b).replace(/^\.\//, ''));
    expect(packedFiles.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', ...bins].includes(f))).toEqual([]);
  });

  it('imports from ESM: relaxed SIMD, all cores, autograd works, wasm subpath export resolves', () => {
    const r = JSON.parse(node('esm.mjs').trim().split('\n').pop()!);
    expect(r.info.simd).toBe('relaxed');
    expect(r.info.threads).toBe(availableParallelism());
    expect(r.shape).toEqual([1, 2]);
    expect(r.gradShape).toEqual([2, 3]);
    expect(r.wasmBytes).toBeGreaterThan(1000);
  });

  it('requires from CommonJS', () => {
    const r = JSON.parse(node('cjs.cjs').trim());
    expect(r.info).toMatchObject({ simd: 'plain', threads: 1 });
    expect(r.relu).toEqual([[1, 0], [3, 0]]);
  });

  // Two consumer setups: a library-style config with the DOM lib (the d.ts use WebAssembly.Module and
  // BufferSource, declared there) checking the shipped declarations too, and a Node-only config in the
  // style of @tsconfig/node20 (no DOM lib, skipLibCheck).
  it.each([
    ['with the DOM lib, declarations checked (skipLibCheck false)', { lib: ['es2022', 'dom'], skipLibCheck: false, types: [] }],
    ['Node-only (lib es2023, @types/node, skipLibCheck)', { lib: ['es2023'], skipLibCheck: true, types: ['node'] }],
  ])('type-checks a TypeScript consumer, %s (tsc --noEmit)', (_name, extra) => {
    const config = join(project, `tsconfig.${extra.skipLibCheck ? 'node' : 'dom'}.json`);
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
        typeRoots: [join(REPO, 'node_modules/@types')], ...extra,
      },
      files: ['consumer.ts'],
    }));
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    let output = '';
    try { execFileSync(process.execPath, [tsc, '-p', config], { cwd: project, encoding: 'utf8', timeout: 120_000 }); }
    catch (e) { output = `${(e as { stdout?: string }).stdout ?? ''}${(e as Error).message}`; }
    expect(output).toBe('');
  }, 240_000);
});
