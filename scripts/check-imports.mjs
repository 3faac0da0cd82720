// The house rules for src/ imports, checked without dependencies (tests/project/architecture.test.ts runs it):
//  1. no import cycle (type-only imports excluded: they vanish at run time);
//  2. only src/ops/, src/runtime/, src/tensor.ts with src/storage.ts (a tensor's memory) and
//     src/index.ts import runtime/backend — the one door to the kernels.
// Prints the findings and exits 1 if any; `--json` prints them as JSON.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(root, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

// Value imports and re-exports of relative modules: `import x from './a.js'`, `export { y } from '../b.js'`,
// `import './c.js'`; not `import type` / `export type`, nor imports whose every name is `type`.
const IMPORT = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;
function valueImports(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[4] ?? m[5];
    if (m[2]) continue; // import type / export type
    const names = m[3] ?? '';
    const braced = names.match(/^\{([\s\S]*)\}$/);
    if (braced && braced[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '');
    const hit = ['.ts', '.js'].map((e) => target + e).find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
    if (hit) out.push(hit);
  }
  return out;
}

const all = files(SRC);
const graph = new Map(all.map((f) => [f, valueImports(f)]));
const rel = (f) => relative(SRC, f);

// Tarjan's strongly connected components: each with more than one file (or a self-import) is a cycle.
const index = new Map(), low = new Map(), onStack = new Set(), stack = [], cycles = [];
let counter = 0;
function visit(v) {
  index.set(v, counter); low.set(v, counter); counter++;
  stack.push(v); onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const scc = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.map(rel).sort());
  }
}
for (const f of all) if (!index.has(f)) visit(f);

const DOOR = join(SRC, 'runtime', 'backend.ts');
const allowed = (f) => rel(f).startsWith('ops/') || rel(f).startsWith('runtime/') || ['tensor.ts', 'storage.ts', 'index.ts'].includes(rel(f));
const backendUsers = all.filter((f) => !allowed(f) && (graph.get(f) ?? []).includes(DOOR)).map(rel).sort();

// `--imports-of <file>`: the value imports of one file (relative to src/), for tests.
const of = process.argv.indexOf('--imports-of');
if (of >= 0) {
  console.log(JSON.stringify((graph.get(join(SRC, process.argv[of + 1])) ?? []).map(rel)));
  process.exit(0);
}

const report = { cycles, backendOutsideTheDoor: backendUsers };
if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else {
  for (const c of cycles) console.log(`import cycle: ${c.join(' <-> ')}`);
  for (const f of backendUsers) console.log(`imports runtime/backend outside src/ops, src/runtime, tensor.ts, storage.ts, index.ts: ${f}`);
  if (!cycles.length && !backendUsers.length) console.log('imports: no cycle; runtime/backend only behind the door');
}
process.exitCode = cycles.length || backendUsers.length ? 1 : 0;
