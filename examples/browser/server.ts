// A tiny static server for the browser demo and the browser tests (Node http, no dependencies).
// It serves the repository root, so the page can import the built bundle from /dist/, and sends
// the headers that make the page cross-origin isolated (COOP/COEP): only then do browsers give
// pages SharedArrayBuffer, which wasmgrad's worker threads need. It also serves the standard
// MNIST split as one compact binary at /data/mnist-split.bin.
//   npm run build && npx tsx examples/browser/server.ts [--port 8080]   then open http://127.0.0.1:8080/
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../mnist.js';
import { encodeMnistSplit } from './mnist-codec.js';

export interface ServerOptions {
  /** Directory served at / (default: the repository root). */
  root?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Send COOP/COEP so pages are cross-origin isolated (default true). */
  isolate?: boolean;
  /** A Content-Security-Policy header value for every response. */
  csp?: string;
}

export interface RunningServer { url: string; server: Server; close(): Promise<void> }

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.map': 'application/json', '.bin': 'application/octet-stream',
};

let mnistBytes: Uint8Array | null = null;
const mnistSplit = (): Uint8Array => (mnistBytes ??= encodeMnistSplit(loadMnist()));

export function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const root = resolve(opts.root ?? REPO_ROOT);
  const baseHeaders: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (opts.isolate !== false) {
    baseHeaders['Cross-Origin-Opener-Policy'] = 'same-origin';
    baseHeaders['Cross-Origin-Embedder-Policy'] = 'require-corp';
    baseHeaders['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  if (opts.csp) baseHeaders['Content-Security-Policy'] = opts.csp;

  const server = createServer(async (req, res) => {
    const send = (status: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { ...baseHeaders, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === '/') { res.writeHead(302, { ...baseHeaders, Location: '/examples/browser/' }); res.end(); return; }
      if (path === '/data/mnist-split.bin') { send(200, mnistSplit(), TYPES['.bin']); return; }
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) { send(403, 'outside the served root'); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (!body) { send(404, `not found: ${path}`); return; }
      send(200, body, TYPES[extname(file)] ?? 'application/octet-stream');
    } catch (e) {
      send(500, String((e as Error).message));
    }
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolveStart({
        url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        server,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

// Run as a program (not when imported by tests).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const portArg = process.argv.indexOf('--port');
  const { url } = await startServer({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 8080 });
  console.log(`wasmgrad browser demo: ${url}/  (serving ${REPO_ROOT}; build first with npm run build)`);
}
