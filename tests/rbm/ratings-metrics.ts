// Held-out RMSE figures the SoftmaxRBM tests compare: a model's predictions, and the per-item-mean
// baseline (each item's training mean, the global mean for items with no training rating).
import type { Ratings } from '../../src/data/ratings.js';

export function rmseOf(pred: ArrayLike<number>, test: Ratings): number {
  let e = 0;
  for (let i = 0; i < test.length; i++) e += (pred[i] - test.rating[i]) ** 2;
  return Math.sqrt(e / test.length);
}

export function itemMeanRmse(train: Ratings, test: Ratings, nItems: number): number {
  const sum = new Float64Array(nItems), n = new Float64Array(nItems), mu = train.mean();
  for (let i = 0; i < train.length; i++) { sum[train.item[i]] += train.rating[i]; n[train.item[i]]++; }
  return rmseOf(Array.from(test.item, (item) => (n[item] ? sum[item] / n[item] : mu)), test);
}
