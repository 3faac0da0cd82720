// The one live wasm instance: loading the right build, its memory, allocator and typed views.
import { Allocator } from './allocator.js';
import type { Kernels } from './kernels.js';
import { isNode, nodeModule, relaxedSimdSupported, runtimeName } from './platform.js';
import { CONTROL_BYTES, ThreadPool, canBlock, defaultThreadCount } from './threads.js';
import { checkOptions, type ArgSpec } from '../options.js';

export type SimdBuild = 'relaxed' | 'plain';

export interface InitOptions {
  /** A compiled module the platform imported (Cloudflare workerd forbids compiling from bytes). */
  module?: WebAssembly.Module;
  /** The .wasm bytes, when neither files nor fetch are available. */
  bytes?: BufferSource;
  /** Force a SIMD build; default picks relaxed when the engine validates it. */
  simd?: SimdBuild | 'auto';
  /** Upper bound on wasm memory in MiB (default 2048). */
  memoryLimitMB?: number;
  /** Where the .wasm files live (a directory URL ending in '/'); default: next to this module. */
  wasmDir?: string | URL;
  /** Worker threads for large kernels (see setNumThreads); default all cores in Node, Bun and
   *  cross-origin-isolated browser Workers, one elsewhere (Deno: ask for them). */
  threads?: number;
}

const FILES: Record<SimdBuild | 'threads', string> = { relaxed: 'wasmgrad-relaxed.wasm', plain: 'wasmgrad-simd.wasm', threads: 'wasmgrad-threads.wasm' };
// The bundle sits next to the .wasm files; tests run from src/runtime with the builds in build/.
const SEARCH_DIRS = ['./', '../build/', '../../build/'];

class Backend {
  k!: Kernels;
  memory!: WebAssembly.Memory;
  alloc!: Allocator;
  build: SimdBuild = 'plain';
  threads = 1;
  pool: ThreadPool | null = null;
  module!: WebAssembly.Module;
  private buffer: ArrayBuffer | null = null;
  private _f32!: Float32Array;
  private _i32!: Int32Array;
  private _u8!: Uint8Array;
  ready = false;

  // Views are re-created whenever memory.grow detached the old buffer.
  private refresh(): void {
    const buf = this.memory.buffer as ArrayBuffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this._f32 = new Float32Array(buf);
      this._i32 = new Int32Array(buf);
      this._u8 = new Uint8Array(buf);
    }
  }
  get f32(): Float32Array { this.refresh(); return this._f32; }
  get i32(): Int32Array { this.refresh(); return this._i32; }
  get u8(): Uint8Array { this.refresh(); return this._u8; }
}

export const backend = new Backend();
let initPromise: Promise<void> | null = null;
let initOptions: InitOptions = {};

const INIT_ARGS: ArgSpec = {
  op: 'wasmgrad init', keywords: ['module', 'bytes', 'simd', 'memoryLimitMB', 'wasmDir', 'threads'],
  types: { module: 'object', bytes: 'object', simd: 'string', memoryLimitMB: 'number', threads: 'integer' },
};

export function requireReady(): void {
  if (!backend.ready) throw new Error('wasmgrad: call `await init()` before using tensors');
}

async function readBuild(build: SimdBuild | 'threads', dir?: string | URL): Promise<{ bytes?: ArrayBuffer; response?: Response }> {
  const dirs = dir ? [String(dir)] : SEARCH_DIRS;
  const errors: string[] = [];
  for (const d of dirs) {
    const url = new URL(FILES[build], new URL(d, dir ? undefined : import.meta.url));
    try {
      if (url.protocol === 'file:' && isNode) {
        const fs = await nodeModule('fs');
        const { fileURLToPath } = await nodeModule('url');
        const buf: Uint8Array = await fs.promises.readFile(fileURLToPath(url));
        return { bytes: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
      }
      if (url.protocol === 'file:' && typeof (globalThis as any).Deno !== 'undefined') {
        const b: Uint8Array = await (globalThis as any).Deno.readFile(url);
        return { bytes: b.buffer as ArrayBuffer };
      }
      const res = await fetch(url);
      if (res.ok) return { response: res };
      errors.push(`${url.href}: HTTP ${res.status}`);
    } catch (e) {
      errors.push(`${url.href}: ${(e as Error).message}`);
    }
  }
  throw new Error(`wasmgrad init: could not load ${FILES[build]}; tried ${errors.join('; ')}. ` +
    'Pass init({ wasmDir }), init({ bytes }) or init({ module }).');
}

async function doInit(opts: InitOptions): Promise<void> {
  const limitMB = opts.memoryLimitMB ?? 2048;
  if (!(limitMB > 0 && limitMB <= 4096)) throw new Error(`wasmgrad init: memoryLimitMB must be in (0, 4096], got ${limitMB}`);
  const maxPages = Math.floor(limitMB * 16);
  const memory = new WebAssembly.Memory({ initial: 32, maximum: maxPages });
  const imports = { env: { memory, abort: () => { throw new Error('wasmgrad kernel abort'); }, seed: () => 0 } };

  const wantRelaxed = opts.simd === 'plain' ? false : await relaxedSimdSupported();
  if (opts.simd === 'relaxed' && !wantRelaxed) throw new Error('wasmgrad init: simd "relaxed" requested but this engine does not validate relaxed SIMD');
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new Error(`wasmgrad init: threads must be a positive integer, got ${opts.threads}`);
  }
  // Threads need the shared-memory build (relaxed SIMD), SharedArrayBuffer and a thread that may block;
  // anywhere else (page main thread, edge runtimes, a platform-provided module) we run on one thread.
  // Default: all cores in Node (and Bun) and in cross-origin-isolated browser Workers; one elsewhere.
  const g = globalThis as any;
  const isolatedWorker = typeof g.WorkerGlobalScope !== 'undefined' && g.crossOriginIsolated === true;
  const threads = opts.threads ?? ((isNode || isolatedWorker) && canBlock() ? await defaultThreadCount() : 1);
  if (threads > 1 && wantRelaxed && !opts.module && !opts.bytes && canBlock()) {
    try {
      if (await initThreaded(opts, maxPages, threads)) return;
    } catch {
      // fall through to the single-threaded builds
    }
  }
  let instance: WebAssembly.Instance;
  let module: WebAssembly.Module;
  if (opts.module) {
    module = opts.module;
    instance = await WebAssembly.instantiate(module, imports);
  } else if (opts.bytes) {
    module = await WebAssembly.compile(opts.bytes);
    instance = await WebAssembly.instantiate(module, imports);
  } else {
    const build: SimdBuild = wantRelaxed ? 'relaxed' : 'plain';
    const src = await readBuild(build, opts.wasmDir);
    if (src.response && typeof WebAssembly.instantiateStreaming === 'function' &&
        (src.response.headers.get('content-type') ?? '').includes('application/wasm')) {
      const r = await WebAssembly.instantiateStreaming(src.response, imports);
      module = r.module; instance = r.instance;
    } else {
      const bytes = src.bytes ?? await src.response!.arrayBuffer();
      module = await WebAssembly.compile(bytes);
      instance = await WebAssembly.instantiate(module, imports);
    }
  }
  const k = instance.exports as unknown as Kernels;
  backend.k = k;
  backend.memory = memory;
  backend.module = module;
  backend.build = (k.build_flags() & 1) ? 'relaxed' : 'plain';
  backend.alloc = new Allocator(memory, k.heap_base(), maxPages * 65536);
  backend.ready = true;
  k.rng_seed(0x5eed, 0);
}

