// The model architectures of scripts/check_safetensors_in_torch.py (MODELS), built with wasmgrad,
// with their example input shapes. Shared by the save/load interop tests.
import { nn, type Tensor } from '../../src/index.js';

/** A 2-layer bidirectional LSTM (batchFirst) and a Linear head on the last time step. */
export class LSTMHead extends nn.Module {
  lstm = new nn.LSTM(3, 5, { numLayers: 2, batchFirst: true, bidirectional: true });
  head = new nn.Linear(10, 2);
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(1, -1));
  }
}

/** A 2-layer GRU in [seq, batch, feature] layout: [output, hN]. */
export class GRUModel extends nn.Module {
  gru = new nn.GRU(3, 4, { numLayers: 2 });
  forward(x: Tensor): [Tensor, Tensor] { return this.gru.forward(x); }
}

export const MODELS: Record<string, { build: () => nn.Module; inputShape: number[] }> = {
  mlp: { build: () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3)), inputShape: [5, 4] },
  cnn: {
    build: () => new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(),
      new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(36, 5)),
    inputShape: [2, 2, 6, 6],
  },
  bn_mlp: { build: () => new nn.Sequential(new nn.Linear(6, 8), new nn.BatchNorm1d(8), new nn.Tanh(), new nn.Linear(8, 2)), inputShape: [4, 6] },
  lstm: { build: () => new LSTMHead(), inputShape: [2, 4, 3] },
  gru: { build: () => new GRUModel(), inputShape: [5, 2, 3] },
};

/** A model's outputs as a list (models returning a tuple give each element). */
export function outputsOf(model: nn.Module, x: Tensor): Tensor[] {
  const y = model.forward(x);
  return Array.isArray(y) ? y : [y];
}
