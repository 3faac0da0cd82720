// RNN / LSTM / GRU and their cells against PyTorch 1.13 (scripts/fixtures/rnn.py): outputs, final
// states and every gradient; state_dict round trips; gradcheck; errors; flat memory in training.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, backendInfo, concat, gradcheck, manualSeed, randn, stack, tensor, noGrad, nn, optim, type Tensor } from '../../src/index.js';
import { rnnLayer, type RnnMode } from '../../src/ops/rnn.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';

beforeAll(async () => { await init(); });

interface Case {
  name: string;
  kind: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: { inputSize: number; hiddenSize: number; numLayers?: number; bias?: boolean; batchFirst?: boolean; bidirectional?: boolean; nonlinearity?: 'tanh' | 'relu' };
  state: Record<string, TensorSpec>;
  input: TensorSpec; h0?: TensorSpec; c0?: TensorSpec;
  output?: TensorSpec; hN: TensorSpec; cN?: TensorSpec;
  wOut?: TensorSpec; wH: TensorSpec; wC?: TensorSpec;
  grads: { input: TensorSpec; h0?: TensorSpec; c0?: TensorSpec; params: Record<string, TensorSpec> };
}
const fx = loadFixture<{ cases: Case[]; cells: Case[] }>('rnn');

function build(c: Case): nn.Module {
  const { inputSize, hiddenSize, ...opts } = c.args;
  const Ctor = { RNN: nn.RNN, LSTM: nn.LSTM, GRU: nn.GRU, RNNCell: nn.RNNCell, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell }[c.kind];
  return new (Ctor as any)(inputSize, hiddenSize, opts);
}

function stateOf(c: Case): Map<string, Tensor> {
  return new Map(Object.entries(c.state).map(([k, v]) => [k, fromSpec(v)]));
}

// Runs the fixture's forward and weighted-sum backward; returns what to compare.
function runCase(c: Case) {
  const model = build(c);
  model.loadStateDict(stateOf(c));
  const x = fromSpec(c.input, { requiresGrad: true });
  const h0 = c.h0 ? fromSpec(c.h0, { requiresGrad: true }) : null;
  const c0 = c.c0 ? fromSpec(c.c0, { requiresGrad: true }) : null;
  const isLstm = c.kind === 'LSTM' || c.kind === 'LSTMCell';
  const state: any = isLstm ? (h0 ? [h0, c0] : null) : h0;
  let output: Tensor | null = null, hN: Tensor, cN: Tensor | null = null;
  const res = (model as any).forward(x, state);
  if (c.kind === 'RNN' || c.kind === 'GRU') [output, hN] = res;
  else if (c.kind === 'LSTM') [output, [hN, cN]] = res;
  else if (c.kind === 'LSTMCell') [hN, cN] = res;
  else hN = res;
  let loss = hN.mul(fromSpec(c.wH)).sum();
  if (output) loss = loss.add(output.mul(fromSpec(c.wOut!)).sum());
  if (cN) loss = loss.add(cN.mul(fromSpec(c.wC!)).sum());
  loss.backward();
  return { model, x, h0, c0, output, hN, cN };
}

function checkCase(c: Case): void {
  const r = runCase(c);
  expect(r.model.namedParameters().map(([n]) => n)).toEqual(Object.keys(c.state));
  if (c.output) expectClose(r.output!, c.output, 1e-4, 1e-5, `${c.name}: output`);
  expectClose(r.hN, c.hN, 1e-4, 1e-5, `${c.name}: hN`);
  if (c.cN) expectClose(r.cN!, c.cN, 1e-4, 1e-5, `${c.name}: cN`);
  expectClose(r.x.grad!, c.grads.input, 1e-4, 1e-5, `${c.name}: input grad`);
  if (c.grads.h0) expectClose(r.h0!.grad!, c.grads.h0, 1e-4, 1e-5, `${c.name}: h0 grad`);
  if (c.grads.c0) expectClose(r.c0!.grad!, c.grads.c0, 1e-4, 1e-5, `${c.name}: c0 grad`);
  for (const [name, p] of r.model.namedParameters()) {
    expectClose(p.grad!, c.grads.params[name], 1e-4, 1e-5, `${c.name}: ${name} grad`);
  }
}

