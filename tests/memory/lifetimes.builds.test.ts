// Tensor lifetimes (issue 14) on the default build: relaxed SIMD, all cores (2 threads on the
// 2-core machine these tests are run on). The patterns themselves are in tests/memory/lifetime-suite.ts.
import { beforeAll, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { lifetimeSuite } from './lifetime-suite.js';

beforeAll(async () => { await wg.init(); });

it('runs on the relaxed SIMD build with 2 threads', () => {
  const info = wg.backendInfo();
  expect(info.simd).toBe('relaxed');
  expect(info.threads).toBe(2);
});

lifetimeSuite('relaxed, 2 threads');
