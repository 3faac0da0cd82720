// The demo's setup (MLP 784-128-64-10, SGD lr 0.05 momentum 0.9, batch 64, 15 epochs) must land
// within 1 point of the accuracy real PyTorch reaches on the same split (tests/fixtures/mnist_reference.json,
// written by scripts/fixtures/mnist_reference.py), and reach the demo's >= 94% bar.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wg from '../../src/index.js';
import { trainMnistMlp } from '../../examples/mnist-mlp.js';

const reference = JSON.parse(readFileSync(new URL('../fixtures/mnist_reference.json', import.meta.url), 'utf8'));

beforeAll(async () => { await wg.init(); });

describe('MNIST MLP demo', () => {
  it('reaches >= 94% and lands within 1 point of PyTorch with the same setup', async () => {
    const lines: string[] = [];
    const { testAccuracy } = await trainMnistMlp({ epochs: 15, log: (l) => lines.push(l) });
    console.log(`${lines.slice(-1)[0]}\nwasmgrad ${(testAccuracy * 100).toFixed(2)}% vs PyTorch ${(reference.mean * 100).toFixed(2)}% (mean of seeds ${reference.seeds})`);
    expect(testAccuracy).toBeGreaterThanOrEqual(0.94);
    expect(Math.abs(testAccuracy - reference.mean)).toBeLessThanOrEqual(0.01);
    expect(lines.filter((l) => l.startsWith('epoch'))).toHaveLength(15);
  });
});
