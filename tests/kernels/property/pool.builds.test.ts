// Pooling property tests under the relaxed SIMD build (pool-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { poolProperties } from './pool.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

poolProperties('relaxed');
