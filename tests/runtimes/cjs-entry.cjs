// Node (CommonJS): require() the built CJS bundle and print the smoke result as one JSON line.
//   node tests/runtimes/cjs-entry.cjs --simd relaxed --threads 2
// Record every V8 flag the library sets (it may only do so where relaxed SIMD needs one).
const v8 = require('node:v8');
const setFlag = v8.setFlagsFromString;
globalThis.__v8FlagsSet = [];
v8.setFlagsFromString = (flag) => { globalThis.__v8FlagsSet.push(flag); return setFlag(flag); };
require('node:module').syncBuiltinESMExports();
const wg = require('../../dist/index.cjs');

// The smoke program itself is an ES module (shared with every runtime); only the library is CJS here.
import('./smoke.mjs').then(async ({ parseSmokeArgs, runSmoke }) => {
  console.log(JSON.stringify(await runSmoke(wg, parseSmokeArgs(process.argv.slice(2)))));
  process.exit(0);
}).catch((e) => { console.error(e); process.exit(1); });
