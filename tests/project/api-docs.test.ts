// The generated API reference (TypeDoc over the public entries) must build without errors or
// warnings: `npm run docs` writes it to docs/api/.
import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('TypeDoc builds the API reference cleanly', () => {
  const out = execFileSync(process.execPath, ['node_modules/typedoc/bin/typedoc', '--emit', 'none'], { cwd: root, encoding: 'utf8' });
  console.log(out.trim().split('\n').slice(-1)[0]);
  expect(out).not.toMatch(/\[warning\]|\[error\]/);
}, 120_000);
