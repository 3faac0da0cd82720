// Issue 15, "Names a PyTorch user reaches for" (nn.Embedding, nn.LayerNorm, F.layerNorm,
// nn.utils.clipGradNorm_) and "Errors that should be clear" (loadStateDict given bytes): each test
// is the program a PyTorch user writes, using only the public API. Run once per wasm
// build (tests/builds.ts) by tests/api/mistakes.builds.test.ts.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';

const { nn, optim } = wg;
const F = nn.functional;

const close = (actual: number[], expected: number[], tol = 1e-4) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
};

export function layersMistakes(label: string): void {
  describe(`layers and errors a PyTorch user reaches for (${label})`, () => {
    it('nn.Embedding -> nn.LayerNorm -> nn.Linear: a bag-of-tokens classifier trains', () => {
      wg.manualSeed(0);
      class Classifier extends nn.Module {
        emb = new nn.Embedding(20, 16, { paddingIdx: 0 });
        norm = new nn.LayerNorm(16);
        head = new nn.Linear(16, 2);
        forward(tokens: wg.Tensor) {
          return this.head.forward(this.norm.forward(this.emb.forward(tokens).mean(1)));
        }
      }
      const model = new Classifier();
      expect([...model.stateDict().keys()]).toEqual(['emb.weight', 'norm.weight', 'norm.bias', 'head.weight', 'head.bias']);
      // Class 1 sentences contain token 7; 0 pads.
      const tokens = wg.tensor([[7, 3, 4, 0], [5, 6, 0, 0], [2, 7, 7, 9], [8, 9, 3, 2], [7, 0, 0, 0], [4, 4, 5, 0]], { dtype: 'int32' });
      const labels = wg.tensor([1, 0, 1, 0, 1, 0], { dtype: 'int32' });
      expect(model.emb.forward(tokens).shape).toEqual([6, 4, 16]);
      const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
      let first = 0, last = 0;
      for (let step = 0; step < 60; step++) {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(tokens), labels);
        loss.backward();
        opt.step();
        if (step === 0) first = loss.item();
        last = loss.item();
      }
      expect(last).toBeLessThan(first / 10);
      // The padding row never moved: it got no gradient.
      expect(Array.from(model.emb.weight.select(0, 0).data())).toEqual(new Array(16).fill(0));
    });

    it('F.layerNorm(x, [3]) gives what torch.nn.functional.layer_norm gives', () => {
      const x = wg.tensor([[1, 2, 3], [2, 4, 9]], { requiresGrad: true });
      const y = F.layerNorm(x, [3]);
      // torch: F.layer_norm(torch.tensor([[1., 2., 3.], [2., 4., 9.]]), [3])
      close(Array.from(y.data()), [-1.2247356, 0, 1.2247356, -1.0190487, -0.3396829, 1.3587316]);
      y.mul(wg.tensor([[1, 2, 3], [1, 0, 0]])).sum().backward();
      // torch: the matching x.grad
      close(Array.from(x.grad!.data()), [-0.0000185, 0, 0.0000184, 0.1088729, -0.1524218, 0.0435489], 1e-4);
    });

    it('an Embedding fed float token ids (wg.tensor([1, 2]) is float32) refuses, naming int32', () => {
      const emb = new nn.Embedding(10, 4);
      expect(() => emb.forward(wg.tensor([[1, 2, 3]]))).toThrow(/embedding: indices must be an int32 tensor, got float32 of shape \[1,3\].*dtype: 'int32'/);
    });

    it('an out-of-range token id throws naming embedding and the table size instead of reading past it', () => {
      const emb = new nn.Embedding(10, 4);
      expect(() => emb.forward(wg.tensor([3, 10], { dtype: 'int32' }))).toThrow(/embedding: index 10 at position \[1\].*weight of 10 rows.*\[0, 9\]/);
    });

    it('Embedding and LayerNorm take PyTorch\'s positional arguments, and refuse snake_case or unknown options', () => {
      const emb = new nn.Embedding(10, 3, 0); // padding_idx = 0, positionally as in PyTorch
      expect(emb.paddingIdx).toBe(0);
      expect(Array.from(emb.weight.select(0, 0).data())).toEqual([0, 0, 0]);
      expect(() => new nn.Embedding(10, 3, { padding_idx: 0 } as any)).toThrow("Embedding: unknown option 'padding_idx' (did you mean 'paddingIdx'? options are camelCase)");
      expect(() => new nn.Embedding(10, 3, { sparse: true })).toThrow(/Embedding: sparse = true is not supported: sparse gradients/);
      const norm = new nn.LayerNorm(4, 1e-3); // eps, positionally
      expect(norm.eps).toBe(1e-3);
      expect(String(norm)).toBe('LayerNorm((4,), eps=0.001, elementwise_affine=True)');
      expect(() => new nn.LayerNorm(4, { elementwise_affine: false } as any)).toThrow(/LayerNorm: unknown option 'elementwise_affine' \(did you mean 'elementwiseAffine'/);
      const w = wg.tensor([[1, 1], [2, 2], [3, 3]], { requiresGrad: true });
      const y = F.embedding(wg.tensor([0, 2, 0], { dtype: 'int32' }), w, 0); // padding_idx positionally
      y.sum().backward();
      expect(w.grad!.toArray()).toEqual([[0, 0], [0, 0], [1, 1]]);
      const x = wg.tensor([[1, 2, 3]]);
      expect(Array.from(F.layerNorm(x, [3], null, null, 1).data())).toEqual(Array.from(F.layerNorm(x, [3], { eps: 1 }).data()));
      expect(() => F.layerNorm(x, [3], { epsilon: 1 } as any)).toThrow(/layerNorm: unknown option 'epsilon' \(expected one of weight, bias, eps\)/);
    });

    it('nn.utils.clipGradNorm_ and clipGradValue_ are the PyTorch names for gradient clipping', () => {
      const p = wg.tensor([0, 0], { requiresGrad: true });
      p.mul(wg.tensor([3, 4])).sum().backward(); // grad [3, 4], norm 5
      const total = nn.utils.clipGradNorm_([p], 1);
      expect(total).toBeCloseTo(5, 5);
      close(Array.from(p.grad!.data()), [0.6, 0.8], 1e-5);
      nn.utils.clipGradValue_([p], 0.7);
      close(Array.from(p.grad!.data()), [0.6, 0.7], 1e-6);
    });

    it('model.loadStateDict(bytes) (forgot wg.load) names wg.load instead of listing hundreds of numeric keys', () => {
      const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
      const bytes = wg.save(model.stateDict());
      const other = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
      let message = '';
      try { other.loadStateDict(bytes as any); } catch (e) { message = (e as Error).message; }
      expect(message).toContain('loadStateDict: expected a Map or object of tensors');
      expect(message).toContain('model.loadStateDict(wg.load(bytes))');
      expect(message).not.toContain('Unexpected key');
      expect(() => other.loadStateDict(model as any)).toThrow(/expected a Map or object of tensors, got .*Sequential.*other\.stateDict\(\)/);
      other.loadStateDict(wg.load(bytes)); // the fix the message names works
      const x = wg.randn([3, 4]);
      expect(Array.from(other.forward(x).data())).toEqual(Array.from(model.forward(x).data()));
    });
  });
}
