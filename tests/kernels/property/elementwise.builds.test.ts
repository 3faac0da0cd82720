// Elementwise property tests under the relaxed SIMD build (elementwise-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { elementwiseProperties } from './elementwise.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

elementwiseProperties('relaxed');
