// Optimizers, LR schedulers and gradient clipping against PyTorch 1.13 (tests/fixtures/optim.json,
// from scripts/fixtures/optim.py), plus the API's state handling and errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, tensor, zeros, ones, backendInfo, clipGradNorm, clipGradValue, noGrad, optim, type Tensor } from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface Step { loss: number; grads: Record<'W' | 'b', number[]>; params: Record<'W' | 'b', number[]> }
interface OptCase { name: string; optimizer: string; options: any; groups?: any[]; steps: Step[] }
interface SchedCase { name: string; scheduler: string; options: any; lrs: number[]; sequence: number[][]; metrics?: number[] }
interface Fixture {
  problem: Record<'W' | 'b' | 'x' | 'y', TensorSpec>;
  optimizers: OptCase[];
  schedulers: SchedCase[];
  clipNorm: { maxNorm: number; normType: number | 'inf'; grads: TensorSpec[]; total: number; clipped: number[][] }[];
  clipValue: { clipValue: number; grad: TensorSpec; clipped: number[] }[];
}
const fx = loadFixture<Fixture>('optim');

/** Compares a tensor's values (flattened) with the fixture's flat list. */
function near(t: Tensor, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5, label = 'values'): void {
  expectClose(t.data(), Float32Array.from(expected), rtol, atol, label);
}

const CTORS: Record<string, new (params: any, opts: any) => optim.Optimizer<any>> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
};

/** Fresh W, b from the fixture and an optimizer over them built like the PyTorch case. */
function setup(c: OptCase) {
  const W = fromSpec(fx.problem.W, { requiresGrad: true });
  const b = fromSpec(fx.problem.b, { requiresGrad: true });
  const named = { W, b } as Record<string, Tensor>;
  const params = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((n: string) => named[n]) })) : [W, b];
  return { W, b, opt: new CTORS[c.optimizer](params, c.options) };
}

function setGrads(W: Tensor, b: Tensor, s: Step): void {
  W.grad = tensor(Float32Array.from(s.grads.W), { shape: W.shape });
  b.grad = tensor(Float32Array.from(s.grads.b), { shape: b.shape });
}

describe('optimizers match PyTorch step for step (recorded gradients)', () => {
  for (const c of fx.optimizers) {
    it(c.name, () => {
      const { W, b, opt } = setup(c);
      c.steps.forEach((s, i) => {
        opt.zeroGrad();
        setGrads(W, b, s);
        opt.step();
        near(W, s.params.W, 1e-4, 1e-6, `${c.name} step ${i + 1} W`);
        near(b, s.params.b, 1e-4, 1e-6, `${c.name} step ${i + 1} b`);
      });
    });
  }
});

describe('optimizers in a training loop (gradients from wasmgrad autograd)', () => {
  for (const name of ['sgd_nesterov', 'adam_amsgrad', 'adamw', 'rmsprop_centered_momentum', 'adagrad_lr_decay', 'sgd_groups']) {
    it(name, () => {
      const c = fx.optimizers.find((o) => o.name === name)!;
      const { W, b, opt } = setup(c);
      const x = fromSpec(fx.problem.x), y = fromSpec(fx.problem.y);
      c.steps.forEach((s, i) => {
        opt.zeroGrad();
        const loss = x.matmul(W.t()).add(b).sub(y).square().sum();
        expect(loss.item()).toBeCloseTo(s.loss, 3);
        loss.backward();
        near(W.grad!, s.grads.W, 1e-4, 1e-5, `${name} step ${i + 1} grad W`);
        opt.step();
        near(W, s.params.W, 1e-4, 1e-5, `${name} step ${i + 1} W`);
        near(b, s.params.b, 1e-4, 1e-5, `${name} step ${i + 1} b`);
      });
    });
  }
});

