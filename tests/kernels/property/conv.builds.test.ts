// Conv2d property tests, once per wasm build (tests/builds.ts); the properties are in conv.suite.ts.
import { useBuild } from '../../use-build.js';
import { conv2dProperties } from './conv.suite.js';

conv2dProperties(useBuild().simd);
