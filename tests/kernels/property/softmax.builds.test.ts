// Softmax property tests, once per wasm build (tests/builds.ts); the properties are in softmax.suite.ts.
import { useBuild } from '../../use-build.js';
import { softmaxProperties } from './softmax.suite.js';

softmaxProperties(useBuild().simd);
