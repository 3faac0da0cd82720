// Softmax property tests under the relaxed SIMD build (softmax-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { softmaxProperties } from './softmax.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

softmaxProperties('relaxed');
