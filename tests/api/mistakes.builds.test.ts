// Hidden mistakes (issue 15) on the default build: relaxed SIMD, all cores. Each suite is a program
// a PyTorch user writes in the first hour that used to give a wrong answer with no error; the
// suites live in tests/api/mistakes-*.ts and are shared with tests/api/mistakes-plain.test.ts.
import { beforeAll, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { layersMistakes } from './mistakes-layers.js';
import { dtypeInplaceMistakes } from './mistakes-dtype-inplace.js';
import { namesMistakes } from './mistakes-names.js';
import { optionsMistakes } from './mistakes-options.js';

beforeAll(async () => { await wg.init(); });

it('runs on the relaxed SIMD build', () => {
  expect(wg.backendInfo().simd).toBe('relaxed');
});

layersMistakes('relaxed SIMD, all threads');
dtypeInplaceMistakes('relaxed SIMD, all threads');
namesMistakes('relaxed SIMD, all threads');
optionsMistakes('relaxed SIMD, all threads');
