// Elementwise property tests, once per wasm build (tests/builds.ts); the properties are in elementwise.suite.ts.
import { useBuild } from '../../use-build.js';
import { elementwiseProperties } from './elementwise.suite.js';

elementwiseProperties(useBuild().simd);
