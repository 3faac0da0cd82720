// nn: modules, layers, losses, initialisers (nn.init) and the functional forms (nn.functional).
export { Module, pyFloat, pyBool, type StateDict, type StateDictLike, type LoadStateDictResult } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export { Linear, Identity } from './linear.js';
export { Flatten, Unflatten } from './flatten.js';
export {
  ReLU, LeakyReLU, Sigmoid, Tanh, ELU, GELU, SiLU, Softplus, LogSigmoid, Hardtanh, ReLU6, Softmax, LogSoftmax,
} from './activation.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { BatchNorm, BatchNorm1d, type BatchNormOptions, type BatchNormArgs } from './batchnorm.js';
export {
  MSELoss, L1Loss, HuberLoss, SmoothL1Loss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
} from './loss.js';
export * as init from './init.js';
export * as functional from './functional.js';
export { Conv1d, Conv2d, type Conv1dModuleOptions, type Conv2dModuleOptions, type Conv1dArgs, type Conv2dArgs } from './conv.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, type MaxPoolModuleOptions, type MaxPool1dModuleOptions,
  type AvgPool2dModuleOptions, type AvgPool1dModuleOptions, type MaxPool2dArgs, type MaxPool1dArgs, type AvgPool2dArgs, type AvgPool1dArgs,
} from './pooling.js';
export { BatchNorm2d } from './batchnorm2d.js';
export { Dropout2d } from './dropout2d.js';
export {
  RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell,
  type RNNOptions, type LSTMOptions, type GRUOptions, type RNNCellOptions, type LSTMCellOptions, type GRUCellOptions,
  type RNNArgs, type LSTMArgs, type GRUArgs,
} from './rnn.js';
export {
  Embedding, type EmbeddingModuleOptions, type EmbeddingArgs, type FromPretrainedOptions, type FromPretrainedArgs,
} from './embedding.js';
export { LayerNorm, type LayerNormOptions, type LayerNormArgs } from './layernorm.js';
export * as utils from './utils.js';