describe('RNN / LSTM / GRU match PyTorch (outputs, final states, all gradients)', () => {
  for (const c of fx.cases) it(c.name, () => checkCase(c));
});

describe('RNNCell / LSTMCell / GRUCell match PyTorch', () => {
  for (const c of fx.cells) it(c.name, () => checkCase(c));
});

describe('modules', () => {
  it('registers parameters with PyTorch names, order and shapes', () => {
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    expect(lstm.namedParameters().map(([n, p]) => `${n}:${p.shape}`)).toEqual([
      'weight_ih_l0:20,3', 'weight_hh_l0:20,5', 'bias_ih_l0:20', 'bias_hh_l0:20',
      'weight_ih_l0_reverse:20,3', 'weight_hh_l0_reverse:20,5', 'bias_ih_l0_reverse:20', 'bias_hh_l0_reverse:20',
      'weight_ih_l1:20,10', 'weight_hh_l1:20,5', 'bias_ih_l1:20', 'bias_hh_l1:20',
      'weight_ih_l1_reverse:20,10', 'weight_hh_l1_reverse:20,5', 'bias_ih_l1_reverse:20', 'bias_hh_l1_reverse:20',
    ]);
    expect(new nn.GRU(4, 6, { bias: false }).namedParameters().map(([n, p]) => `${n}:${p.shape}`))
      .toEqual(['weight_ih_l0:18,4', 'weight_hh_l0:18,6']);
    expect(new nn.RNNCell(4, 6).namedParameters().map(([n]) => n)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(lstm.allWeights.map((ws) => ws.length)).toEqual([4, 4, 4, 4]);
    expect(lstm.allWeights[1][0]).toBe(lstm.namedParameters()[4][1]);
  });

  it('initialises every parameter from U(-1/sqrt(hidden), 1/sqrt(hidden))', () => {
    manualSeed(1);
    const gru = new nn.GRU(8, 16, { numLayers: 2 });
    const bound = 1 / Math.sqrt(16);
    for (const p of gru.parameters()) {
      const v = Array.from(p.data());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound * 0.8); // spread over the range, not zeros
    }
  });

  it('prints like PyTorch', () => {
    expect(String(new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true }))).toBe('LSTM(10, 20, num_layers=2, batch_first=True)');
    expect(String(new nn.GRU(3, 4, { bidirectional: true, dropout: 0.5, numLayers: 2 }))).toBe('GRU(3, 4, num_layers=2, dropout=0.5, bidirectional=True)');
    expect(String(new nn.RNN(3, 4, { nonlinearity: 'relu', bias: false }))).toBe('RNN(3, 4, bias=False, nonlinearity=relu)');
    expect(String(new nn.LSTMCell(3, 4))).toBe('LSTMCell(3, 4)');
  });

  it('a state dict loaded from PyTorch reproduces its outputs, and round-trips between modules', () => {
    const c = fx.cases.find((k) => k.name === 'LSTM 2-layer bidirectional batchFirst')!;
    const a = build(c) as InstanceType<typeof nn.LSTM>;
    a.loadStateDict(stateOf(c));
    const b = build(c) as InstanceType<typeof nn.LSTM>;
    b.loadStateDict(a.stateDict());
    const x = fromSpec(c.input);
    const state: [Tensor, Tensor] = [fromSpec(c.h0!), fromSpec(c.c0!)];
    const [outB, [hB, cB]] = noGrad(() => b.forward(x, state));
    expectClose(outB, c.output!, 1e-4, 1e-5, 'output');
    expectClose(hB, c.hN, 1e-4, 1e-5, 'hN');
    expectClose(cB, c.cN!, 1e-4, 1e-5, 'cN');
  });

  it('applies inter-layer dropout only in training mode', () => {
    manualSeed(3);
    const rnn = new nn.GRU(4, 8, { numLayers: 2, dropout: 0.5 });
    const x = randn([6, 2, 4]);
    rnn.eval();
    const a = rnn.forward(x)[0].data(), b = rnn.forward(x)[0].data();
    expect(Array.from(a)).toEqual(Array.from(b));
    rnn.train();
    const c = rnn.forward(x)[0].data();
    expect(Array.from(c)).not.toEqual(Array.from(a));
    // Single-layer: dropout never applies (only between layers), like PyTorch.
    const one = new nn.GRU(4, 8, { dropout: 0.5 });
    const y1 = one.forward(x)[0].data(); one.eval();
    expect(Array.from(one.forward(x)[0].data())).toEqual(Array.from(y1));
  });

  it('a whole-sequence GRU equals its cell stepped in a loop (same weights)', () => {
    manualSeed(5);
    const gru = new nn.GRU(3, 5), cell = new nn.GRUCell(3, 5);
    cell.loadStateDict(new Map(gru.namedParameters().map(([n, p]) => [n.replace('_l0', ''), p])));
    const x = randn([7, 2, 3]), h0 = randn([1, 2, 5]);
    const [out, hN] = noGrad(() => gru.forward(x, h0));
    let h = h0.select(0, 0);
    const steps: Tensor[] = [];
    noGrad(() => { for (let t = 0; t < 7; t++) { h = cell.forward(x.select(0, t), h); steps.push(h); } });
    expectClose(out, stack(steps, 0), 1e-5, 1e-6, 'output');
    expectClose(hN.select(0, 0), h, 1e-5, 1e-6, 'hN');
  });

  it('records one tape node per layer and direction, however long the sequence', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const x = randn([300, 2, 3], { requiresGrad: true });
    const [out] = lstm.forward(x);
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const stack = [out.sum().gradFn];
    while (stack.length) {
      const n = stack.pop()!;
      if (!n || seen.has(n)) continue;
      seen.add(n);
      names.add(n.name);
      for (const i of n.inputs) if (i?.gradFn) stack.push(i.gradFn);
    }
    expect([...seen].filter((n: any) => n.name === 'LstmBackward').length).toBe(4);
    expect(seen.size).toBeLessThan(20);
    out.sum().backward();
    expect(x.grad!.shape).toEqual([300, 2, 3]);
  });
});