async function initThreaded(opts: InitOptions, maxPages: number, threads: number): Promise<boolean> {
  const memory = new WebAssembly.Memory({ initial: 32, maximum: maxPages, shared: true });
  const imports = { env: { memory, abort: () => { throw new Error('wasmgrad kernel abort'); }, seed: () => 0 } };
  const src = await readBuild('threads', opts.wasmDir);
  const bytes = src.bytes ?? await src.response!.arrayBuffer();
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, imports);
  const k = instance.exports as unknown as Kernels;
  const alloc = new Allocator(memory, k.heap_base(), maxPages * 65536);
  const pool = new ThreadPool(memory, alloc.alloc(CONTROL_BYTES));
  await pool.start(module, threads);
  Object.assign(backend, { k, memory, module, alloc, pool, build: 'relaxed', threads: pool.size, ready: true });
  k.rng_seed(0x5eed, 0);
  return true;
}

/** Uses n threads for large kernels from now on (1..the count started by init). */
export function setNumThreads(n: number): void {
  requireReady();
  const max = backend.pool?.size ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  backend.threads = Math.min(n, max);
}
export function getNumThreads(): number { return backend.ready ? backend.threads : 1; }

/** Loads and instantiates the kernels. Call once; every other API is synchronous afterwards. */
export function init(opts: InitOptions = {}): Promise<void> {
  try {
    checkOptions(INIT_ARGS, opts);
    if (opts.simd !== undefined && opts.simd !== 'auto' && opts.simd !== 'relaxed' && opts.simd !== 'plain') {
      throw new Error(`wasmgrad init: simd must be 'auto', 'relaxed' or 'plain', got '${opts.simd}'`);
    }
    // A second call can't change what the first one loaded: say so rather than ignore its options.
    const changed = initPromise ? Object.keys(opts).filter((k) => (opts as any)[k] !== undefined && (opts as any)[k] !== (initOptions as any)[k]) : [];
    if (changed.length) {
      const first = Object.entries(initOptions).map(([k, v]) => `${k}: ${typeof v === 'object' ? (v as object).constructor?.name : JSON.stringify(v)}`);
      throw new Error(`wasmgrad init: already initialised${first.length ? ` with { ${first.join(', ')} }` : ''}; ` +
        `a second init() can't change ${changed.join(', ')} (call init once, with the options you want)`);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  if (!initPromise) {
    initOptions = { ...opts };
    initPromise = doInit(opts).catch((e) => { initPromise = null; throw e; });
  }
  return initPromise;
}

export interface BackendInfo {
  simd: SimdBuild; threads: number; runtime: string;
  memory: {
    /** Bytes of live blocks in wasm memory. */
    inUse: number;
    /** Bytes of tensors not used for a while, moved out of wasm memory into JS arrays until their next use (until the garbage collector frees the dropped ones). */
    movedOut: number;
    reserved: number; cachedFree: number; limit: number; wasmBytes: number; liveBlocks: number; peakInUse: number };
}

/** Which build is running, on how many threads, and the wasm memory it uses (bytes). */
export function backendInfo(): BackendInfo {
  requireReady();
  return { simd: backend.build, threads: backend.threads, runtime: runtimeName(), memory: backend.alloc.stats() };
}
