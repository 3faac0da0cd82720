// The library, examples and benchmarks type-check under strict TypeScript.
import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = (project: string) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { cwd: root, encoding: 'utf8' });

it('src, examples and bench type-check', () => {
  expect(tsc('tsconfig.json')).toBe('');
  expect(tsc('tsconfig.examples.json')).toBe('');
}, 180_000);
