// The wasm module's export surface: every kernel family re-exported from one entry.
// Kernels are pure functions over byte pointers into linear memory; JS owns the heap.
export * from './memory';
export * from './random';
export * from './elementwise';
export * from './reduce';
export * from './gemm';
export * from './conv';
export * from './pool';
export * from './rnn';
export * from './optim';
export * from './rbm';
export * from './norm';
export * from './embedding';
export * from './softmax-rbm';
export * from './rsm';
