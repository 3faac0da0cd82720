// The skip policy of tests/requirements.ts, checked the way CI meets it: with a binary faked missing,
// a newcomer's run skips the suites that need it, and a run with CI=true fails instead.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { REPO } from '../runtimes/binaries.js';

function vitest(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'tests/runtimes/browser.test.ts', 'tests/io/io.test.ts',
    '-t', 'Chromium|wasmgrad -> PyTorch', '--reporter=verbose'], {
    cwd: REPO, encoding: 'utf8', timeout: 170_000,
    env: { ...process.env, CI: '', CHROMIUM_PATH: '/nonexistent/chromium', WASMGRAD_TEST_PYTHON: '/nonexistent/python3', NO_COLOR: '1', ...env },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

it('without Chromium and torch: skipped with the reason on a plain run, failing with CI=true', () => {
  const plain = vitest({});
  expect(plain.status, plain.out).toBe(0);
  expect(plain.out).toMatch(/Tests\s+\d+ skipped/);
  expect(plain.out).toContain('(skipped: no Chromium at /nonexistent/chromium');
  const ci = vitest({ CI: 'true' });
  expect(ci.status).not.toBe(0);
  expect(ci.out).toContain('CI=true: browser demo in headless Chromium cannot run: no Chromium at /nonexistent/chromium');
  expect(ci.out).toContain('cannot run: `/nonexistent/python3 -c "import torch"` failed');
  expect(ci.out).toMatch(/Tests\s+2 failed/);   // (the other skips are the -t filter's)
}, 360_000);
