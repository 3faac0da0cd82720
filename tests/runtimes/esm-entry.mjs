// Node (ESM), Deno and Bun: import the built ESM bundle and print the smoke result as one JSON line.
//   node tests/runtimes/esm-entry.mjs --simd plain --threads 1
//   deno run --allow-read tests/runtimes/esm-entry.mjs --simd relaxed
//   bun tests/runtimes/esm-entry.mjs
import * as wg from '../../dist/index.js';
import { parseSmokeArgs, runSmoke } from './smoke.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
console.log(JSON.stringify(await runSmoke(wg, parseSmokeArgs(args))));
// Worker threads may keep some runtimes alive; the result is out, so leave now.
if (globalThis.Deno) globalThis.Deno.exit(0); else process.exit(0);
