// The library, examples, benchmarks and tests type-check under strict TypeScript (npm run typecheck).
import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = (project: string) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { cwd: root, encoding: 'utf8' });

it('unused locals and parameters are compile errors (dead code does not accumulate)', () => {
  const { compilerOptions } = JSON.parse(readFileSync(`${root}/tsconfig.json`, 'utf8'));
  expect(compilerOptions).toMatchObject({ strict: true, noUnusedLocals: true, noUnusedParameters: true });
  const examples = JSON.parse(readFileSync(`${root}/tsconfig.examples.json`, 'utf8'));
  expect(examples.extends).toBe('./tsconfig.json');
  const tests = JSON.parse(readFileSync(`${root}/tests/tsconfig.json`, 'utf8'));
  expect(tests.extends).toBe('../tsconfig.json');
});

it('src, examples and bench type-check', () => {
  expect(tsc('tsconfig.json')).toBe('');
  expect(tsc('tsconfig.examples.json')).toBe('');
}, 180_000);

// vitest strips types without checking them: this is what keeps the test files honest (a call a
// test makes wrong on purpose says so with a cast or a `@ts-expect-error` and its reason).
it('tests type-check', () => {
  expect(tsc('tests/tsconfig.json')).toBe('');
}, 180_000);
