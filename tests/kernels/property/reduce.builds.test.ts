// Reduction property tests under the relaxed SIMD build (reduce-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { reduceProperties } from './reduce.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

reduceProperties('relaxed');
