// Node (ESM), Deno and Bun: import the built ESM bundle and print the smoke result as one JSON line.
//   node tests/runtimes/esm-entry.mjs --simd plain --threads 1
//   deno run --allow-read tests/runtimes/esm-entry.mjs --simd relaxed
//   bun tests/runtimes/esm-entry.mjs
import { parseSmokeArgs, runSmoke } from './smoke.mjs';

// In Node, record every V8 flag the library sets (it may only do so where relaxed SIMD needs one).
if (!globalThis.Deno && !globalThis.Bun && globalThis.process?.versions?.node) {
  const { createRequire, syncBuiltinESMExports } = await import('node:module');
  const v8 = createRequire(import.meta.url)('node:v8');
  const set = v8.setFlagsFromString;
  globalThis.__v8FlagsSet = [];
  v8.setFlagsFromString = (flag) => { globalThis.__v8FlagsSet.push(flag); return set(flag); };
  syncBuiltinESMExports();
}
const wg = await import('../../dist/index.js');

const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
console.log(JSON.stringify(await runSmoke(wg, parseSmokeArgs(args))));
// Worker threads may keep some runtimes alive; the result is out, so leave now.
if (globalThis.Deno) globalThis.Deno.exit(0); else process.exit(0);