describe('gradcheck (finite differences through the fused kernels)', () => {
  const modes: RnnMode[] = ['lstm', 'gru', 'rnnTanh'];
  for (const mode of modes) {
    for (const reverse of [false, true]) {
      it(`${mode}${reverse ? ' reverse' : ''}: input, h0, c0, weights and biases`, () => {
        manualSeed(7);
        const G = { lstm: 4, gru: 3, rnnTanh: 1, rnnRelu: 1 }[mode] * 3;
        const p = (shape: number[], s = 0.6) => randn(shape).mul(s).detach().requiresGrad_();
        const x = p([3, 2, 2], 1), h0 = p([2, 3], 0.5), c0 = mode === 'lstm' ? p([2, 3], 0.5) : null;
        const wIh = p([G, 2]), wHh = p([G, 3]), bIh = p([G], 0.3), bHh = p([G], 0.3);
        const inputs = [x, h0, ...(c0 ? [c0] : []), wIh, wHh, bIh, bHh];
        const fn = (...t: Tensor[]) => {
          const [xx, hh, ...rest] = t;
          const cc = c0 ? rest.shift()! : null;
          const [a, b, bi, bh] = rest;
          const r = rnnLayer(mode, xx, hh, cc, { wIh: a, wHh: b, bIh: bi, bHh: bh }, reverse);
          const parts = [r.output.reshape([-1]), r.hN.reshape([-1]), ...(r.cN ? [r.cN.reshape([-1])] : [])];
          return concat(parts, 0); // outputs, hN and cN: every one of them matters to the check
        };
        const res = gradcheck(fn, inputs, { eps: 1e-2, atol: 2e-3, rtol: 1e-2 });
        expect(res.ok).toBe(true);
        expect(res.checked).toBe(inputs.reduce((n, t) => n + t.numel(), 0));
      });
    }
  }
});

