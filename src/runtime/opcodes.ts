// Op codes understood by assembly/elementwise.ts (keep the two lists in step).
export const Unary = {
  copy: 0, neg: 1, exp: 2, log: 3, sqrt: 4, abs: 5, sigmoid: 6, tanh: 7, relu: 8, leakyRelu: 9, elu: 10,
  gelu: 11, softplus: 12, clamp: 13, powScalar: 14, addScalar: 15, mulScalar: 16, rsubScalar: 17,
  rdivScalar: 18, sign: 19, square: 20, reciprocal: 21, sin: 22, cos: 23, gtScalar: 24, ltScalar: 25,
  geScalar: 26, leScalar: 27, eqScalar: 28, neScalar: 29, affine: 30, floor: 31, ceil: 32, round: 33,
  log1p: 34, expm1: 35, rsqrt: 36, logSigmoid: 37, silu: 38, hardtanh: 39,
} as const;
export type UnaryName = keyof typeof Unary;

export const Binary = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
} as const;
export type BinaryName = keyof typeof Binary;

// GEMM epilogue activations (assembly/gemm.ts).
export const GemmAct = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 } as const;
export const GemmBias = { none: 0, perColumn: 1, perRow: 2 } as const;
