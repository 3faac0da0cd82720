// RNN cell property tests under the relaxed SIMD build (rnn-plain.test.ts: the same under plain SIMD).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { rnnCellProperties } from './rnn.suite.js';

beforeAll(async () => { await init({ simd: 'relaxed' }); });

rnnCellProperties('relaxed');
