// Tensor lifetimes (issue 14) on the plain-SIMD build, one thread. init() runs once per process;
// vitest's forks pool gives this file its own. The patterns are in tests/memory/lifetime-suite.ts.
import { beforeAll, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { lifetimeSuite } from './lifetime-suite.js';

beforeAll(async () => { await wg.init({ simd: 'plain', threads: 1 }); });

it('runs on the plain SIMD build with 1 thread', () => {
  const info = wg.backendInfo();
  expect(info.simd).toBe('plain');
  expect(info.threads).toBe(1);
});

lifetimeSuite('plain, 1 thread');