describe('optimizer state', () => {
  it('stateDict / loadStateDict resume training exactly', () => {
    for (const name of ['sgd_momentum', 'adam_amsgrad', 'rmsprop_centered_momentum', 'adagrad_lr_decay', 'adam_groups']) {
      const c = fx.optimizers.find((o) => o.name === name)!;
      const a = setup(c);
      for (const s of c.steps.slice(0, 3)) { a.opt.zeroGrad(); setGrads(a.W, a.b, s); a.opt.step(); }
      const sd = a.opt.stateDict();
      expect(sd.paramGroups.map((g) => g.params)).toEqual(c.groups ? [[0], [1]] : [[0, 1]]);
      // A second optimizer over copies of the parameters, resumed from the state dict.
      const b = setup(c);
      noGrad(() => { b.W.copy_(a.W); b.b.copy_(a.b); }); // parameters are leaves that require grad
      b.opt.loadStateDict(sd);
      // The state dict holds copies: stepping `a` further must not change what `b` loaded.
      for (const s of c.steps.slice(3)) { a.opt.zeroGrad(); setGrads(a.W, a.b, s); a.opt.step(); }
      for (const s of c.steps.slice(3)) { b.opt.zeroGrad(); setGrads(b.W, b.b, s); b.opt.step(); }
      const last = c.steps[4];
      near(b.W, last.params.W, 1e-4, 1e-6, `${name} resumed W`);
      near(b.b, last.params.b, 1e-4, 1e-6, `${name} resumed b`);
      expect(Array.from(b.W.data())).toEqual(Array.from(a.W.data()));
    }
  });

  it('stateDict uses PyTorch state names and loadStateDict checks the layout', () => {
    const W = zeros([2, 3], { requiresGrad: true }), b = zeros([3], { requiresGrad: true });
    const opt = new optim.Adam([W, b], { lr: 0.1, amsgrad: true });
    W.grad = ones([2, 3]);
    opt.step(); // b has no gradient: skipped, no state
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0']);
    expect(Object.keys(sd.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect(sd.state[0].step).toBe(1);
    expect(sd.paramGroups[0]).toMatchObject({ lr: 0.1, betas: [0.9, 0.999], amsgrad: true, params: [0, 1] });
    const other = new optim.Adam([W], { lr: 0.1 });
    expect(() => other.loadStateDict(sd)).toThrow(/parameter group 0 holds 2 parameters in the state dict, 1 in the optimizer/);
    const bad = { ...sd, state: { 0: { ...sd.state[0], exp_avg: zeros([3]) } } };
    expect(() => new optim.Adam([W, b]).loadStateDict(bad)).toThrow(/state 'exp_avg' of parameter 0 has shape \[3\], the parameter has shape \[2,3\]/);
  });

  it('zeroGrad drops gradients by default (a held one stays valid) and zeroes them in place with setToNone: false', () => {
    const w = ones([4], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.5 });
    w.grad = tensor([1, 2, 3, 4]);
    const g = w.grad;
    opt.zeroGrad({ setToNone: false });
    expect(w.grad).toBe(g);
    expect(Array.from(w.grad!.data())).toEqual([0, 0, 0, 0]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    // Like PyTorch, a gradient the program still holds stays valid after zero_grad(set_to_none).
    expect(g.isDisposed).toBe(false);
    expect(Array.from(g.data())).toEqual([0, 0, 0, 0]);
    opt.step(); // no gradient: nothing happens
    expect(Array.from(w.data())).toEqual([1, 1, 1, 1]);
  });

  it('does not allocate wasm memory per step once its state exists', () => {
    const params = [zeros([37, 11], { requiresGrad: true }), zeros([5], { requiresGrad: true })];
    for (const p of params) p.grad = ones(p.shape);
    for (const opt of [
      new optim.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true }), new optim.Adam(params, { amsgrad: true }),
      new optim.AdamW(params), new optim.RMSprop(params, { centered: true, momentum: 0.5 }), new optim.Adagrad(params),
    ]) {
      opt.step();
      const before = backendInfo().memory;
      for (let i = 0; i < 20; i++) opt.step();
      const after = backendInfo().memory;
      expect(after.inUse).toBe(before.inUse);
      expect(after.liveBlocks).toBe(before.liveBlocks);
    }
  });

  it('paramGroups carry their own options and addParamGroup fills in the defaults', () => {
    const a = ones([3], { requiresGrad: true }), b = ones([3], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0.9], [0.01, 0.9]]);
    a.grad = ones([3]); b.grad = ones([3]);
    opt.step();
    near(a, [0.9, 0.9, 0.9]);
    near(b, [0.99, 0.99, 0.99]);
    opt.paramGroups[1].lr = 0; // groups are live: schedulers and users edit them
    opt.step();
    near(b, [0.99, 0.99, 0.99]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/SGD: some parameters appear in more than one parameter group/);
  });

  it('AdamW decays weights even with a zero gradient; its default weightDecay is 1e-2', () => {
    const w = ones([5], { requiresGrad: true });
    const opt = new optim.AdamW([w], { lr: 0.1 });
    expect(opt.paramGroups[0].weightDecay).toBe(0.01);
    w.grad = zeros([5]);
    opt.step();
    near(w, new Array(5).fill(1 - 0.1 * 0.01), 1e-6, 0);
  });

  it('step(closure) evaluates the closure with gradients on and returns its loss', () => {
    const w = tensor([2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.25 });
    const loss = opt.step(() => { opt.zeroGrad(); const l = w.square().sum(); l.backward(); return l.item(); });
    expect(loss).toBe(4);
    near(w, [1]);
  });
});

