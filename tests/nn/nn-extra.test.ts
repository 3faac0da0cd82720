// nn.Embedding / F.embedding and nn.LayerNorm / F.layerNorm against PyTorch fixtures
// (scripts/fixtures/nn_extra.py), finite-difference gradient checks, thread-count independence,
// state_dict names through safetensors, and ONNX export run in onnxruntime-node.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as wg from '../../src/index.js';
import { fx, expectClose, type Fix } from './nn-helpers.js';
import { loadFixture } from '../helpers.js';
import { PYTHON, itRequiring, torchMissing } from '../requirements.js';

const { nn } = wg;
const F = nn.functional;
const fixtures = loadFixture('nn-extra');
const SCRIPTS = new URL('../../scripts/', import.meta.url).pathname;

beforeAll(async () => { await wg.init(); });

// ---------------------------------------------------------------------------------------------
describe('Embedding matches PyTorch', () => {
  for (const c of fixtures.embedding as any[]) {
    it(`${c.repr}: ${c.name}`, () => {
      const m = new nn.Embedding(c.num, c.dim, c.opts);
      expect(String(m)).toBe(c.repr);
      m.loadStateDict({ weight: fx(c.weight) });
      const y = m.forward(fx(c.input));
      expectClose(y, c.y, 'y');
      y.backward(fx(c.g));
      expectClose(m.weight.grad, c.gw, 'grad weight');
      expectClose(m.weight, c.weightAfter, 'weight after forward (maxNorm renormalises in place)');
    });
  }

  it('F.embedding gives the same values and gradients as the module', () => {
    const c = (fixtures.embedding as any[]).find((e) => e.opts.paddingIdx === 0);
    const w = fx(c.weight, { requiresGrad: true });
    const y = F.embedding(fx(c.input), w, { paddingIdx: 0 });
    expectClose(y, c.y, 'y');
    y.backward(fx(c.g));
    expectClose(w.grad, c.gw, 'grad weight');
  });

  it('initialises the weight N(0, 1) like PyTorch, with the padding row zero', () => {
    wg.manualSeed(3);
    const m = new nn.Embedding(500, 40, { paddingIdx: 7 });
    const v = m.weight.data();
    let s = 0, s2 = 0;
    for (let i = 0; i < v.length; i++) if (Math.floor(i / 40) !== 7) { s += v[i]; s2 += v[i] * v[i]; }
    const n = v.length - 40, mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(s2 / n - mean * mean) - 1)).toBeLessThan(0.02);
    expect(Array.from(m.weight.select(0, 7).data())).toEqual(new Array(40).fill(0));
    expect([...m.stateDict().keys()]).toEqual(['weight']);
  });

  it('Embedding.fromPretrained copies the table and freezes it unless told not to', () => {
    const table = wg.tensor([[1, 2], [3, 4], [5, 6]]);
    const frozen = nn.Embedding.fromPretrained(table);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.forward(wg.tensor([2, 0], { dtype: 'int32' })).toArray()).toEqual([[5, 6], [1, 2]]);
    const trainable = nn.Embedding.fromPretrained(table, { freeze: false, paddingIdx: 1 });
    expect(trainable.weight.requiresGrad).toBe(true);
    expect(trainable.paddingIdx).toBe(1);
    expect(trainable.weight.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]); // from_pretrained keeps the padding row's values
  });

  it('passes a finite-difference gradient check (repeated indices add up)', () => {
    // (paddingIdx and scaleGradByFreq change the gradient on purpose, so only the fixtures check them.)
    wg.manualSeed(11);
    const idx = wg.tensor([[1, 3, 3], [0, 4, 1]], { dtype: 'int32' });
    const w = wg.randn([5, 3], { requiresGrad: true });
    const r = wg.gradcheck((wt) => F.embedding(idx, wt).tanh(), [w]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(15);
  });

  it('gives the same values and gradients on 1 and 2 threads (a lookup big enough to be split)', () => {
    if (wg.backendInfo().threads < 2) return;
    const max = wg.getNumThreads();
    const run = (threads: number) => {
      wg.setNumThreads(threads);
      wg.manualSeed(5);
      const m = new nn.Embedding(1000, 64);
      const idx = wg.randint(0, 1000, [32, 40]);
      const y = m.forward(idx);
      y.mul(y).sum().backward();
      return [Array.from(y.data()), Array.from(m.weight.grad!.data())];
    };
    try {
      const [y1, g1] = run(1), [y2, g2] = run(2);
      expect(y2).toEqual(y1);
      expect(g2).toEqual(g1);
    } finally { wg.setNumThreads(max); }
  });

  it('errors name the op, the shapes and what was expected', () => {
    const m = new nn.Embedding(10, 4);
    expect(() => m.forward(wg.tensor([[1, 2], [3, 10]], { dtype: 'int32' })))
      .toThrow('embedding: index 10 at position [1, 1] of the input (shape [2,2]) is out of range for a weight of 10 rows (shape [10,4]): indices must be in [0, 9]');
    expect(() => m.forward(wg.tensor([-1], { dtype: 'int32' }))).toThrow(/index -1 at position \[0\]/);
    expect(() => m.forward(wg.tensor([1, 2]))).toThrow("embedding: indices must be an int32 tensor, got float32 of shape [2] (create them with { dtype: 'int32' }, or convert with .int())");
    expect(() => m.forward([1, 2] as any)).toThrow(/embedding: input must be an int32 Tensor of indices, got an array/);
    expect(() => new nn.Embedding(10, 4, { paddingIdx: 10 })).toThrow('Embedding: paddingIdx must be an integer within numEmbeddings (10), i.e. in [-10, 9], got 10');
    expect(() => new nn.Embedding(10, 4, { sparse: true })).toThrow(/Embedding: sparse = true is not supported: sparse gradients/);
    expect(() => F.embedding(wg.tensor([0], { dtype: 'int32' }), wg.randn([10]))).toThrow('embedding: weight must be a float32 tensor of shape [numEmbeddings, embeddingDim], got float32 [10]');
  });
});

