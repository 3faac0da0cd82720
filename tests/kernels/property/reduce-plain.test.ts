// Reduction property tests under the plain SIMD build (init runs once per process; vitest's forks pool
// gives each file its own, so this twin of reduce.test.ts sees the other build).
import { beforeAll } from 'vitest';
import { init } from '../../../src/index.js';
import { reduceProperties } from './reduce.suite.js';

beforeAll(async () => { await init({ simd: 'plain' }); });

reduceProperties('plain');
