// Core ops against the PyTorch fixtures, once per wasm build (tests/builds.ts); the cases are in op-suite.ts.
import { useBuild } from '../use-build.js';
import { opFixtureSuite } from './op-suite.js';

opFixtureSuite(useBuild().simd);