describe('optimizer errors', () => {
  const p = () => zeros([2], { requiresGrad: true });
  it('rejects invalid options with the optimizer, option and value in the message', () => {
    expect(() => new optim.SGD([p()], { lr: -1 })).toThrow('SGD: invalid learning rate -1 (expected >= 0)');
    expect(() => new optim.SGD([p()], { lr: 0.1, momentum: -0.5 })).toThrow('SGD: invalid momentum value -0.5 (expected >= 0)');
    expect(() => new optim.SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/SGD: nesterov momentum requires a momentum > 0 and zero dampening/);
    expect(() => new optim.SGD([p()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/zero dampening \(got momentum 0.9, dampening 0.1\)/);
    expect(() => new optim.SGD([p()], {} as any)).toThrow(/SGD: the learning rate lr is required/);
    expect(() => new optim.Adam([p()], { betas: [1, 0.999] })).toThrow('Adam: invalid beta parameter at index 0: 1 (expected 0 <= beta1 < 1)');
    expect(() => new optim.AdamW([p()], { betas: [0.9, -0.1] })).toThrow('AdamW: invalid beta parameter at index 1: -0.1 (expected 0 <= beta2 < 1)');
    expect(() => new optim.Adam([p()], { eps: -1 })).toThrow('Adam: invalid epsilon value -1 (expected >= 0)');
    expect(() => new optim.Adam([p()], { weightDecay: NaN })).toThrow('Adam: invalid weightDecay value NaN (expected >= 0)');
    expect(() => new optim.RMSprop([p()], { alpha: -0.1 })).toThrow('RMSprop: invalid alpha value -0.1 (expected >= 0)');
    expect(() => new optim.Adagrad([p()], { lrDecay: -1 })).toThrow('Adagrad: invalid lrDecay value -1 (expected >= 0)');
    expect(() => new optim.SGD([p()], { lr: 0.1, weight_decay: 0.1 } as any)).toThrow(/SGD: unknown option 'weight_decay'.*weightDecay/);
    expect(() => new optim.Adam([{ params: [p()], lr: -2 }])).toThrow('Adam: invalid learning rate -2 (expected >= 0)');
  });

  it('rejects bad parameter lists', () => {
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('SGD: got an empty parameter list');
    const w = p();
    expect(() => new optim.SGD([w, w], { lr: 0.1 })).toThrow(/some parameters appear in more than one parameter group/);
    expect(() => new optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow(/SGD: can't optimize a non-leaf Tensor/);
    expect(() => new optim.Adam([1 as any])).toThrow(/Adam: can only optimize Tensors, but parameter 0 of the group is number/);
  });

  it('rejects a gradient whose shape differs from the parameter', () => {
    const w = p();
    // Refused on assignment already, as PyTorch does (the optimizer's own check stays as a backstop).
    expect(() => { w.grad = zeros([3]); }).toThrow('grad: assigned grad has data of a different size ([3]) than the tensor ([2])');
  });
});

describe('LR schedulers match PyTorch', () => {
  const lambdas: Record<string, (e: number) => number> = { pow095: (e) => 0.95 ** e, warmup5: (e) => Math.min(1, (e + 1) / 5) };
  for (const c of fx.schedulers) {
    it(c.name, () => {
      const opt = new optim.SGD(c.lrs.map((lr) => ({ params: [zeros([1], { requiresGrad: true })], lr })), { lr: c.lrs[0] });
      const opts = { ...c.options };
      if (opts.lrLambda) opts.lrLambda = lambdas[opts.lrLambda];
      const Ctor = (optim as any)[c.scheduler];
      const sched = new Ctor(opt, opts);
      const seq = [sched.getLastLr()];
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(seq[0]);
      for (let e = 0; e < c.sequence.length - 1; e++) {
        opt.step();
        if (c.metrics) sched.step(c.metrics[e]); else sched.step();
        seq.push(opt.paramGroups.map((g) => g.lr));
        expect(sched.getLastLr()).toEqual(seq[seq.length - 1]);
      }
      expectClose(seq.flat(), c.sequence.flat(), 1e-12, 0, `${c.name} lrs`);
    });
  }

  it('records initialLr in the groups and resumes from lastEpoch', () => {
    const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const a = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    expect(opt.paramGroups[0].initialLr).toBe(0.1);
    for (let i = 0; i < 3; i++) a.step();
    // Resume: a new optimizer and scheduler loaded from the old ones' state dicts.
    const opt2 = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    opt2.loadStateDict(opt.stateDict());
    expect(opt2.paramGroups[0]).toMatchObject({ lr: 0.05, initialLr: 0.1 });
    const b = new optim.StepLR(opt2, { stepSize: 2, gamma: 0.5, lastEpoch: 0 });
    b.loadStateDict(a.stateDict());
    for (let i = 0; i < 3; i++) { a.step(); b.step(); expect(b.getLastLr()).toEqual(a.getLastLr()); }
    expect(b.lastEpoch).toBe(6);
    expect(b.getLastLr()).toEqual([0.0125]);
    const fresh = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new optim.ExponentialLR(fresh, { gamma: 0.9, lastEpoch: 3 })).toThrow(/ExponentialLR: initialLr is not set in paramGroups\[0\] when resuming/);
  });

  it('rejects bad scheduler options', () => {
    const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new optim.StepLR(opt, { stepSize: 0 })).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new optim.CosineAnnealingLR(opt, { TMax: 2.5 })).toThrow('CosineAnnealingLR: TMax must be a positive integer, got 2.5');
    expect(() => new optim.MultiStepLR(opt, { milestones: [3, -1] })).toThrow('MultiStepLR: milestones must be non-negative integers, got -1');
    expect(() => new optim.ReduceLROnPlateau(opt, { factor: 1 })).toThrow('ReduceLROnPlateau: factor must be < 1.0, got 1');
    expect(() => new optim.ReduceLROnPlateau(opt, { mode: 'up' as any })).toThrow("ReduceLROnPlateau: mode must be 'min' or 'max', got 'up'");
    expect(() => new optim.ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow('ReduceLROnPlateau: expected 1 minLrs (one per group), got 2');
    expect(() => new optim.LambdaLR(opt, { lrLambda: [(e) => e, (e) => e] })).toThrow('LambdaLR: expected 1 lrLambdas (one per group), got 2');
  });

  it('ReduceLROnPlateau accepts a one-element tensor metric', () => {
    const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 });
    const s = new optim.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(tensor([1]));
    s.step(tensor([1]));
    expect(s.getLastLr()).toEqual([0.5]);
  });
});

