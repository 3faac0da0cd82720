// One function per runtime: run the smoke program there with the given options and return the
// JSON line it printed. Processes get hard timeouts so a hung runtime fails its test, not the suite.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO, findBinary } from './binaries.js';

export interface SmokeOptions { simd?: 'plain' | 'relaxed' | 'auto'; threads?: number }
export interface SmokeResult {
  runtime: string; simd: 'plain' | 'relaxed'; threads: number;
  losses: number[]; prediction: number[]; gemm: string;
  /** v8FlagsSet: the V8 flags the library set (Node entries only; null elsewhere). */
  env: { navigator: boolean; symbolDispose: boolean; v8FlagsSet: string[] | null };
}

const HERE = join(REPO, 'tests/runtimes');
const TIMEOUT_MS = 60_000;

function smokeArgs(o: SmokeOptions): string[] {
  return [...(o.simd ? ['--simd', o.simd] : []), ...(o.threads ? ['--threads', String(o.threads)] : [])];
}

/** Runs a program and parses the last line of its stdout as the smoke result. */
function runJsonLine(cmd: string, args: string[]): Promise<SmokeResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: REPO, timeout: TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (err) { reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}${stdout}`)); return; }
      try { resolve(JSON.parse(last)); } catch { reject(new Error(`${cmd} printed no JSON result:\n${stdout}\n${stderr}`)); }
    });
  });
}

/** Node's ESM and CJS entries, on the Node running the tests or on another release's binary. */
export const nodeEsm = (o: SmokeOptions, node = process.execPath) => runJsonLine(node, [join(HERE, 'esm-entry.mjs'), ...smokeArgs(o)]);
export const nodeCjs = (o: SmokeOptions, node = process.execPath) => runJsonLine(node, [join(HERE, 'cjs-entry.cjs'), ...smokeArgs(o)]);
export const deno = (o: SmokeOptions) =>
  runJsonLine(findBinary('deno').path!, ['run', '--allow-read', '--no-prompt', join(HERE, 'esm-entry.mjs'), ...smokeArgs(o)]);
export const bun = (o: SmokeOptions) => runJsonLine(findBinary('bun').path!, [join(HERE, 'esm-entry.mjs'), ...smokeArgs(o)]);

/** Opens tests/runtimes/browser.html on `origin` (main thread, or a Worker with `worker` threads). */
export async function chromiumPage(page: Page, origin: string, o: SmokeOptions & { worker?: number | 'default' }): Promise<SmokeResult> {
  const q = new URLSearchParams({
    simd: o.simd ?? 'auto', ...(o.worker ? { worker: String(o.worker) } : {}), ...(o.threads ? { threads: String(o.threads) } : {}),
  });
  await page.goto(`${origin}/tests/runtimes/browser.html?${q}`);
  const handle = await page.waitForFunction(() => (window as any).smokeResult, null, { timeout: TIMEOUT_MS });
  const r = await handle.jsonValue();
  if (r.error) throw new Error(`Chromium smoke failed: ${r.error}`);
  return r;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** workerd serving one worker per SIMD build (separate isolates: init() runs once per isolate). */
export class Workerd {
  private proc: ChildProcess | null = null;
  private dir = '';
  private ports: Record<'plain' | 'relaxed', number> = { plain: 0, relaxed: 0 };
  private log = '';

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'wasmgrad-workerd-'));
    // capnp `embed` paths are relative to the config file: lay the worker's modules out beside it.
    const files: Record<string, string> = {
      'worker.mjs': join(HERE, 'workerd-entry.mjs'), 'smoke.mjs': join(HERE, 'smoke.mjs'),
      'wasmgrad.js': join(REPO, 'dist/index.js'),
      'wasmgrad-relaxed.wasm': join(REPO, 'dist/wasmgrad-relaxed.wasm'), 'wasmgrad-simd.wasm': join(REPO, 'dist/wasmgrad-simd.wasm'),
    };
    for (const [name, src] of Object.entries(files)) copyFileSync(src, join(this.dir, name));
    this.ports = { plain: await freePort(), relaxed: await freePort() };
    writeFileSync(join(this.dir, 'config.capnp'), workerdConfig(this.ports));
    this.proc = spawn(findBinary('workerd').path!, ['serve', join(this.dir, 'config.capnp')], { cwd: this.dir });
    this.proc.stdout!.on('data', (d) => { this.log += d; });
    this.proc.stderr!.on('data', (d) => { this.log += d; });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`workerd exited (${this.proc.exitCode}):\n${this.log}`);
      const ok = await fetch(`http://127.0.0.1:${this.ports.plain}/health`, { method: 'HEAD' }).then(() => true, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`workerd did not start listening:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async smoke(simd: 'plain' | 'relaxed'): Promise<SmokeResult> {
    const res = await fetch(`http://127.0.0.1:${this.ports[simd]}/`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    if (!res.ok) throw new Error(`workerd smoke (${simd}) failed: HTTP ${res.status}\n${body}\n${this.log}`);
    return JSON.parse(body);
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc!.once('exit', r));
      this.proc.kill();
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function workerdConfig(ports: Record<'plain' | 'relaxed', number>): string {
  const worker = (simd: string) => `(
    modules = [
      (name = "worker.mjs", esModule = embed "worker.mjs"),
      (name = "wasmgrad.js", esModule = embed "wasmgrad.js"),
      (name = "smoke.mjs", esModule = embed "smoke.mjs"),
      (name = "wasmgrad-relaxed.wasm", wasm = embed "wasmgrad-relaxed.wasm"),
      (name = "wasmgrad-simd.wasm", wasm = embed "wasmgrad-simd.wasm"),
    ],
    bindings = [ (name = "SIMD", text = "${simd}") ],
    compatibilityDate = "2025-01-01",
  )`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "plain", worker = ${worker('plain')}), (name = "relaxed", worker = ${worker('relaxed')}) ],
  sockets = [
    (name = "plain", address = "127.0.0.1:${ports.plain}", http = (), service = "plain"),
    (name = "relaxed", address = "127.0.0.1:${ports.relaxed}", http = (), service = "relaxed"),
  ],
);
`;
}
