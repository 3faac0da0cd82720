// Core ops against PyTorch fixtures under the default build (relaxed SIMD where the engine has it).
import { beforeAll } from 'vitest';
import { init } from '../../src/index.js';
import { opFixtureSuite } from './op-suite.js';

beforeAll(async () => { await init(); });

opFixtureSuite('relaxed');
