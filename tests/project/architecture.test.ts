// The house rules that hold the layers apart (README, Architecture), checked on every run by
// scripts/check-imports.mjs: no import cycle anywhere in src/, and only src/ops/, src/runtime/,
// tensor.ts/storage.ts and index.ts import the runtime (the one door to the kernels).
import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('src/ has no import cycle and reaches the kernels only through src/ops and src/runtime', () => {
  const out = execFileSync(process.execPath, ['scripts/check-imports.mjs', '--json'], { cwd: root, encoding: 'utf8' });
  const report = JSON.parse(out) as { cycles: string[][]; backendOutsideTheDoor: string[] };
  expect(report.cycles).toEqual([]);
  expect(report.backendOutsideTheDoor).toEqual([]);
});

it('Tensor is a leaf: src/tensor.ts imports no op', () => {
  const out = execFileSync(process.execPath, ['scripts/check-imports.mjs', '--json', '--imports-of', 'tensor.ts'], { cwd: root, encoding: 'utf8' });
  const imports = JSON.parse(out) as string[];
  expect(imports.filter((f) => f.startsWith('ops/') || f.startsWith('nn/') || f.startsWith('autograd/engine'))).toEqual([]);
});
