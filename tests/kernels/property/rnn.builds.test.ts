// RNN cell property tests, once per wasm build (tests/builds.ts); the properties are in rnn.suite.ts.
import { useBuild } from '../../use-build.js';
import { rnnCellProperties } from './rnn.suite.js';

rnnCellProperties(useBuild().simd);
