// wasmgrad.rbm: Restricted Boltzmann Machines and Deep Belief Networks.
export { RBM, type RBMOptions, type UnitType, type CompleteOptions } from './rbm.js';
export { ContrastiveDivergence, type CDOptions, type FitOptions, type EpochStats } from './cd.js';
export { DBN, type DBNOptions, type DBNCompleteOptions, type PretrainOptions } from './dbn.js';
export { SoftmaxRBM, type SoftmaxRBMOptions, type SoftmaxFitOptions, type SoftmaxEpochStats, type SoftmaxGradientOptions, type SoftmaxGradients, type RatingsInput, type RatedPairs, type SoftmaxLearningRates } from './softmax-rbm.js';
export { ReplicatedSoftmax, rsmHidden, rsmSampleVisible, type Documents, type RSMOptions, type RSMFitOptions, type RSMEpochStats, type RSMGradients } from './rsm.js';
export { type RSMLikelihoodOptions, type RSMLikelihoodStats } from './rsm-likelihood.js';
export { ais, exactLogZ, perplexity, aisSchedule, type AISOptions, type AISEstimate, type RSMAISResult, type PerplexityResult } from './ais.js';
export { ClassRBM, type ClassRBMOptions, type ClassRBMObjective, type ClassFitOptions, type ClassEpochStats } from './class-rbm.js';
