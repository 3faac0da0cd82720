// Tensor lifetimes (issue 14), once per wasm build (tests/builds.ts): relaxed SIMD on every core, and
// plain SIMD on one thread. The programs themselves are in tests/memory/lifetime-suite.ts.
import { useBuild } from '../use-build.js';
import { lifetimeSuite } from './lifetime-suite.js';

lifetimeSuite(useBuild().label);
