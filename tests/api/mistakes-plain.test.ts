// Hidden mistakes (issue 15) on the plain-SIMD build, one thread. The suites are in
// tests/api/mistakes-*.ts, shared with tests/api/mistakes.test.ts.
import { beforeAll, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { layersMistakes } from './mistakes-layers.js';
import { dtypeInplaceMistakes } from './mistakes-dtype-inplace.js';
import { namesMistakes } from './mistakes-names.js';
import { optionsMistakes } from './mistakes-options.js';

beforeAll(async () => { await wg.init({ simd: 'plain', threads: 1 }); });

it('runs on the plain SIMD build with 1 thread', () => {
  const info = wg.backendInfo();
  expect(info.simd).toBe('plain');
  expect(info.threads).toBe(1);
});

layersMistakes('plain SIMD, 1 thread');
dtypeInplaceMistakes('plain SIMD, 1 thread');
namesMistakes('plain SIMD, 1 thread');
optionsMistakes('plain SIMD, 1 thread');
