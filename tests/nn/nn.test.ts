import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { init, nn, randn, rand, ones, zeros, empty, manualSeed, gradcheck, noGrad, Tensor } from '../../src/index.js';
import { fx, expectClose, type Fix } from './nn-helpers.js';

const F = nn.functional;
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/nn.json', import.meta.url), 'utf8'));

beforeAll(async () => { await init(); });

const values = (t: Tensor) => Array.from(t.data());

function stats(t: Tensor) {
  const v = t.data();
  let s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
  for (const x of v) { s += x; s2 += x * x; lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min: lo, max: hi, n: v.length };
}

// ---------------------------------------------------------------------------------------------
describe('Linear and activations match PyTorch', () => {
  for (const [i, c] of (fixtures.linear as any[]).entries()) {
    it(`Linear(5, 4) on input [${c.x.shape}] (${i})`, () => {
      const lin = new nn.Linear(5, 4);
      lin.loadStateDict({ weight: fx(c.weight), bias: fx(c.bias) });
      const x = fx(c.x, { requiresGrad: true });
      const y = lin.forward(x);
      expectClose(y, c.y, 'y');
      y.backward(fx(c.g));
      expectClose(x.grad, c.gx, 'grad x');
      expectClose(lin.weight.grad, c.gw, 'grad weight');
      expectClose(lin.bias!.grad, c.gb, 'grad bias');
    });
  }

  const ACTS: Record<string, new (...a: any[]) => nn.Module> = { relu: nn.ReLU, sigmoid: nn.Sigmoid, tanh: nn.Tanh, leakyRelu: nn.LeakyReLU };
  for (const c of fixtures.linearFused as any[]) {
    it(`Sequential(Linear, ${c.act}) fuses into one GEMM and matches`, () => {
      const seq = new nn.Sequential(new nn.Linear(5, 4), c.act === 'leakyRelu' ? new nn.LeakyReLU(0.2) : new ACTS[c.act]());
      seq.loadStateDict({ '0.weight': fx(c.weight), '0.bias': fx(c.bias) });
      const x = fx(c.x, { requiresGrad: true });
      const y = seq.forward(x);
      expect(y.gradFn!.name).toMatch(/^Linear/); // the fused op, not a separate activation node
      expectClose(y, c.y, 'y');
      y.backward(fx(c.g));
      expectClose(x.grad, c.gx, 'grad x');
      expectClose((seq.get(0) as nn.Linear).weight.grad, c.gw, 'grad weight');
      expectClose((seq.get(0) as nn.Linear).bias!.grad, c.gb, 'grad bias');
    });
  }

  const MODULES: Record<string, new (...a: any[]) => nn.Module> = {
    ReLU: nn.ReLU, LeakyReLU: nn.LeakyReLU, Sigmoid: nn.Sigmoid, Tanh: nn.Tanh, ELU: nn.ELU, GELU: nn.GELU, SiLU: nn.SiLU,
    Softplus: nn.Softplus, Softmax: nn.Softmax, LogSoftmax: nn.LogSoftmax, LogSigmoid: nn.LogSigmoid, Hardtanh: nn.Hardtanh, ReLU6: nn.ReLU6,
  };
  for (const c of fixtures.activations as any[]) {
    it(`${c.repr}`, () => {
      const m = new MODULES[c.name](...c.args);
      expect(String(m)).toBe(c.repr);
      const x = fx(c.x, { requiresGrad: true });
      const y = m.forward(x);
      expectClose(y, c.y, 'y');
      y.backward(fx(c.g));
      expectClose(x.grad, c.gx, 'grad x');
    });
  }

  it('gradcheck: Linear, activations, GELU tanh approximation', () => {
    manualSeed(3);
    const lin = new nn.Linear(3, 2);
    expect(gradcheck((x, w, b) => F.linear(x, w, b), [randn([4, 3], { requiresGrad: true }), lin.weight, lin.bias!]).ok).toBe(true);
    expect(gradcheck((x) => F.gelu(x, { approximate: 'tanh' }), [randn([2, 3], { requiresGrad: true })]).ok).toBe(true);
    expect(gradcheck((x) => new nn.Sequential(new nn.ELU(0.5), new nn.Softmax(0)).forward(x), [randn([3, 2], { requiresGrad: true })]).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('BatchNorm1d matches PyTorch', () => {
  for (const c of fixtures.batchnorm as any[]) {
    it(`${c.name}: ${c.repr}, ${c.steps.length} training steps then eval`, () => {
      const bn = new nn.BatchNorm1d(c.numFeatures, c.opts);
      expect(String(bn)).toBe(c.repr);
      if (c.weight) noGrad(() => { bn.weight!.copy_(fx(c.weight)); bn.bias!.copy_(fx(c.bias)); });
      const check = (step: any, what: string) => {
        bn.zeroGrad();
        const x = fx(step.x, { requiresGrad: true });
        const y = bn.forward(x);
        expectClose(y, step.y, `${what} y`);
        y.backward(fx(step.g));
        expectClose(x.grad, step.gx, `${what} grad x`, 1e-4, 2e-5);
        if (step.gw) {
          expectClose(bn.weight!.grad, step.gw, `${what} grad weight`, 1e-4, 2e-5);
          expectClose(bn.bias!.grad, step.gb, `${what} grad bias`, 1e-4, 2e-5);
        }
        if (step.running_mean) {
          expectClose(bn.running_mean, step.running_mean, `${what} running_mean`);
          expectClose(bn.running_var, step.running_var, `${what} running_var`);
          expect(bn.num_batches_tracked!.item(), `${what} num_batches_tracked`).toBe(step.num_batches_tracked);
        } else {
          expect(bn.running_mean).toBeNull();
        }
      };
      bn.train();
      c.steps.forEach((s: any, i: number) => check(s, `train step ${i}`));
      bn.eval();
      check(c.eval, 'eval');
    });
  }

  it('gradcheck: training (batch statistics) and eval (running statistics), [N, C] and [N, C, L]', () => {
    manualSeed(5);
    const w = rand([3], { requiresGrad: true }), b = randn([3], { requiresGrad: true });
    const rm = randn([3]), rv = rand([3]).add(0.5).keep();
    const train2 = (x: Tensor, w: Tensor, b: Tensor) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    expect(gradcheck(train2, [randn([5, 3], { requiresGrad: true }), w, b], { atol: 3e-3, rtol: 3e-2 }).ok).toBe(true);
    expect(gradcheck(train2, [randn([4, 3, 2], { requiresGrad: true }), w, b], { atol: 3e-3, rtol: 3e-2 }).ok).toBe(true);
    const evalFn = (x: Tensor, w: Tensor, b: Tensor) => F.batchNorm(x, rm, rv, { weight: w, bias: b });
    expect(gradcheck(evalFn, [randn([4, 3, 2], { requiresGrad: true }), w, b]).ok).toBe(true);
    expect(gradcheck((x) => F.batchNorm(x, null, null, { training: true }), [randn([6, 3], { requiresGrad: true })], { atol: 3e-3, rtol: 3e-2 }).ok).toBe(true);
  });

  it('normalises a [N, C, H, W] input per channel (the op BatchNorm2d reuses)', () => {
    manualSeed(9);
    const x = randn([3, 2, 4, 5]).mul(3).add(2);
    const y = F.batchNorm(x, null, null, { training: true });
    const ch = y.permute(1, 0, 2, 3).reshape([2, -1]);
    for (const c of [0, 1]) {
      const s = stats(ch.select(0, c));
      expect(Math.abs(s.mean)).toBeLessThan(1e-5);
      expect(s.std).toBeCloseTo(1, 3);
    }
  });

  it('rejects wrong ranks, channel counts and single-value batches', () => {
    const bn = new nn.BatchNorm1d(3);
    expect(() => bn.forward(randn([2, 3, 4, 5]))).toThrow(/BatchNorm1d: expected 2D or 3D input/);
    expect(() => bn.forward(randn([4, 2]))).toThrow(/expected 3 channels/);
    expect(() => bn.forward(randn([1, 3]))).toThrow(/more than 1 value per channel/);
    expect(() => F.batchNorm(randn([4, 3]), null, null)).toThrow(/must be given in evaluation mode/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Module', () => {
  const M = fixtures.modules;
  const mlp = () => new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(8, 3));

  class Net extends nn.Module {
    fc1 = new nn.Linear(2, 3);
    act = new nn.Tanh();
    fc2 = new nn.Linear(3, 1, { bias: false });
    blocks = new nn.ModuleList([new nn.Linear(1, 1), new nn.Sequential(new nn.Flatten(), new nn.Unflatten(1, [1, 1]))]);
    forward(x: Tensor): Tensor { return this.fc2.forward(this.act.forward(this.fc1.forward(x))); }
  }

  it('prints like PyTorch', () => {
    expect(String(mlp())).toBe(M.repr);
    expect(new Net().toString()).toBe(M.netRepr);
    const misc = [new nn.Identity(), new nn.Flatten(), new nn.Flatten(0, 2), new nn.Unflatten(1, [2, 5]), new nn.Dropout(), new nn.Dropout(0.25),
      new nn.ELU(), new nn.LeakyReLU(), new nn.GELU(), new nn.Softplus(), new nn.BatchNorm1d(4, { momentum: null, affine: false }),
      new nn.Linear(3, 2, { bias: false }), new nn.CrossEntropyLoss(), new nn.MSELoss()];
    expect(misc.map(String)).toEqual(M.miscReprs);
  });

  it('names parameters and orders the state dict like PyTorch', () => {
    expect([...mlp().stateDict().keys()]).toEqual(M.keys);
    const net = new Net();
    expect([...net.stateDict().keys()]).toEqual(M.netKeys);
    expect(net.namedParameters().map(([n]) => n)).toEqual(M.netParams);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'fc2', 'blocks']);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'fc2', 'blocks', 'blocks.0', 'blocks.1', 'blocks.1.0', 'blocks.1.1']);
    expect(mlp().namedBuffers().map(([n]) => n)).toEqual(['1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(net.numParameters()).toBe(2 * 3 + 3 + 3 + 2);
    expect(net.getSubmodule('blocks.1.0')).toBeInstanceOf(nn.Flatten);
  });

  it('loads a PyTorch state dict and reproduces its eval output', () => {
    const model = mlp();
    const state = Object.fromEntries(Object.entries(M.state).map(([k, v]) => [k, fx(v as Fix)]));
    const res = model.loadStateDict(state);
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    expectClose(model.forward(fx(M.evalInput)), M.evalOutput, 'eval output');
    expect((model.get(1) as nn.BatchNorm1d).num_batches_tracked!.item()).toBe(M.state['1.num_batches_tracked'].data[0]);
  });

  it('loadStateDict checks every key and shape first and leaves the model untouched on error', () => {
    manualSeed(11);
    const model = mlp();
    const before = new Map([...model.stateDict()].map(([k, v]) => [k, values(v)]));
    const good = new Map([...mlp().stateDict()].map(([k, v]) => [k, v.clone()]));
    const bad = new Map(good);
    bad.delete('4.bias');
    bad.set('extra.weight', zeros([2]));
    bad.set('0.weight', zeros([8, 5]));
    let msg = '';
    try { model.loadStateDict(bad); } catch (e) { msg = (e as Error).message; }
    expect(msg).toMatch(/Error\(s\) in loading state_dict for Sequential/);
    expect(msg).toMatch(/Missing key\(s\) in state_dict: "4.bias"/);
    expect(msg).toMatch(/Unexpected key\(s\) in state_dict: "extra.weight"/);
    expect(msg).toMatch(/size mismatch for 0.weight: copying a param with shape \[8,5\] from checkpoint, the shape in current model is \[8,4\]/);
    for (const [k, v] of model.stateDict()) expect(values(v), k).toEqual(before.get(k));
    // Non-strict: key problems are reported, shape problems still throw (and still write nothing).
    expect(() => model.loadStateDict(bad, { strict: false })).toThrow(/size mismatch for 0.weight/);
    for (const [k, v] of model.stateDict()) expect(values(v), k).toEqual(before.get(k));
    const partial = new Map(good);
    partial.delete('4.bias');
    partial.set('extra', zeros([1]));
    expect(model.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['4.bias'], unexpectedKeys: ['extra'] });
    expect(values(model.stateDict().get('0.weight')!)).toEqual(values(good.get('0.weight')!));
    expect(values(model.stateDict().get('4.bias')!)).toEqual(before.get('4.bias'));
  });

  it('stateDict values are detached views of the live parameters', () => {
    const lin = new nn.Linear(2, 2);
    const sd = lin.stateDict();
    const w = sd.get('weight')!;
    expect(w.requiresGrad).toBe(false);
    noGrad(() => lin.weight.fill_(3));
    expect(values(w)).toEqual([3, 3, 3, 3]);
  });

  it('parameters are kept leaf tensors that require grad; buffers are kept too', () => {
    const bn = new nn.BatchNorm1d(2);
    for (const p of bn.parameters()) {
      expect(p).toBeInstanceOf(Tensor);
      expect(p).toBeInstanceOf(nn.Parameter);
      expect(p.requiresGrad && p.isLeaf && p._kept).toBe(true);
    }
    for (const b of bn.buffers()) expect(b._kept).toBe(true);
    const p = new nn.Parameter(randn([2, 3]).t());
    expect(p.isContiguous() && p.requiresGrad).toBe(true);
    expect(new nn.Parameter(zeros([2]), false).requiresGrad).toBe(false);
  });

  it('registers assigned attributes, validates reassignment and drops null slots', () => {
    class Box extends nn.Module {
      scale: Tensor | null = new nn.Parameter(ones([1]));
      inner: nn.Module = new nn.Linear(1, 1);
      constructor() { super(); this.registerBuffer('steps', zeros([1])); this.registerBuffer('cache', zeros([1]), { persistent: false }); }
      forward(x: Tensor) { return x; }
    }
    const box = new Box();
    expect([...box.stateDict().keys()]).toEqual(['scale', 'steps', 'inner.weight', 'inner.bias']);
    expect(box.namedBuffers().map(([n]) => n)).toEqual(['steps', 'cache']);
    expect(() => { (box as any).scale = zeros([1]); }).toThrow(/cannot assign a Tensor of shape \[1\] as parameter 'Box.scale' \(nn.Parameter or null expected/);
    box.inner = new nn.Linear(1, 2);
    expect(box.stateDict().get('inner.weight')!.shape).toEqual([2, 1]);
    box.scale = null;
    expect([...box.stateDict().keys()]).toEqual(['steps', 'inner.weight', 'inner.bias']);
    expect(() => box.registerModule('forward', new nn.ReLU())).toThrow(/attribute 'forward' already exists/);
    expect(() => box.registerParameter('a.b', null)).toThrow(/can't contain "."/);
    expect(() => box.registerParameter('offset', zeros([1]))).toThrow(/nn.Parameter or null expected/);
    expect(box.namedParameters().map(([n]) => n)).toEqual(['inner.weight', 'inner.bias']);
  });

  it('train()/eval() propagate; zeroGrad, apply and requiresGrad_ reach every parameter', () => {
    const model = mlp();
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
    const out = model.forward(randn([6, 4]));
    out.sum().backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => values(p.grad!).every((v) => v === 0))).toBe(true);
    model.zeroGrad({ setToNone: true });
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    const visited: string[] = [];
    model.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear', 'Sequential']);
    model.requiresGrad_(false);
    expect(model.parameters().some((p) => p.requiresGrad)).toBe(false);
  });

  it('containers: Sequential indexing, append, named entries; ModuleList insert; ModuleDict', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq.length).toBe(2);
    expect(seq.get(-1)).toBeInstanceOf(nn.ReLU);
    expect(seq[0]).toBe(seq.get(0));
    seq.append(new nn.Linear(3, 1));
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(seq.forward(randn([5, 2])).shape).toEqual([5, 1]);
    expect(() => seq.get(3)).toThrow(/index 3 is out of range for 3 modules/);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Sigmoid() });
    expect([...named.stateDict().keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(named.get(1)).toBeInstanceOf(nn.Sigmoid);
    const list = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
    list.insert(1, new nn.Linear(1, 1));
    expect(list.namedChildren().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual(['0:ReLU', '1:Linear', '2:Tanh']);
    expect(() => list.forward()).toThrow(/no forward/);
    const dict = new nn.ModuleDict({ enc: new nn.Linear(2, 2) });
    dict.set('dec', new nn.Linear(2, 1));
    expect(dict.keys()).toEqual(['enc', 'dec']);
    expect([...dict.stateDict().keys()]).toEqual(['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
    expect(() => new nn.Sequential(new nn.ReLU(), 3 as any)).toThrow(/argument 1 is not a Module/);
  });

  it('Flatten, Unflatten and Identity reshape as PyTorch', () => {
    const x = randn([2, 3, 4]);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0, 1).forward(x).shape).toEqual([6, 4]);
    expect(new nn.Unflatten(2, [2, -1]).forward(x).shape).toEqual([2, 3, 2, 2]);
    expect(() => new nn.Unflatten(2, [3, 3]).forward(x)).toThrow(/don't multiply up/);
    expect(new nn.Identity(54, 'unused').forward(x)).toBe(x);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Dropout', () => {
  it('fires at rate 1 - p (within 3 standard errors) and scales survivors by 1/(1 - p)', () => {
    manualSeed(21);
    for (const p of [0.1, 0.5, 0.8]) {
      const n = 200_000;
      const y = F.dropout(ones([n]), { p });
      const v = y.data();
      let kept = 0;
      for (const x of v) {
        if (x !== 0) { kept++; expect(Math.abs(x - 1 / (1 - p))).toBeLessThan(1e-6); }
      }
      const rate = kept / n, se = Math.sqrt(p * (1 - p) / n);
      expect(Math.abs(rate - (1 - p)), `p = ${p}`).toBeLessThan(3 * se);
      expect(Math.abs(stats(y).mean - 1)).toBeLessThan(3 * Math.sqrt(p / (1 - p) / n));
    }
  });

  it('is the identity in eval mode and with p = 0; all zeros with p = 1', () => {
    const d = new nn.Dropout(0.5);
    const x = randn([3, 4]);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(values(F.dropout(x, { p: 1 })).every((v) => v === 0)).toBe(true);
    expect(() => new nn.Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });

  it('backward multiplies by the same mask; seeded masks repeat', () => {
    manualSeed(4);
    const x = randn([50, 20], { requiresGrad: true });
    const d = new nn.Dropout(0.4);
    const y = d.forward(x);
    const g = randn([50, 20]);
    y.backward(g);
    const yv = y.data(), xv = x.data(), gv = g.data(), dx = x.grad!.data();
    for (let i = 0; i < yv.length; i++) {
      const mask = yv[i] === 0 ? 0 : yv[i] / xv[i];
      expect(Math.abs(dx[i] - gv[i] * mask)).toBeLessThan(1e-5);
    }
    manualSeed(99);
    const a = values(F.dropout(ones([64]), { p: 0.5 }));
    manualSeed(99);
    expect(values(F.dropout(ones([64]), { p: 0.5 }))).toEqual(a);
    const r = gradcheck((t) => { manualSeed(5); return F.dropout(t, { p: 0.3 }); }, [randn([4, 5], { requiresGrad: true })]);
    expect(r.ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('nn.init', () => {
  const I = nn.init;

  it('computes fans and gains like PyTorch (conv weights include the receptive field)', () => {
    const { shapes, fans, gains } = fixtures.init;
    shapes.forEach((s: number[], i: number) => {
      const { fanIn, fanOut } = I.calculateFanInAndFanOut(empty(s));
      expect([fanIn, fanOut]).toEqual(fans[i]);
    });
    for (const [name, g] of Object.entries(gains as Record<string, number>)) {
      const v = name === 'leaky_relu_0.2' ? I.calculateGain('leakyRelu', 0.2) : I.calculateGain(name);
      expect(v, name).toBeCloseTo(g, 12);
    }
    expect(() => I.calculateFanInAndFanOut(empty([3]))).toThrow(/fewer than 2 dimensions/);
    expect(() => I.calculateGain('swish')).toThrow(/unsupported nonlinearity 'swish'/);
  });

  it('uniform_, normal_, constant_, zeros_, ones_, eye_', () => {
    manualSeed(0);
    const u = stats(I.uniform_(empty([100_000]), -2, 3));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(u.mean).toBeCloseTo(0.5, 1);
    expect(u.std).toBeCloseTo(5 / Math.sqrt(12), 1);
    const n = stats(I.normal_(empty([100_000]), 1, 2));
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(n.std - 2)).toBeLessThan(0.03);
    expect(values(I.constant_(empty([3]), 0.25))).toEqual([0.25, 0.25, 0.25]);
    expect(values(I.zeros_(ones([2])))).toEqual([0, 0]);
    expect(values(I.ones_(zeros([2])))).toEqual([1, 1]);
    expect(values(I.eye_(randn([2, 3])))).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('xavier and kaiming draws have the documented bounds and spread', () => {
    manualSeed(1);
    const w = empty([200, 300]);
    const xb = Math.sqrt(6 / 500);
    let s = stats(I.xavierUniform_(w, 2));
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(2 * xb);
    expect(s.std).toBeCloseTo(2 * xb / Math.sqrt(3), 2);
    s = stats(I.xavierNormal_(w));
    expect(s.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
    const conv = empty([64, 16, 3, 3]); // fanIn 144, fanOut 576
    s = stats(I.kaimingUniform_(conv, { nonlinearity: 'relu' }));
    const kb = Math.sqrt(2) * Math.sqrt(3 / 144);
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(kb);
    expect(s.std / (kb / Math.sqrt(3))).toBeCloseTo(1, 1);
    s = stats(I.kaimingNormal_(conv, { mode: 'fanOut', nonlinearity: 'relu' }));
    expect(s.std / (Math.sqrt(2) / Math.sqrt(576))).toBeCloseTo(1, 1);
    s = stats(I.kaimingNormal_(conv, { mode: 'fan_in', nonlinearity: 'leaky_relu', a: 0.2 }));
    expect(s.std / (Math.sqrt(2 / 1.04) / 12)).toBeCloseTo(1, 1);
    expect(() => I.kaimingUniform_(conv, { mode: 'fanAvg' as any })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
  });

  it('Linear default init is U(-1/sqrt(in), 1/sqrt(in)) and seeded', () => {
    manualSeed(42);
    const lin = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    const w = stats(lin.weight), b = stats(lin.bias!);
    expect(Math.max(-w.min, w.max)).toBeLessThanOrEqual(bound);
    expect(w.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
    expect(Math.max(-b.min, b.max)).toBeLessThanOrEqual(bound);
    manualSeed(42);
    expect(values(new nn.Linear(400, 300).weight)).toEqual(values(lin.weight));
  });
});
