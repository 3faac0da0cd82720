// Conv2d property tests under the relaxed SIMD build (conv-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { conv2dProperties } from './conv.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

conv2dProperties('relaxed');
