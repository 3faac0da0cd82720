// Issue 15, item 2: options and positional arguments that used to be silently ignored. Each test
// is the line a PyTorch user writes (PyTorch's positional order, or a snake_case option) and what
// it must do now: mean what it means in PyTorch, or throw naming the camelCase spelling. The rule
// (src/options.ts, README "Coming from PyTorch"): every options object is checked; PyTorch's
// positional prefix is accepted, then an options object; PyTorch options we don't implement are
// refused. Run once per wasm build (tests/builds.ts) by tests/api/mistakes.builds.test.ts.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';

const { nn, optim, data } = wg;
const F = nn.functional;

const close = (actual: number[], expected: number[], tol = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
};
const flat = (t: wg.Tensor) => Array.from(t.data());
// The layer `b` with `a`'s weights, so two constructions can be compared on the same input.
const sameWeights = <M extends wg.nn.Module>(a: M, b: M): M => { b.loadStateDict(a.stateDict()); return b; };

export function optionsMistakes(label: string): void {
  describe(`options and positional arguments mean what they mean in PyTorch (${label})`, () => {
    // ---- PyTorch's positional order ----

    it('nn.Conv2d(1, 8, 3, 1, 1) pads by 1 (stride 1, padding 1), like { padding: 1 }', () => {
      wg.manualSeed(0);
      const conv = new nn.Conv2d(1, 8, 3, 1, 1);
      const x = wg.randn([2, 1, 5, 5]);
      const y = conv.forward(x);
      expect(y.shape).toEqual([2, 8, 5, 5]); // padding 0 gave [2, 8, 3, 3]
      expect(String(conv)).toBe('Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
      const named = sameWeights(conv, new nn.Conv2d(1, 8, 3, { stride: 1, padding: 1 }));
      close(flat(y), flat(named.forward(x)));
      // The rest of PyTorch's order: dilation, groups, bias.
      const grouped = new nn.Conv2d(4, 8, 3, 2, 1, 1, 2, false);
      expect([grouped.stride, grouped.padding, grouped.groups, grouped.bias]).toEqual([[2, 2], [1, 1], 2, null]);
      expect(grouped.forward(wg.randn([1, 4, 8, 8])).shape).toEqual([1, 8, 4, 4]);
    });

    it('nn.Conv1d(2, 4, 3, 2, 1) strides by 2 and pads by 1', () => {
      const conv = new nn.Conv1d(2, 4, 3, 2, 1);
      expect(conv.forward(wg.randn([1, 2, 9])).shape).toEqual([1, 4, 5]);
    });

    it('nn.MaxPool2d(2, 1) slides by 1, not by the kernel size', () => {
      const x = wg.arange(0, 16, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
      const y = new nn.MaxPool2d(2, 1).forward(x);
      expect(y.shape).toEqual([1, 1, 3, 3]); // stride 2 gave [1, 1, 2, 2]
      expect(y.toArray()).toEqual([[[[5, 6, 7], [9, 10, 11], [13, 14, 15]]]]);
      // AvgPool2d(kernel, stride, padding) and the functional forms take the same order.
      expect(new nn.AvgPool2d(2, 1).forward(x).shape).toEqual([1, 1, 3, 3]);
      expect(new nn.AvgPool2d(3, 1, 1).forward(x).shape).toEqual([1, 1, 4, 4]);
      expect(F.maxPool2d(x, 2, 1).shape).toEqual([1, 1, 3, 3]);
      expect(F.avgPool2d(x, 2, 1).shape).toEqual([1, 1, 3, 3]);
      // MaxPool2d(kernel, stride, padding, dilation, returnIndices): PyTorch's module order.
      const [values, indices] = new nn.MaxPool2d(2, 2, 0, 1, true).forward(x) as [wg.Tensor, wg.Tensor];
      expect(values.toArray()).toEqual([[[[5, 7], [13, 15]]]]);
      expect(indices.toArray()).toEqual([[[[5, 7], [13, 15]]]]);
    });

    it('F.conv2d(x, w, b, 1, 1) and F.conv2d(x, w, { padding: 1 }) pad by 1', () => {
      wg.manualSeed(1);
      const x = wg.randn([1, 2, 5, 5]), w = wg.randn([3, 2, 3, 3]), b = wg.randn([3]);
      const y = F.conv2d(x, w, b, 1, 1);
      expect(y.shape).toEqual([1, 3, 5, 5]);
      close(flat(y), flat(F.conv2d(x, w, b, { padding: 1 })));
      expect(F.conv2d(x, w, { padding: 1 }).shape).toEqual([1, 3, 5, 5]);
      expect(() => F.conv2d(x, w, b, 1, 1, { padding: 0 })).toThrow("conv2d: padding given twice: as positional argument 5 (number 1) and in the options (number 0)");
    });

    it('optim.Adam(params, 0.05) uses lr 0.05', () => {
      const w = new nn.Parameter(wg.tensor([1, -1]));
      const opt = new optim.Adam([w], 0.05);
      expect(opt.paramGroups[0].lr).toBe(0.05); // was the default 1e-3
      w.mul(w).sum().backward();
      opt.step();
      close(flat(w), [0.95, -0.95]); // Adam's first step moves each weight by lr
      const betas = new optim.Adam([w], 0.01, [0.8, 0.9], 1e-6, 0.1, true);
      expect(betas.defaults).toMatchObject({ lr: 0.01, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.1, amsgrad: true });
      expect(new optim.AdamW([w], 0.02).defaults).toMatchObject({ lr: 0.02, weightDecay: 1e-2 });
    });

    it('optim.SGD(params, 0.1, 0.9) uses momentum 0.9; RMSprop and Adagrad take lr first too', () => {
      const w = new nn.Parameter(wg.tensor([1]));
      expect(new optim.SGD([w], 0.1, 0.9).defaults).toMatchObject({ lr: 0.1, momentum: 0.9 });
      expect(new optim.RMSprop([w], 0.001, 0.9).defaults).toMatchObject({ lr: 0.001, alpha: 0.9 });
      expect(new optim.Adagrad([w], 0.5).defaults).toMatchObject({ lr: 0.5 });
      expect(() => new optim.SGD([w], 0.1, { lr: 0.2 } as any)).toThrow(/SGD: lr given twice/);
      // @ts-expect-error lr is required (no default, as in PyTorch): the runtime error is what is checked
      expect(() => new optim.SGD([w])).toThrow(/SGD: the learning rate lr is required/);
      expect(() => new (optim.Adam as any)([w], 0.1, [0.9, 0.99], 1e-8, 0, false, true)).toThrow(
        'Adam: takes at most 6 positional arguments (params, lr, betas, eps, weightDecay, amsgrad) and then an options object, got 7');
    });

    it('lr schedulers take PyTorch positional arguments: StepLR(opt, 2, 0.5)', () => {
      const w = new nn.Parameter(wg.tensor([1]));
      const opt = new optim.SGD([w], 1);
      const sched = new optim.StepLR(opt, 2, 0.5);
      const lrs = [];
      for (let e = 0; e < 5; e++) { lrs.push(opt.paramGroups[0].lr); sched.step(); }
      expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25]);
      expect(new optim.ExponentialLR(new optim.SGD([w], 1), 0.9).gamma).toBe(0.9);
      expect(new optim.CosineAnnealingLR(new optim.SGD([w], 1), 10).TMax).toBe(10);
      expect(new optim.ReduceLROnPlateau(new optim.SGD([w], 1), 'max', 0.5, 3).patience).toBe(3);
      expect(() => new optim.StepLR(opt, { step_size: 2 } as any)).toThrow(/StepLR: unknown option 'step_size' \(did you mean 'stepSize'\? options are camelCase\)/);
      expect(() => new optim.StepLR(opt, 2, { verbose: true } as any)).toThrow(/StepLR: verbose = true is not supported: print scheduler.getLastLr\(\)/);
    });

    it('nn.Linear(3, 2, false) has no bias', () => {
      const lin = new nn.Linear(3, 2, false);
      expect(lin.bias).toBeNull(); // false was read as an options object and the bias kept
      expect([...lin.stateDict().keys()]).toEqual(['weight']);
      expect(() => new nn.Linear(3, 2, 'false' as any)).toThrow("Linear: bias must be a boolean, got the string 'false'");
    });

    it('nn.BatchNorm1d(4, 1e-3, 0.5) uses eps 1e-3 and momentum 0.5', () => {
      const bn = new nn.BatchNorm1d(4, 1e-3, 0.5);
      expect([bn.eps, bn.momentum]).toEqual([1e-3, 0.5]);
      bn.forward(wg.tensor([[1, 2, 3, 4], [3, 4, 5, 6]]));
      close(flat(bn.running_mean!), [1, 1.5, 2, 2.5]); // 0.5 * batch mean
      expect(new nn.BatchNorm2d(3, 1e-5, null).momentum).toBeNull();
    });

    it('nn.LSTM(3, 5, 2, true, true) is 2 layers, batch-first, like { numLayers: 2, batchFirst: true }', () => {
      wg.manualSeed(2);
      const a = new nn.LSTM(3, 5, 2, true, true);
      expect([a.numLayers, a.bias, a.batchFirst]).toEqual([2, true, true]);
      const b = sameWeights(a, new nn.LSTM(3, 5, { numLayers: 2, batchFirst: true }));
      const x = wg.randn([4, 6, 3]); // [batch, seq, feature]
      const [ya] = a.forward(x), [yb] = b.forward(x);
      expect(ya.shape).toEqual([4, 6, 5]);
      close(flat(ya), flat(yb));
      expect(new nn.GRU(3, 5, 2).numLayers).toBe(2);
      expect(new nn.RNN(3, 5, 1, 'relu').nonlinearity).toBe('relu');
      expect(() => new nn.LSTM(3, 5, { projSize: 2 } as any)).toThrow(/LSTM: projSize = 2 is not supported/);
    });

    it('Dropout(p), F.dropout(x, p) and F.dropout(x, p, training) use that p', () => {
      wg.manualSeed(3);
      const x = wg.ones([20000]);
      const zeroFraction = (y: wg.Tensor) => flat(y).filter((v) => v === 0).length / y.numel();
      expect(zeroFraction(F.dropout(x, 0.1))).toBeLessThan(0.13); // was p = 0.5
      expect(zeroFraction(F.dropout(x, 0.1))).toBeGreaterThan(0.07);
      close(flat(F.dropout(x, 0.9, false)), flat(x)); // training = false: identity
      expect(new nn.Dropout({ p: 0.2 }).p).toBe(0.2);
      expect(new nn.Dropout(0.3).p).toBe(0.3);
      expect(() => new nn.Dropout(0.2, true)).toThrow(/Dropout: inplace = true is not supported/);
      expect(() => new nn.ReLU(true)).toThrow(/ReLU: inplace = true is not supported/);
    });

    it('activations, Flatten and Softmax take PyTorch positional arguments', () => {
      expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
      expect(new nn.LeakyReLU({ negativeSlope: 0.3 }).negativeSlope).toBe(0.3);
      expect(new nn.Softmax(0).forward(wg.tensor([[1, 1], [1, 1]])).toArray()).toEqual([[0.5, 0.5], [0.5, 0.5]]);
      expect(new nn.Flatten(0, -1).forward(wg.zeros([2, 3, 4])).shape).toEqual([24]);
      expect(() => new (nn.Sigmoid as any)(1)).toThrow('Sigmoid: takes at most 0 positional arguments and then an options object, got 1');
    });

    it('F.leakyRelu(x, { negativeSlope }), F.hardtanh(x, { minVal }) and F.softmax(x, { dim }) use those values; x.clamp({ min: 0 }) throws', () => {
      const x = wg.tensor([[-1, 2], [3, -4]]);
      close(flat(F.leakyRelu(x, { negativeSlope: 0.2 })), [-0.2, 2, 3, -0.8]); // was NaN
      close(flat(F.leakyRelu(x, 0.2)), [-0.2, 2, 3, -0.8]);
      close(flat(F.elu(x, { alpha: 0.5 })), [0.5 * Math.expm1(-1), 2, 3, 0.5 * Math.expm1(-4)]);
      close(flat(F.hardtanh(x, { minVal: 0 })), [0, 1, 1, 0]); // was [-1, 1, 1, -4]
      close(flat(F.softmax(wg.tensor([[0, 0], [0, 0]]), { dim: 0 })), [0.5, 0.5, 0.5, 0.5]);
      expect(() => x.clamp({ min: 0 } as any)).toThrow(/clamp: expected number arguments, got object/); // returned x unchanged
      expect(() => x.leakyRelu({ negativeSlope: 0.2 } as any)).toThrow(/leakyRelu: expected number arguments, got object/);
      expect(() => x.mean(1, { keepdim: false } as any)).toThrow("mean: keepdim must be a boolean, got object (x.mean(1, true) is PyTorch's mean(dim=1, keepdim=True))"); // kept the dim
      expect(() => x.sum({ dim: 0 } as any)).toThrow(/sum: dim must be an integer or an array of them, got object/);
      expect(() => (wg.randn as any)(2, 3)).toThrow('randn: the shape is one array of sizes (randn([2, 3]), not randn(2, 3)); the argument after it is an options object');
    });

    it('nn.init.kaimingUniform_(w, a) uses that a', () => {
      const w = wg.empty([1000, 50]);
      nn.init.kaimingUniform_(w, Math.sqrt(5)); // PyTorch's Linear init: bound 1/sqrt(fanIn)
      const bound = Math.max(...flat(w).map(Math.abs));
      expect(bound).toBeLessThanOrEqual(1 / Math.sqrt(50) + 1e-6); // a = 0 gave sqrt(6/50) = 0.35
      expect(bound).toBeGreaterThan(0.9 / Math.sqrt(50));
    });

    it('x.var(0, false) is the biased variance; x.std(0, true, true) keeps the dim', () => {
      const x = wg.tensor([[1, 2], [3, 6]]);
      expect(x.var(0, false).toArray()).toEqual([1, 4]); // unbiased=false was ignored: [2, 8]
      expect(x.var(0, { unbiased: false }).toArray()).toEqual([1, 4]);
      expect(x.var(0).toArray()).toEqual([2, 8]);
      expect(x.std(0, true, true).shape).toEqual([1, 2]);
      expect(() => x.var(0, { unbiased: false, correction: 0 })).toThrow('var: pass unbiased or correction, not both');
    });

    it('loss.backward({ retainGraph: true }) keeps the graph', () => {
      const w = wg.tensor([2], { requiresGrad: true });
      const loss = w.mul(w).sum();
      loss.backward({ retainGraph: true }); // read as the gradient before
      loss.backward();
      close(flat(w.grad!), [8]);
      expect(() => w.mul(w).sum().backward({ create_graph: true } as any)).toThrow(/backward: option 'createGraph' is not supported/);
    });

    it('model.loadStateDict(sd, false) loads non-strictly; zeroGrad(true) drops gradients', () => {
      const src = new nn.Sequential(new nn.Linear(2, 2));
      const dst = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 1));
      const res = dst.loadStateDict(src.stateDict(), false); // threw: strict stayed true
      expect(res.missingKeys).toEqual(['2.weight', '2.bias']);
      close(flat((dst.get(0) as wg.nn.Linear).weight), flat((src.get(0) as wg.nn.Linear).weight));
      dst.forward(wg.ones([1, 2])).sum().backward();
      dst.zeroGrad(true);
      expect(dst.parameters().every((p) => p.grad === null)).toBe(true);
    });

    it('data.DataLoader(ds, 4, true) gives shuffled batches of 4', () => {
      const ds = new data.TensorDataset(wg.arange(0, 10));
      const loader = new data.DataLoader(ds, 4, true);
      const sizes = [...loader].map(([xb]) => xb.shape[0]);
      expect(sizes).toEqual([4, 4, 2]); // was batches of 1
      expect(loader.shuffle).toBe(true);
    });

    it('loss modules take PyTorch positional weight: nn.CrossEntropyLoss(weight)', () => {
      const logits = wg.tensor([[2, 0, 1], [0, 3, 1]]), target = wg.tensor([0, 2], { dtype: 'int32' });
      const weight = wg.tensor([1, 2, 3]);
      const positional = new nn.CrossEntropyLoss(weight).forward(logits, target).item();
      expect(positional).toBeCloseTo(F.crossEntropy(logits, target, { weight }).item(), 6);
      expect(positional).not.toBeCloseTo(F.crossEntropy(logits, target).item(), 3);
      expect(F.crossEntropy(logits, target, weight).item()).toBeCloseTo(positional, 6);
      expect(new nn.HuberLoss('sum', 0.5).delta).toBe(0.5);
      expect(() => new (nn.MSELoss as any)('sum')).toThrow(/MSELoss: expected an options object \{ reduction \}, got the string 'sum'|MSELoss: takes at most 0 positional arguments/);
    });

    it('creating tensors: arange(5, { dtype }) and eye(2, { dtype }) take options after a prefix', () => {
      expect(wg.arange(5, { dtype: 'float32' }).dtype).toBe('float32');
      expect(wg.arange(0, 4, { dtype: 'float32' }).toArray()).toEqual([0, 1, 2, 3]);
      expect(wg.eye(2, { dtype: 'int32' }).toArray()).toEqual([[1, 0], [0, 1]]);
      expect(wg.zeros([2], { requiresGrad: true, device: 'cpu' } as any).requiresGrad).toBe(true);
      expect(() => wg.zeros([2], { device: 'cuda' } as any)).toThrow(/zeros: device = 'cuda' is not supported/);
      expect(() => wg.randn([2], { dtype: 'float64' } as any)).toThrow("randn: dtype must be 'float32' or 'int32', got 'float64'");
      expect(() => wg.randn([2], { dtype: 'int32' })).toThrow(/randn: draws float32 values/);
    });

    // ---- snake_case (and other unknown) options are refused, naming the camelCase spelling ----

    it("DataLoader { batch_size: 32 } throws (did you mean 'batchSize'?)", () => {
      const ds = new data.TensorDataset(wg.zeros([64, 2]));
      expect(() => new data.DataLoader(ds, { batch_size: 32 } as any)).toThrow(
        "DataLoader: unknown option 'batch_size' (did you mean 'batchSize'? options are camelCase)");
      expect(() => new data.DataLoader(ds, { batchSize: 32, drop_last: true } as any)).toThrow(
        "DataLoader: unknown option 'drop_last' (did you mean 'dropLast'? options are camelCase)");
      expect(() => new data.DataLoader(ds, { shuffel: true } as any)).toThrow(
        "DataLoader: unknown option 'shuffel' (expected one of batchSize, shuffle, dropLast, seed, collate)");
      expect(() => new data.DataLoader(ds, { num_workers: 4 } as any)).toThrow(
        /DataLoader: option 'numWorkers' is not supported \('num_workers' is spelt 'numWorkers' here\)/);
      expect(() => new data.DataLoader(ds, { collateFn: (s: unknown[]) => s } as any)).toThrow(/PyTorch's 'collateFn' is 'collate' here/);
      expect(() => new data.DataLoader(ds, { shuffle: 'true' } as any)).toThrow("DataLoader: shuffle must be a boolean, got the string 'true'");
      expect(new data.DataLoader(ds, { batchSize: 32, dropLast: true, numWorkers: 0 } as any).length).toBe(2);
    });

    it("LSTM { batch_first: true } and { num_layers: 2 } throw (did you mean 'batchFirst'?)", () => {
      expect(() => new nn.LSTM(3, 5, { batch_first: true } as any)).toThrow(
        "LSTM: unknown option 'batch_first' (did you mean 'batchFirst'? options are camelCase)");
      expect(() => new nn.GRU(3, 5, { num_layers: 2 } as any)).toThrow(
        "GRU: unknown option 'num_layers' (did you mean 'numLayers'? options are camelCase)");
    });

    it("crossEntropy { label_smoothing } and { ignore_index } throw (did you mean 'labelSmoothing'?)", () => {
      const logits = wg.randn([2, 3]), target = wg.tensor([0, 2], { dtype: 'int32' });
      expect(() => F.crossEntropy(logits, target, { label_smoothing: 0.1 } as any)).toThrow(
        "crossEntropy: unknown option 'label_smoothing' (did you mean 'labelSmoothing'? options are camelCase)");
      expect(() => new nn.CrossEntropyLoss({ ignore_index: 0 } as any)).toThrow(
        "CrossEntropyLoss: unknown option 'ignore_index' (did you mean 'ignoreIndex'? options are camelCase)");
      expect(() => F.mseLoss(logits, logits, { size_average: false } as any)).toThrow(/mseLoss: option 'sizeAverage' is not supported .*use reduction/);
    });

    it("optimizers: { weight_decay } names 'weightDecay'; a parameter group's options are checked too", () => {
      const w = new nn.Parameter(wg.tensor([1]));
      expect(() => new optim.Adam([w], { weight_decay: 0.1 } as any)).toThrow(
        "Adam: unknown option 'weight_decay' (did you mean 'weightDecay'? options are camelCase)");
      expect(() => new optim.SGD([{ params: [w], weight_decay: 0.1 }] as any, 0.1)).toThrow(
        "SGD (parameter group): unknown option 'weight_decay' (did you mean 'weightDecay'? options are camelCase)");
    });

    it("exportOnnx { opset_version } throws; a file path in the options' place says how to write the bytes", () => {
      const model = new nn.Sequential(new nn.Linear(2, 2));
      const x = wg.randn([1, 2]);
      expect(() => wg.exportOnnx(model, x, { opset_version: 17 } as any)).toThrow(
        "exportOnnx: unknown option 'opset_version' (did you mean 'opsetVersion'? options are camelCase)");
      expect(() => wg.exportOnnx(model, x, { dynamic_axes: { input: { 0: 'batch' } } } as any)).toThrow(/exportOnnx: option 'dynamicAxes' is not supported/);
      expect(() => wg.exportOnnx(model, x, 'model.onnx' as any)).toThrow(/saveFile\('model.onnx', exportOnnx\(model, x\)\)/);
    });

    it("rbm.fit { batch_size } throws (did you mean 'batchSize'?)", () => {
      const rbm = new wg.rbm.RBM(4, 2);
      const x = wg.rand([8, 4]);
      expect(() => rbm.fit(x, { epochs: 1, batch_size: 4 } as any)).toThrow(
        "RBM.fit: unknown option 'batch_size' (did you mean 'batchSize'? options are camelCase)");
      expect(() => new wg.rbm.RBM(4, 2, { init_std: 0.1 } as any)).toThrow(/RBM: unknown option 'init_std' \(did you mean 'initStd'\?/);
      expect(rbm.fit(x, { epochs: 1, batchSize: 4, pseudoLikelihoodSamples: 0 })).toHaveLength(1);
    });

    it("tensors, init and module methods check their options: zeros([2], { requires_grad: true }) throws", () => {
      expect(() => wg.zeros([2], { requires_grad: true } as any)).toThrow(
        "zeros: unknown option 'requires_grad' (did you mean 'requiresGrad'? options are camelCase)");
      expect(() => wg.tensor([1, 2], { dtype: 'float32', requiresgrad: true } as any)).toThrow("tensor: unknown option 'requiresgrad' (did you mean 'requiresGrad'?)");
      expect(() => nn.init.kaimingNormal_(wg.empty([4, 4]), { mode: 'fan_out', nonlinearity: 'relu', gain: 2 } as any)).toThrow(
        "kaimingNormal_: unknown option 'gain' (expected one of a, mode, nonlinearity)");
      expect(() => new nn.Linear(2, 2).loadStateDict(new nn.Linear(2, 2).stateDict(), { strict: false, assign: true } as any)).toThrow(
        "loadStateDict: unknown option 'assign' (expected one of strict)");
      expect(() => data.randomSplit(new data.TensorDataset(wg.zeros([4])), [2, 2], { generator: 1 } as any)).toThrow(/randomSplit: generator = 1 is not supported: pass \{ seed: n \}/);
    });

    it('a second init() with different options throws instead of keeping the first ones silently', async () => {
      const simd = wg.backendInfo().simd === 'relaxed' ? 'plain' : 'relaxed';
      await expect(wg.init({ simd })).rejects.toThrow(/wasmgrad init: already initialised.*a second init\(\) can't change simd/);
      await expect(wg.init({ simd_build: 'plain' } as any)).rejects.toThrow(/wasmgrad init: unknown option 'simd_build'/);
      await wg.init(); // no options: fine
    });
  });
}
