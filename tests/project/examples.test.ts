// The small dense examples do what their comments claim.
import { describe, it, expect, beforeAll } from 'vitest';
import * as wg from '../../src/index.js';
import { trainXor } from '../../examples/xor.js';
import { fitRegression } from '../../examples/regression.js';

beforeAll(async () => { await wg.init(); });
const quiet = () => {};

describe('examples', () => {
  it('xor: an MLP separates XOR', async () => {
    const { loss, predictions } = await trainXor(quiet);
    expect(loss).toBeLessThan(0.01);
    expect(predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });

  it('regression: batch, stochastic and mini-batch gradient descent all fit, differing only in batchSize', async () => {
    const batch = await fitRegression('full', { log: quiet });
    const sgd = await fitRegression(1, { epochs: 20, log: quiet });
    const mini = await fitRegression(32, { log: quiet });
    console.log(`test MSE: batch GD ${batch.testMse.toFixed(4)} (${batch.steps} steps), SGD ${sgd.testMse.toFixed(4)} (${sgd.steps} steps), mini-batch ${mini.testMse.toFixed(4)} (${mini.steps} steps)`);
    expect(batch.steps).toBe(60);
    expect(sgd.steps).toBe(512 * 20);
    expect(mini.steps).toBe(16 * 60);
    // The target's variance is ~1.7; all three explain almost all of it.
    for (const r of [batch, sgd, mini]) expect(r.testMse).toBeLessThan(0.1);
    expect(mini.testMse).toBeLessThan(0.03);
  });
});
