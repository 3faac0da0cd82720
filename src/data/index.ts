// wasmgrad.data: datasets, subsets and the DataLoader.
export { Dataset, TensorDataset, Subset, randomSplit } from './dataset.js';
export { DataLoader, defaultCollate, type DataLoaderOptions } from './dataloader.js';
export { Ratings, loadRatings, splitRatings, type LoadRatingsOptions, type SplitRatingsOptions, type UserRows } from './ratings.js';
export { tokenize, Vocabulary, type TokenizeOptions } from './text.js';
