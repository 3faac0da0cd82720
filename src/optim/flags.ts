// Flag bits of the fused update kernels (assembly/optim.ts).
export const MAXIMIZE = 1;
export const NESTEROV = 2;
export const FIRST_STEP = 4;
export const HAS_MOMENTUM = 8;
export const AMSGRAD = 16;
export const CENTERED = 32;
