// Matmul property tests under the relaxed SIMD build (matmul-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { matmulProperties } from './matmul.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

matmulProperties('relaxed');
