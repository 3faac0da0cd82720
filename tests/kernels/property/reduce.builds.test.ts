// Reduction property tests, once per wasm build (tests/builds.ts); the properties are in reduce.suite.ts.
import { useBuild } from '../../use-build.js';
import { reduceProperties } from './reduce.suite.js';

reduceProperties(useBuild().simd);
