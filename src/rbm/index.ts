// wasmgrad.rbm: Restricted Boltzmann Machines and Deep Belief Networks.
export { RBM, type RBMOptions, type UnitType, type CompleteOptions } from './rbm.js';
export { ContrastiveDivergence, type CDOptions, type FitOptions, type EpochStats } from './cd.js';
export { DBN, type DBNOptions, type DBNCompleteOptions, type PretrainOptions } from './dbn.js';