describe('gradient clipping matches PyTorch', () => {
  for (const c of fx.clipNorm) {
    it(`clipGradNorm maxNorm ${c.maxNorm}, normType ${c.normType}`, () => {
      const params = c.grads.map((g) => { const p = zeros(g.shape, { requiresGrad: true }); p.grad = fromSpec(g); return p; });
      const total = clipGradNorm(params, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
      expect(typeof total).toBe('number');
      expectClose([total], [c.total], 1e-5, 0, 'total norm');
      params.forEach((p, i) => near(p.grad!, c.clipped[i], 1e-5, 1e-7, `clipped grad ${i}`));
    });
  }
  for (const c of fx.clipValue) {
    it(`clipGradValue ${c.clipValue}`, () => {
      const p = zeros(c.grad.shape, { requiresGrad: true });
      p.grad = fromSpec(c.grad);
      clipGradValue([p], c.clipValue);
      near(p.grad, c.clipped, 0, 0);
    });
  }

  it('skips parameters without gradients, returns 0 for none, and can refuse non-finite norms', () => {
    const a = zeros([3], { requiresGrad: true }), b = zeros([2], { requiresGrad: true });
    expect(clipGradNorm([a, b], 1)).toBe(0);
    b.grad = tensor([3, 4]);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(5, 6);
    near(b.grad, [3, 4], 0, 0); // below maxNorm: untouched
    expect(clipGradNorm(b, 1)).toBeCloseTo(5, 6); // a single tensor works too
    near(b.grad, [0.6, 0.8], 1e-5, 0);
    b.grad = tensor([Infinity, 1]);
    expect(() => clipGradNorm([b], 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total norm of order 2 of the gradients is Infinity/);
    expect(() => clipGradNorm([b], 1, 0)).toThrow('clipGradNorm: normType must be a positive number or Infinity, got 0');
    expect(() => clipGradValue([b], -1)).toThrow('clipGradValue: clipValue must be a number >= 0, got -1');
  });
});
