// Pooling property tests, once per wasm build (tests/builds.ts); the properties are in pool.suite.ts.
import { useBuild } from '../../use-build.js';
import { poolProperties } from './pool.suite.js';

poolProperties(useBuild().simd);