describe('bad input', () => {
  it('names the expected shapes', () => {
    const lstm = new nn.LSTM(4, 6, { numLayers: 2 });
    expect(() => lstm.forward(randn([5, 3]))).toThrow(/input.size\(-1\) must be equal to inputSize \(4\), got input of shape \[5, 3\]/);
    expect(() => lstm.forward(randn([2, 5, 3, 4]))).toThrow(/input must be 3-D \[seq, batch, 4\] or 2-D unbatched \[seq, 4\], got \[2, 5, 3, 4\]/);
    expect(() => lstm.forward(randn([5, 3, 4]), [randn([1, 3, 6]), randn([2, 3, 6])]))
      .toThrow(/expected h0 of shape \[2, 3, 6\].*got \[1, 3, 6\]/);
    expect(() => lstm.forward(randn([5, 3, 4]), [randn([2, 3, 6]), randn([2, 3, 5])]))
      .toThrow(/expected c0 of shape \[2, 3, 6\].*got \[2, 3, 5\]/);
    expect(() => lstm.forward(randn([5, 4]), [randn([2, 1, 6]), randn([2, 1, 6])])).toThrow(/expected h0 of shape \[2, 6\]/);
    expect(() => new nn.GRU(4, 6, { batchFirst: true }).forward(randn([3, 5, 4]), randn([1, 5, 6]))).toThrow(/expected h0 of shape \[1, 3, 6\]/);
    expect(() => (lstm as any).forward(randn([5, 3, 4]), randn([2, 3, 6]))).toThrow(/pair \[h0, c0\]/);
  });

  it('rejects bad constructor arguments', () => {
    expect(() => new nn.LSTM(4, 0)).toThrow(/LSTM: hiddenSize must be a positive integer, got 0/);
    expect(() => new nn.GRU(4, -2)).toThrow(/hiddenSize must be a positive integer/);
    expect(() => new nn.RNN(4, 3, { numLayers: 0 })).toThrow(/numLayers must be a positive integer/);
    expect(() => new nn.RNN(4, 3, { nonlinearity: 'sigmoid' as any })).toThrow(/unknown nonlinearity 'sigmoid'/);
    expect(() => new nn.RNN(4, 3, { dropout: 1.5 })).toThrow(/dropout probability has to be between 0 and 1/);
    expect(() => new nn.GRUCell(0, 3)).toThrow(/GRUCell: inputSize must be a positive integer, got 0/);
  });

  it('cells name the expected shapes', () => {
    const cell = new nn.LSTMCell(4, 6);
    expect(() => cell.forward(randn([3, 5]))).toThrow(/LSTMCell: expected input of shape \[batch, 4\] or unbatched \[4\], got \[3, 5\]/);
    expect(() => cell.forward(randn([3, 4]), [randn([2, 6]), randn([3, 6])])).toThrow(/expected hx of shape \[3, 6\].*got \[2, 6\]/);
    expect(() => new nn.GRUCell(4, 6).forward(randn([4]), randn([1, 6]))).toThrow(/expected hx of shape \[6\]/);
  });

  it('rejects an empty sequence', () => {
    expect(() => new nn.RNN(2, 3).forward(randn([0, 1, 2]))).toThrow(/non-empty sequence/);
  });
});

describe('training', () => {
  it('learns and runs in flat memory over a few hundred steps with no dispose', () => {
    manualSeed(0);
    const lstm = new nn.LSTM(8, 16, { numLayers: 2, batchFirst: true });
    const head = new nn.Linear(16, 1);
    const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
    const x = randn([4, 12, 8]);
    const y = x.select(1, 0).narrow(1, 0, 1).mul(0.5); // remember the first step's first feature
    const step = () => {
      opt.zeroGrad();
      const [out, [hN]] = lstm.forward(x);
      const loss = nn.functional.mseLoss(head.forward(out.select(1, 11)), y).add(hN.square().mean().mul(1e-4));
      loss.backward();
      opt.step();
      return loss.item();
    };
    const first = step();
    for (let i = 0; i < 50; i++) step();
    const base = backendInfo().memory;
    let last = 0;
    for (let i = 0; i < 250; i++) last = step();
    const now = backendInfo().memory;
    expect(now.liveBlocks).toBeLessThanOrEqual(base.liveBlocks);
    expect(now.inUse).toBeLessThanOrEqual(base.inUse);
    expect(last).toBeLessThan(first * 0.1);
  });
});

describe('tensor-level smoke', () => {
  it('unbatched cells return unbatched states', () => {
    const cell = new nn.GRUCell(3, 5);
    expect(cell.forward(tensor([1, 2, 3])).shape).toEqual([5]);
    const [h, c] = new nn.LSTMCell(3, 5).forward(randn([2, 3]));
    expect([h.shape, c.shape]).toEqual([[2, 5], [2, 5]]);
  });
});
