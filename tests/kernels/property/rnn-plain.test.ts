// RNN cell property tests under the plain SIMD build (init runs once per process; vitest's forks pool
// gives each file its own, so this twin of rnn.test.ts sees the other build).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { rnnCellProperties } from './rnn.suite.js';

beforeAll(async () => { await init({ simd: 'plain' }); });

rnnCellProperties('plain');