// ---------------------------------------------------------------------------------------------
describe('LayerNorm matches PyTorch', () => {
  for (const c of fixtures.layernorm as any[]) {
    it(`${c.repr}: ${c.name}${c.reference === 'float64' ? ' (expected values: PyTorch in float64)' : ''}`, () => {
      const m = new nn.LayerNorm(c.normalizedShape, c.opts);
      expect(String(m)).toBe(c.repr);
      expect([...m.stateDict().keys()]).toEqual(c.keys);
      if (c.weight) m.loadStateDict({ weight: fx(c.weight), bias: fx(c.bias) });
      const x = fx(c.x, { requiresGrad: true });
      const y = m.forward(x);
      expect(y.gradFn!.name).toBe('NativeLayerNormBackward0'); // one fused node, not a chain of ops
      expectClose(y, c.y, 'y', 1e-4, 1e-4);
      y.backward(fx(c.g));
      expectClose(x.grad, c.gx, 'grad x', 1e-3, 1e-4);
      if (c.weight) {
        expectClose(m.weight!.grad, c.gw, 'grad weight', 1e-4, 1e-4);
        expectClose(m.bias!.grad, c.gb, 'grad bias', 1e-4, 1e-4);
      }
    });
  }

  it('F.layerNorm(x, normalizedShape, weight, bias, eps) matches the module', () => {
    const c = (fixtures.layernorm as any[]).find((e) => e.normalizedShape.length === 2);
    const x = fx(c.x, { requiresGrad: true }), w = fx(c.weight, { requiresGrad: true }), b = fx(c.bias, { requiresGrad: true });
    const y = F.layerNorm(x, c.normalizedShape, w, b, 1e-5);
    expectClose(y, c.y, 'y', 1e-4, 1e-4);
    y.backward(fx(c.g));
    expectClose(x.grad, c.gx, 'grad x', 1e-3, 1e-4);
    expectClose(w.grad, c.gw, 'grad weight', 1e-4, 1e-4);
    expectClose(b.grad, c.gb, 'grad bias', 1e-4, 1e-4);
  });

  it('without a bias (bias: false) has only a weight; an empty batch gives an empty output and zero parameter gradients', () => {
    const m = new nn.LayerNorm(3, { bias: false });
    expect([...m.stateDict().keys()]).toEqual(['weight']);
    const y = m.forward(wg.zeros([0, 3], { requiresGrad: true }));
    expect(y.shape).toEqual([0, 3]);
    y.sum().backward();
    expect(Array.from(m.weight!.grad!.data())).toEqual([0, 0, 0]);
  });

  it('passes a finite-difference gradient check for the input, weight and bias', () => {
    wg.manualSeed(12);
    const x = wg.randn([3, 2, 5], { requiresGrad: true });
    const w = wg.rand([2, 5], { requiresGrad: true }), b = wg.randn([2, 5], { requiresGrad: true });
    const r = wg.gradcheck((xi, wi, bi) => F.layerNorm(xi, [2, 5], wi, bi).tanh(), [x, w, b], { eps: 1e-2, atol: 2e-3 });
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(30 + 10 + 10);
    const x2 = wg.randn([4, 7], { requiresGrad: true });
    expect(wg.gradcheck((xi) => F.layerNorm(xi, 7).mul(wg.arange(0, 7)), [x2], { atol: 2e-3 }).ok).toBe(true);
  });

  it('gives bit-identical values and gradients on 1 and 2 threads, equal to the composite formula', () => {
    if (wg.backendInfo().threads < 2) return;
    const max = wg.getNumThreads();
    const run = (threads: number) => {
      wg.setNumThreads(threads);
      wg.manualSeed(6);
      const m = new nn.LayerNorm(96);
      wg.noGrad(() => { m.weight!.uniform_(0.5, 1.5); m.bias!.normal_(); });
      const x = wg.randn([700, 96], { requiresGrad: true }); // 67,200 elements: split across threads
      const y = m.forward(x);
      y.mul(wg.randn([700, 96])).sum().backward();
      return { m, x, y: Array.from(y.data()), g: [x.grad!, m.weight!.grad!, m.bias!.grad!].map((t) => Array.from(t.data())) };
    };
    try {
      const one = run(1), two = run(2);
      expect(two.y).toEqual(one.y);
      expect(two.g).toEqual(one.g);
      // The same normalisation from elementwise ops.
      const { m, x } = two;
      const mean = x.mean(-1, true), centred = x.sub(mean);
      const ref = centred.div(centred.mul(centred).mean(-1, true).add(1e-5).sqrt()).mul(m.weight!).add(m.bias!);
      expectClose(wg.tensor(Float32Array.from(two.y), { shape: [700, 96] }), { shape: ref.shape, data: Array.from(ref.data()) } as Fix, 'composite', 1e-4, 1e-4);
    } finally { wg.setNumThreads(max); }
  });

  it('errors name the op, the shapes and what was expected', () => {
    const m = new nn.LayerNorm([4, 5]);
    expect(() => m.forward(wg.randn([2, 5, 4]))).toThrow('layerNorm: normalizedShape [4,5] must match the last 2 dim(s) of the input, i.e. an input of shape [*, 4, 5], got [2,5,4]');
    expect(() => m.forward(wg.randn([5]))).toThrow(/must match the last 2 dim\(s\)/);
    expect(() => F.layerNorm(wg.randn([2, 3]), 3, wg.ones([4]))).toThrow('layerNorm: weight must be a float32 tensor of shape [3] (normalizedShape), got float32 [4]');
    expect(() => F.layerNorm(wg.tensor([1, 2], { dtype: 'int32' }), 2)).toThrow('layerNorm: expected a float32 input, got int32 of shape [2]');
    expect(() => new nn.LayerNorm(0)).toThrow('LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got 0');
  });
});

