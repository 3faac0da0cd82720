// What some suites need from the machine (a runtime binary, Chromium, PyTorch) and what happens
// when it is missing: on a newcomer's `npm test` the suite is skipped with the reason; in CI
// (CI=true, as .ci/run sets it) a missing requirement is a failing test, so nothing is skipped there.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export const inCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** A describe block that needs something: `why` says what is missing (null: all there). */
export function describeRequiring(name: string, why: string | null, body: () => void): void {
  if (!why) describe(name, body);
  else if (inCI) describe(name, () => { it('has what it needs', () => { throw new Error(`CI=true: ${name} cannot run: ${why}`); }); });
  else describe.skip(`${name} (skipped: ${why})`, body);
}

/** One test that needs something (see describeRequiring). */
export function itRequiring(name: string, why: string | null, fn: () => unknown, timeout?: number): void {
  if (!why) it(name, fn, timeout);
  else if (inCI) it(name, () => { throw new Error(`CI=true: '${name}' cannot run: ${why}`); });
  else it.skip(`${name} (skipped: ${why})`, fn);
}

// Debian's interpreter (its python3-torch); overridable to check what a machine without it does.
export const PYTHON = process.env.WASMGRAD_TEST_PYTHON ?? '/usr/bin/python3';
let torchWhy: string | null | undefined;
/** Null when Debian's torch imports under /usr/bin/python3, else why not. */
export function torchMissing(): string | null {
  if (torchWhy === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    torchWhy = probe.status === 0 ? null
      : `\`${PYTHON} -c "import torch"\` failed (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); install Debian's python3-torch`;
  }
  return torchWhy;
}
