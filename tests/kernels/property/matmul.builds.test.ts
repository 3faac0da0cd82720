// Matmul property tests, once per wasm build (tests/builds.ts); the properties are in matmul.suite.ts.
import { useBuild } from '../../use-build.js';
import { matmulProperties } from './matmul.suite.js';

matmulProperties(useBuild().simd);