// ---------------------------------------------------------------------------------------------
describe('state_dict names, safetensors and ONNX', () => {
  const model = () => {
    wg.manualSeed(21);
    const m = new nn.Sequential(new nn.Embedding(12, 8, { paddingIdx: 0 }), new nn.LayerNorm(8), new nn.Linear(8, 3));
    wg.noGrad(() => { (m.get(1) as wg.nn.LayerNorm).weight!.uniform_(0.5, 1.5); (m.get(1) as wg.nn.LayerNorm).bias!.normal_(); });
    return m;
  };

  it('round-trips through wg.save / wg.load under PyTorch names', () => {
    const a = model();
    const bytes = wg.save(a.stateDict());
    const loaded = wg.load(bytes);
    expect([...loaded.keys()].sort()).toEqual(['0.weight', '1.bias', '1.weight', '2.bias', '2.weight']);
    wg.manualSeed(99);
    const b = new nn.Sequential(new nn.Embedding(12, 8, { paddingIdx: 0 }), new nn.LayerNorm(8), new nn.Linear(8, 3));
    b.loadStateDict(loaded);
    const idx = wg.tensor([[0, 3, 11], [5, 5, 1]], { dtype: 'int32' });
    expect(Array.from(b.forward(idx).data())).toEqual(Array.from(a.forward(idx).data()));
  });

  itRequiring('a file saved here loads into the same torch model (strict) and torch reproduces our outputs', torchMissing(), () => {
    const m = model();
    const idx = wg.tensor([[0, 3, 11, 2], [5, 5, 1, 9]], { dtype: 'int32' });
    const ours = m.forward(idx);
    const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-nn-extra-'));
    try {
      const file = join(dir, 'tokens.safetensors');
      writeFileSync(file, wg.save(m));
      // torch loads it with strict=True: the state_dict names and shapes must be PyTorch's exactly.
      const script = [
        'import json, sys, torch', `sys.path.insert(0, ${JSON.stringify(SCRIPTS)})`,
        'from check_safetensors_in_torch import read_safetensors',
        'm = torch.nn.Sequential(torch.nn.Embedding(12, 8, padding_idx=0), torch.nn.LayerNorm(8), torch.nn.Linear(8, 3))',
        `state, _ = read_safetensors(${JSON.stringify(file)})`,
        'm.load_state_dict(state, strict=True)',
        `x = torch.tensor(${JSON.stringify(idx.toArray())}, dtype=torch.long)`,
        'print(json.dumps(m(x).detach().reshape(-1).tolist()))',
      ].join('\n');
      const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`torch failed:\n${r.stderr}`);
      expectClose(wg.tensor(JSON.parse(r.stdout) as number[]).reshape(ours.shape), { shape: ours.shape, data: Array.from(ours.data()) }, 'torch vs wasmgrad', 1e-4, 1e-5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function runOrt(bytes: Uint8Array, input: ort.Tensor) {
    const session = await ort.InferenceSession.create(bytes);
    const r = await session.run({ input });
    return { shape: r.output.dims.map(Number), data: Array.from(r.output.data as Float32Array) };
  }

  for (const opset of [13, 17]) {
    it(`Embedding (Gather on int32 indices) -> LayerNorm (${opset >= 17 ? 'LayerNormalization' : 'decomposed: ReduceMean, Sub, Mul, Sqrt, Div'}) -> Linear at opset ${opset}`, async () => {
      const m = model();
      m.eval();
      const idx = wg.tensor([[0, 3, 11, 2], [5, 5, 1, 9]], { dtype: 'int32' });
      const bytes = wg.exportOnnx(m, idx, { opsetVersion: opset });
      for (const x of [idx, wg.tensor([[7, 7, 7, 0]], { dtype: 'int32' })]) {
        const ours = m.forward(x);
        const theirs = await runOrt(bytes, new ort.Tensor('int32', Int32Array.from(x.data()), x.shape.slice()));
        expect(theirs.shape).toEqual(ours.shape);
        expectClose(wg.tensor(Float32Array.from(theirs.data), { shape: theirs.shape }), { shape: ours.shape, data: Array.from(ours.data()) }, 'onnxruntime vs wasmgrad', 1e-4, 1e-5);
      }
    });
  }

  it('LayerNorm over several dims without affine, after a Linear on 3-D input (opsets 13 and 17)', async () => {
    wg.manualSeed(22);
    const m = new nn.Sequential(new nn.Linear(4, 6), new nn.Unflatten(2, [2, 3]), new nn.LayerNorm([2, 3], { elementwiseAffine: false, eps: 1e-3 }));
    m.eval();
    const x = wg.randn([2, 5, 4]).mul(3);
    for (const opset of [13, 17]) {
      const bytes = wg.exportOnnx(m, x, { opsetVersion: opset });
      const ours = m.forward(x);
      const theirs = await runOrt(bytes, new ort.Tensor('float32', Float32Array.from(x.data()), x.shape.slice()));
      expect(theirs.shape).toEqual(ours.shape);
      expectClose(wg.tensor(Float32Array.from(theirs.data), { shape: theirs.shape }), { shape: ours.shape, data: Array.from(ours.data()) }, `opset ${opset}`, 1e-4, 1e-5);
    }
  });

  it('an Embedding with maxNorm cannot be exported (ONNX Gather does not renormalise)', () => {
    const m = new nn.Sequential(new nn.Embedding(5, 2, { maxNorm: 1 }));
    expect(() => wg.exportOnnx(m, wg.tensor([1], { dtype: 'int32' }))).toThrow("exportOnnx: can't export Embedding '0': maxNorm rescales rows during forward, which ONNX Gather does not do");
  });

  it('an Embedding must be fed int32 indices, and only an Embedding may take them', () => {
    expect(() => wg.exportOnnx(new nn.Sequential(new nn.Embedding(5, 2)), wg.tensor([1, 2])))
      .toThrow(/embedding: indices must be an int32 tensor/);
    expect(() => wg.exportOnnx(new nn.Sequential(new nn.Linear(2, 2)), wg.tensor([[1, 2]], { dtype: 'int32' })))
      .toThrow("exportOnnx: an int32 exampleInput is only accepted by a model whose first layer is an Embedding; got a Sequential starting with Linear");
  });
});
