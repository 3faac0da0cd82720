// The timed training loop shared by the mlp and cnn workloads: `steps` PyTorch-style steps over a
// shuffled DataLoader per call, returning samples/s. Each call first runs a few untimed steps: when
// calls take turns with a peer's, caches and the worker threads have gone cold in between.
import * as wg from '../src/index.js';

export function trainingRunner(model: wg.nn.Module, opt: { zeroGrad(): void; step(): void }, x: wg.Tensor, y: wg.Tensor,
                               batch: number, steps: number, warmSteps = 5): () => number {
  const { nn, data } = wg;
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: batch, shuffle: true, seed: 1, dropLast: true });
  let it = loader[Symbol.iterator]();
  model.train();
  return () => {
    let t0 = performance.now();
    for (let s = 0; s < warmSteps + steps; s++) {
      if (s === warmSteps) t0 = performance.now();
      let next = it.next();
      if (next.done) { it = loader[Symbol.iterator](); next = it.next(); }
      const [xb, yb] = next.value as [wg.Tensor, wg.Tensor];
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(xb), yb);
      loss.backward();
      opt.step();
    }
    return (steps * batch) / ((performance.now() - t0) / 1000);
  };
}
