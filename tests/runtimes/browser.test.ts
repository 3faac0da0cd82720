// The browser demo (examples/browser/) in headless Chromium, served cross-origin isolated and under
// a strict CSP (no eval; wasm allowed by 'wasm-unsafe-eval' only): it trains the MNIST MLP in a Web
// Worker to >= 90% test accuracy, reads a drawn digit, and saves docs/images/browser-demo.png.
// Also: the page's main thread gets 1 thread while the Worker gets more, the CSP really forbids
// eval (and wasm without 'wasm-unsafe-eval'), and no source or bundle contains eval / new Function.
// Needs `npm run build` first (npm test does it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from './binaries.js';
import { chromiumUnavailable, launchChromium, type Chromium } from './chromium.js';
import { chromiumPage } from './drivers.js';
import { describeRequiring } from '../requirements.js';
import { startServer, type RunningServer } from '../../examples/browser/server.js';
import { loadMnist } from '../../examples/mnist.js';

const CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
const SCREENSHOT = join(REPO, 'docs/images/browser-demo.png');
const CELL = 10; // the drawing pad is 280x280: one MNIST pixel = 10x10 canvas pixels

async function padOrigin(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.locator('#pad').boundingBox())!;
  return { x: box.x, y: box.y };
}

async function readPrediction(page: Page): Promise<number> {
  await page.waitForFunction(() => document.getElementById('prediction')!.dataset.digit !== '');
  await page.waitForTimeout(200); // the last pointer event's prediction may still be on its way
  return Number(await page.locator('#prediction').getAttribute('data-digit'));
}

/** A "1": one vertical stroke down the middle of the pad. */
async function drawOne(page: Page): Promise<void> {
  const o = await padOrigin(page);
  await page.mouse.move(o.x + 150, o.y + 50);
  await page.mouse.down();
  for (let y = 50; y <= 230; y += 10) await page.mouse.move(o.x + 144 + (y - 50) * -0.03, o.y + y);
  await page.mouse.up();
}

/** Replays a test-set digit as horizontal strokes over its inked runs, row by row. */
async function drawDigit(page: Page, pixels: Float32Array): Promise<void> {
  const o = await padOrigin(page);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 0.5) continue;
      let end = x;
      while (end + 1 < 28 && pixels[y * 28 + end + 1] >= 0.5) end++;
      await page.mouse.move(o.x + x * CELL + CELL / 2, o.y + y * CELL + CELL / 2);
      await page.mouse.down();
      await page.mouse.move(o.x + end * CELL + CELL / 2, o.y + y * CELL + CELL / 2, { steps: 2 });
      await page.mouse.up();
      x = end;
    }
  }
}

describeRequiring('browser demo in headless Chromium', chromiumUnavailable(), () => {
  let browser: Chromium;
  let server: RunningServer;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    server = await startServer({ csp: CSP });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1020, height: 820 });
    // CSP violations and uncaught errors in the page or its workers show up here.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}/examples/browser/`);
  });
  afterAll(async () => { await browser?.close(); await server?.close(); });

  it('trains the MLP in a Web Worker to >= 90% test accuracy with a live chart, under the CSP', async () => {
    await page.selectOption('#epochs', '3');
    const t0 = Date.now();
    await page.click('#train');
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state!), null, { timeout: 90_000 });
    expect(await page.locator('#status').textContent()).not.toMatch(/error/);
    const accuracy = Number(await page.locator('#status').getAttribute('data-accuracy'));
    console.log(`browser demo: ${(100 * accuracy).toFixed(2)}% test accuracy after 3 epochs in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `${await page.locator('#backend').textContent()}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(problems).toEqual([]);
  }, 150_000);

  it('reads a drawn "1" and a replayed test-set digit, and shows class probabilities', async () => {
    await drawOne(page);
    expect(await readPrediction(page)).toBe(1);
    const probs = await page.locator('#probs > span:nth-child(3n)').allTextContents();
    expect(probs).toHaveLength(10);
    expect(probs.reduce((s, p) => s + parseFloat(p), 0)).toBeCloseTo(100, 0);

    const m = loadMnist();
    const i = Array.from(m.testLabels).indexOf(3); // the first "3" of the test split
    await page.click('#clear');
    await drawDigit(page, m.testImages.subarray(i * 784, (i + 1) * 784));
    expect(await readPrediction(page)).toBe(3);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it('threads: the cross-origin-isolated Worker runs > 1 thread, the page main thread reports 1', async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    const workerThreads = Number(await page.locator('#backend').getAttribute('data-threads'));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(workerThreads).toBe(Math.min(cores, 8));
    expect(workerThreads).toBeGreaterThan(1);
    // The main thread may not Atomics.wait: asking for threads there silently gives one.
    const main = await chromiumPage(await browser.context.newPage(), server.url, { threads: 4 });
    expect(main.threads).toBe(1);
    expect(main.simd).toBe('relaxed');
  });

  it("the CSP is in force: page script may not eval or new Function, but may compile wasm", async () => {
    expect(await probeCsp(server.url)).toEqual({ eval: 'EvalError', newFunction: 'EvalError', wasmCompile: 'ok' });
  });

  it("without 'wasm-unsafe-eval' the CSP blocks compiling wasm, and init() fails (why the docs ask for it)", async () => {
    const strict = await startServer({ csp: "script-src 'self'; worker-src 'self'" });
    const p = await browser.context.newPage();
    try {
      expect((await probeCsp(strict.url)).wasmCompile).toBe('CompileError');
      await p.goto(`${strict.url}/tests/runtimes/browser.html?simd=plain`);
      const r = await (await p.waitForFunction(() => (window as any).smokeResult, null, { timeout: 30_000 })).jsonValue();
      expect(r.error).toMatch(/CompileError.*(wasm-unsafe-eval|Content Security Policy)/s);
    } finally {
      await p.close();
      await strict.close();
    }
  });

  async function probeCsp(origin: string): Promise<Record<string, string>> {
    const p = await browser.context.newPage();
    try {
      await p.goto(`${origin}/tests/runtimes/csp-probe.html`);
      return await (await p.waitForFunction(() => (window as any).cspProbe, null, { timeout: 30_000 })).jsonValue();
    } finally {
      await p.close();
    }
  }
});

describe('no code from data', () => {
  // eval / new Function would need 'unsafe-eval' under a CSP and would run strings as code.
  // A call of the global eval with an argument (not a method such as Module.eval()), indirect eval, new Function.
  const PATTERNS = [/(^|[^\w$.])eval\s*\(\s*[^\s)]/, /\(\s*0\s*,\s*(globalThis\.)?eval\s*\)/, /\bnew\s+Function\b/];
  function files(dir: string, exts: RegExp): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = join(dir, d.name);
      return d.isDirectory() ? files(p, exts) : exts.test(d.name) ? [p] : [];
    });
  }

  it('no eval( or new Function in src/, dist/ bundles or the browser demo', () => {
    const scanned = [
      ...files(join(REPO, 'src'), /\.(ts|js|mjs|cjs)$/),
      ...files(join(REPO, 'dist'), /\.(js|mjs|cjs)$/),
      ...files(join(REPO, 'examples/browser'), /\.(js|mjs|ts|html)$/),
    ];
    expect(scanned.some((f) => f.endsWith('dist/index.js')), 'run `npm run build` first').toBe(true);
    const hits = scanned.flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((line, i) =>
      PATTERNS.some((re) => re.test(line)) ? [`${relative(REPO, f)}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
    console.log(`no-eval scan: ${scanned.length} files`);
    expect(hits).toEqual([]);
  });
});
