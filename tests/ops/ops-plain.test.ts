// The same PyTorch op fixtures under the plain SIMD build (the fallback for engines without
// relaxed SIMD). init() runs once per process; vitest's forks pool gives this file its own.
import { beforeAll } from 'vitest';
import { init } from '../../src/index.js';
import { opFixtureSuite } from './op-suite.js';

beforeAll(async () => { await init({ simd: 'plain' }); });

opFixtureSuite('plain');
