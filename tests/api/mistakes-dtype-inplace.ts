// Hidden mistakes (issue 15), items 1 and 3 and in-place writes to views: int32 tensors handed to
// ops that read float32, in-place changes to tensors autograd still needs, and in-place ops on
// slices and transposes. Each program is written as a PyTorch user writes it; every one of them
// returned wrong numbers (or a misleading error) before, with no error.
//
// Run once per wasm build (tests/builds.ts) by tests/api/mistakes.builds.test.ts.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { DTYPE_RULES, type DTypeRule } from '../../src/dtypes.js';
import { rnnLayer } from '../../src/ops/rnn.js';

type Tensor = wg.Tensor;
const { nn, optim } = wg;
const F = nn.functional;

const ints = (shape: number[], start = 0) => wg.arange(start, start + shape.reduce((a, b) => a * b, 1)).reshape(shape);
const floats = (shape: number[], start = 0) => ints(shape, start).float();
const close = (t: Tensor, expected: number[], tol = 1e-5) => {
  const got = Array.from(t.data());
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]))));
};

// One call per op of the dtype table (src/dtypes.ts), given int32 data where the op reads its input.
const W = () => wg.ones([2, 3]);
const FLOAT_CALLS: Record<string, () => unknown> = {
  matmul: () => ints([2, 3]).matmul(wg.ones([3, 2])),
  mm: () => ints([2, 3]).mm(wg.ones([3, 2])),
  dot: () => ints([3]).dot(wg.ones([3])),
  linear: () => F.linear(ints([2, 3]), W()),
  conv1d: () => F.conv1d(ints([1, 1, 5]), wg.ones([1, 1, 2])),
  conv2d: () => F.conv2d(ints([1, 1, 3, 3]), wg.ones([1, 1, 2, 2])),
  maxPool1d: () => F.maxPool1d(ints([1, 1, 4]), 2),
  maxPool2d: () => F.maxPool2d(ints([1, 1, 4, 4]), 2),
  avgPool1d: () => F.avgPool1d(ints([1, 1, 4]), 2),
  avgPool2d: () => F.avgPool2d(ints([1, 1, 4, 4]), 2),
  adaptiveAvgPool1d: () => F.adaptiveAvgPool1d(ints([1, 1, 4]), 2),
  adaptiveAvgPool2d: () => F.adaptiveAvgPool2d(ints([1, 1, 4, 4]), 2),
  batchNorm: () => F.batchNorm(ints([4, 3]), wg.zeros([3]), wg.ones([3])),
  dropout: () => F.dropout(ints([4, 3])),
  dropout2d: () => F.dropout2d(ints([1, 2, 2, 2])),
  rnn: () => rnnLayer('rnnTanh', ints([2, 1, 3]), null, null, { wIh: wg.ones([2, 3]), wHh: wg.ones([2, 2]), bIh: null, bHh: null }),
  lstm: () => rnnLayer('lstm', ints([2, 1, 3]), null, null, { wIh: wg.ones([8, 3]), wHh: wg.ones([8, 2]), bIh: null, bHh: null }),
  gru: () => rnnLayer('gru', ints([2, 1, 3]), null, null, { wIh: wg.ones([6, 3]), wHh: wg.ones([6, 2]), bIh: null, bHh: null }),
  RNN: () => new nn.RNN(3, 2).forward(ints([2, 1, 3])),
  LSTM: () => new nn.LSTM(3, 2).forward(ints([2, 1, 3])),
  GRU: () => new nn.GRU(3, 2).forward(ints([2, 1, 3])),
  RNNCell: () => new nn.RNNCell(3, 2).forward(ints([1, 3])),
  LSTMCell: () => new nn.LSTMCell(3, 2).forward(ints([1, 3])),
  GRUCell: () => new nn.GRUCell(3, 2).forward(ints([1, 3])),
  leakyRelu: () => ints([3]).leakyRelu(),
  elu: () => ints([3]).elu(),
  gelu: () => F.gelu(ints([3]), { approximate: 'tanh' }),
  silu: () => ints([3]).silu(),
  softplus: () => ints([3]).softplus(),
  logSigmoid: () => ints([3]).logSigmoid(),
  softmax: () => ints([3]).softmax(),
  logSoftmax: () => ints([3]).logSoftmax(),
  mseLoss: () => F.mseLoss(ints([3]), wg.ones([3])),
  l1Loss: () => F.l1Loss(ints([3]), wg.ones([3])),
  huberLoss: () => F.huberLoss(ints([3]), wg.ones([3])),
  smoothL1Loss: () => F.smoothL1Loss(ints([3]), wg.ones([3])),
  nllLoss: () => F.nllLoss(ints([2, 3]), wg.tensor([0, 1], { dtype: 'int32' })),
  crossEntropy: () => F.crossEntropy(ints([2, 3]), wg.tensor([0, 1], { dtype: 'int32' })),
  binaryCrossEntropy: () => F.binaryCrossEntropy(wg.full([3], 0.5), ints([3])),
  binaryCrossEntropyWithLogits: () => F.binaryCrossEntropyWithLogits(wg.zeros([3]), ints([3])),
  klDiv: () => F.klDiv(wg.zeros([3]), ints([3])),
  bernoulli: () => wg.bernoulli(ints([3])),
  uniform_: () => ints([3]).uniform_(),
  normal_: () => ints([3]).normal_(),
  mulScalar_: () => ints([3]).mulScalar_(0.5),
  clamp_: () => ints([3]).clamp_(0, 1),
  addInPlace_: () => ints([3]).addInPlace_(wg.ones([3])),
  multinomial: () => ints([3]).multinomial(1),
  add_: () => ints([3]).add_(wg.ones([3])),
  sub_: () => ints([3]).sub_(1),
  mul_: () => ints([3]).mul_(2),
  div_: () => ints([3]).div_(wg.ones([3])),
};

// Promoting ops: the same call on int32 and on float32 data gives float32 and the same values.
const PROMOTE_CALLS: Record<string, (x: Tensor) => Tensor> = {
  add: (x) => x.add(wg.full([4], 0.5)), sub: (x) => x.sub(wg.full([4], 0.5)), mul: (x) => x.mul(wg.full([4], 1.5)),
  div: (x) => x.div(x.add(1)), pow: (x) => x.pow(wg.full([4], 2)), rsub: (x) => x.rsub(10),
  maximum: (x) => x.maximum(wg.full([4], 1.5)), minimum: (x) => x.minimum(wg.full([4], 1.5)),
  where: (x) => x.where(x.gt(1), wg.full([4], -1)), clamp: (x) => x.clamp(1, 2),
  eq: (x) => x.eq(wg.full([4], 2)), ne: (x) => x.ne(2), lt: (x) => x.lt(2), le: (x) => x.le(2), gt: (x) => x.gt(2), ge: (x) => x.ge(2),
  neg: (x) => x.neg(), abs: (x) => x.abs(), sign: (x) => x.sign(), square: (x) => x.square(), exp: (x) => x.exp(),
  log: (x) => x.add(1).log(), log1p: (x) => x.log1p(), expm1: (x) => x.expm1(), sqrt: (x) => x.sqrt(),
  rsqrt: (x) => x.add(1).rsqrt(), reciprocal: (x) => x.add(1).reciprocal(), sin: (x) => x.sin(), cos: (x) => x.cos(),
  floor: (x) => x.floor(), ceil: (x) => x.ceil(), round: (x) => x.round(),
  sum: (x) => x.sum(), mean: (x) => x.mean(), var: (x) => x.var(), std: (x) => x.std(), norm: (x) => x.norm(),
  max: (x) => x.max(), min: (x) => x.min(), amax: (x) => x.amax(), amin: (x) => x.amin(), logsumexp: (x) => x.logsumexp(0),
  sigmoid: (x) => x.sigmoid(), tanh: (x) => x.tanh(), relu: (x) => x.relu(), hardtanh: (x) => x.hardtanh(0, 2),
};

// Data movement keeps int32 (the values are checked against the same call on float32 data).
const KEEP_CALLS: Record<string, (x: Tensor) => Tensor> = {
  argmax: (x) => x.argmax(), argmin: (x) => x.argmin(), reshape: (x) => x.reshape([2, 2]), view: (x) => x.view([2, 2]),
  transpose: (x) => x.reshape([2, 2]).transpose(0, 1), permute: (x) => x.reshape([2, 2]).permute(1, 0),
  slice: (x) => x.slice(0, 1, 3), select: (x) => x.select(0, 2), expand: (x) => x.reshape([1, 4]).expand(2, 4),
  contiguous: (x) => x.reshape([2, 2]).T.contiguous(), clone: (x) => x.clone(), concat: (x) => wg.concat([x, x]),
  stack: (x) => wg.stack([x, x]), indexSelect: (x) => x.indexSelect(0, [3, 0]), gather: (x) => x.gather(0, wg.tensor([1, 1], { dtype: 'int32' })),
  fill_: (x) => x.clone().fill_(7), copy_: (x) => x.clone().copy_(x), to: (x) => x.to(x.dtype),
  sort: (x) => x.sort().values, argsort: (x) => x.argsort(), topk: (x) => x.topk(2).values, cumsum: (x) => x.cumsum(0),
  maskedFill: (x) => x.maskedFill(x.gt(1), 5), cat: (x) => wg.cat([x, x]),
};
const ARGMAX_LIKE = new Set(['argmax', 'argmin', 'argsort']);

export function dtypeInplaceMistakes(label: string): void {
  describe(`int32 into float ops (${label})`, () => {
    it('nn.Linear refuses the int32 arange and gives the right answer after .float()', () => {
      const model = new nn.Linear(1, 1);
      wg.noGrad(() => { model.weight.fill_(2); model.bias!.fill_(1); });
      const x = wg.arange(0, 5).reshape(-1, 1);
      expect(() => model.forward(x)).toThrow('linear: expected input of dtype float32, got int32 (shape [5,1]); call .float() first');
      close(model.forward(x.float()), [1, 3, 5, 7, 9]);
      close(model.forward(x.to('float32')), [1, 3, 5, 7, 9]);
    });

    it('F.linear refuses int32 input, weight and bias', () => {
      const x = wg.arange(0, 6).reshape(3, 2);
      expect(() => F.linear(x, wg.ones([1, 2]))).toThrow(/^linear: expected input of dtype float32, got int32 \(shape \[3,2\]\)/);
      expect(() => F.linear(x.float(), wg.ones([1, 2], { dtype: 'int32' }))).toThrow(/^linear: expected weight of dtype float32, got int32/);
      expect(() => F.linear(x.float(), wg.ones([1, 2]), wg.ones([1], { dtype: 'int32' }))).toThrow(/^linear: expected bias of dtype float32, got int32/);
      close(F.linear(x.float(), wg.ones([1, 2])), [1, 5, 9]);
    });

    it('nn.LSTM refuses int32 ones, and float ones do not give the output of zeros', () => {
      wg.manualSeed(3);
      const lstm = new nn.LSTM(3, 4);
      const ones = wg.ones([2, 1, 3], { dtype: 'int32' });
      expect(() => lstm.forward(ones)).toThrow(/^LSTM: expected input of dtype float32, got int32 \(shape \[2,1,3\]\); call \.float\(\) first/);
      expect(() => lstm.forward(ones.float(), [wg.zeros([1, 1, 4], { dtype: 'int32' }), wg.zeros([1, 1, 4])])).toThrow(/^LSTM: expected h0 of dtype float32, got int32/);
      const [fromOnes] = lstm.forward(ones.float());
      const [fromZeros] = lstm.forward(wg.zeros([2, 1, 3]));
      expect(Array.from(fromOnes.data())).not.toEqual(Array.from(fromZeros.data()));
      expect(() => new nn.LSTMCell(3, 4).forward(wg.ones([1, 3], { dtype: 'int32' }))).toThrow(/^LSTMCell: expected input of dtype float32, got int32/);
    });

    it('every op the dtype table marks float refuses int32, naming itself', () => {
      const floatOps = Object.entries(DTYPE_RULES).filter(([, r]) => r === 'float').map(([op]) => op);
      expect(floatOps.filter((op) => !(op in FLOAT_CALLS))).toEqual([]);
      for (const op of floatOps) {
        expect(FLOAT_CALLS[op], op).toThrow(new RegExp(`^${op}: expected .*float32.*got int32`));
      }
    });

    it('promoting ops read int32 as float32, as PyTorch promotes', () => {
      const rules = DTYPE_RULES as Record<string, DTypeRule>;
      const promote = Object.keys(rules).filter((op) => rules[op] === 'promote');
      expect(promote.filter((op) => !(op in PROMOTE_CALLS))).toEqual([]);
      const xi = wg.tensor([0, 1, 2, 3], { dtype: 'int32' }), xf = xi.float();
      for (const op of promote) {
        const a = PROMOTE_CALLS[op](xi), b = PROMOTE_CALLS[op](xf);
        expect(a.dtype, op).toBe('float32');
        expect(Array.from(a.data()), op).toEqual(Array.from(b.data()));
      }
      // Regression losses promote an int32 target too (PyTorch does).
      close(F.mseLoss(wg.tensor([1, 2, 4]), wg.tensor([1, 2, 3], { dtype: 'int32' })), [1 / 3]);
      close(F.l1Loss(wg.tensor([1, 2, 4]), wg.arange(1, 4)), [1 / 3]);
    });

    it('moving elements keeps int32', () => {
      const rules = DTYPE_RULES as Record<string, DTypeRule>;
      const keep = Object.keys(rules).filter((op) => rules[op] === 'keep');
      expect(keep.filter((op) => !(op in KEEP_CALLS))).toEqual([]);
      const xi = wg.tensor([3, 1, 2, 0], { dtype: 'int32' }), xf = xi.float();
      for (const op of keep) {
        const a = KEEP_CALLS[op](xi), b = KEEP_CALLS[op](xf);
        expect(a.dtype, op).toBe('int32');
        if (!ARGMAX_LIKE.has(op)) expect(b.dtype, op).toBe('float32');
        expect(a.toArray(), op).toEqual(b.toArray());
      }
    });

    it('an int32 gradient cannot be assigned to a float32 parameter', () => {
      const w = wg.zeros([3], { requiresGrad: true });
      expect(() => { w.grad = wg.ones([3], { dtype: 'int32' }); }).toThrow('grad: assigned grad has data of a different type (int32) than the tensor (float32)');
      expect(() => { w.grad = wg.ones([4]); }).toThrow('grad: assigned grad has data of a different size ([4]) than the tensor ([3])');
    });
  });

  describe(`in-place changes autograd needs (${label})`, () => {
    it('changing a saved tensor in place makes backward raise PyTorch\'s error', () => {
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      const y = w.sigmoid();
      const z = y.mul(y).sum();
      y.mulScalar_(0);
      expect(() => z.backward()).toThrow('MulBackward0 backward: one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        '[float32 [3]], which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead');
      expect(w.grad).toBeNull();
    });

    it('every in-place write moves the version counter, shared by views', () => {
      const t = wg.zeros([2, 3]);
      const v0 = t._version;
      t.fill_(1);
      expect(t._version).toBe(v0 + 1);
      const row = t.select(0, 1);
      row.mulScalar_(2);
      expect(t._version).toBe(v0 + 2);
      t.clamp_(0, 1); t.addInPlace_(t); t.copy_(wg.ones([3])); t.uniform_(); t.normal_(); t.zero_();
      expect(row._version).toBe(v0 + 8);
      // Ops that make new tensors do not touch their inputs' versions.
      t.add(1); t.relu(); t.reshape([3, 2]).contiguous();
      expect(t._version).toBe(v0 + 8);
    });

    it('a tensor changed in place after its op ran cannot route a gradient through that op', () => {
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      const y = w.add(1);
      const before = y.mul(3).sum(); // used y before the change: PyTorch gives w.grad = 3
      y.mulScalar_(2);
      expect(() => y.sum().backward()).toThrow(/^SumBackward\d backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[3\]\], which is output 0 of AddBackward0, was at version 1 when SumBackward\d used it; expected version 0 instead/);
      before.backward();
      close(w.grad!, [3, 3, 3]);
    });

    it('a recorded in-place op (mul_) leaves the graph of earlier uses of the tensor as it was', () => {
      // PyTorch: z used h before h.mul_(b + 4), so z's gradient ignores the multiplication; y used it after.
      const x = wg.tensor([1, 2, 3], { requiresGrad: true }), b = wg.tensor([1, 1, 1], { requiresGrad: true });
      const h = x.mul(2);
      const z = h.mul(3).sum();
      h.mul_(b.add(4));
      const y = h.sum();
      z.backward({ retainGraph: true });
      close(x.grad!, [6, 6, 6]);
      expect(b.grad).toBeNull();
      y.backward();
      close(x.grad!, [16, 16, 16]);
      close(b.grad!, [2, 4, 6]);
    });

    it('an optimizer step between forward and backward makes backward raise', () => {
      const model = new nn.Linear(2, 1);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const loss = model.forward(wg.ones([4, 2])).sum();
      model.forward(wg.ones([4, 2])).sum().backward();
      opt.step();
      expect(() => loss.backward()).toThrow(/^AddmmBackward0 backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[1,2\]\] is at version \d+; expected version \d+ instead/);
    });

    it('in-place ops on a leaf that requires grad raise outside noGrad and work inside it', () => {
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      const leaf = /a leaf Variable that requires grad is being used in an in-place operation/;
      expect(() => w.zero_()).toThrow(new RegExp(`^zero_: ${leaf.source}`));
      expect(() => w.fill_(1)).toThrow(new RegExp(`^fill_: ${leaf.source}`));
      expect(() => w.copy_(wg.ones([3]))).toThrow(leaf);
      expect(() => w.addInPlace_(wg.ones([3]))).toThrow(leaf);
      expect(() => w.mulScalar_(2)).toThrow(leaf);
      expect(() => w.clamp_(0, 1)).toThrow(leaf);
      expect(() => w.uniform_()).toThrow(leaf);
      expect(() => w.normal_()).toThrow(leaf);
      expect(() => w.slice(0, 0, 2).zero_()).toThrow(/^zero_: a view of a leaf Variable that requires grad is being used in an in-place operation/);
      close(w, [1, 2, 3]);
      wg.noGrad(() => w.mulScalar_(2));
      close(w, [2, 4, 6]);
      // Views taken without grad and detached tensors are not the leaf itself (PyTorch's detach() trick).
      w.detach().addInPlace_(wg.ones([3]));
      close(w, [3, 5, 7]);
      const z = w.mul(w).sum();
      wg.noGrad(() => w.zero_());
      expect(() => z.backward()).toThrow(/^MulBackward0 backward: .* modified by an inplace operation: \[float32 \[3\]\] is at version \d+; expected version \d+ instead/);
    });

    it('the library\'s own in-place writes still run: init, batch norm, optimizers, loadStateDict', () => {
      wg.manualSeed(0);
      const model = new nn.Sequential(new nn.Linear(3, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1));
      nn.init.xavierUniform_((model.children()[0] as wg.nn.Linear).weight);
      nn.init.zeros_((model.children()[3] as wg.nn.Linear).bias!);
      const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
      const x = wg.randn([16, 3]), y = x.sum(1, true);
      let first = 0, last = 0;
      for (let i = 0; i < 30; i++) {
        opt.zeroGrad();
        // Two forwards in training mode (running statistics change in place) before one backward.
        const a = F.mseLoss(model.forward(x), y);
        const b = F.mseLoss(model.forward(x), y);
        a.add(b).backward();
        opt.step();
        if (i === 0) first = a.item();
        last = a.item();
      }
      expect(last).toBeLessThan(first / 2);
      const copy = new nn.Sequential(new nn.Linear(3, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1));
      copy.loadStateDict(model.stateDict());
      model.eval(); copy.eval();
      expect(Array.from(copy.forward(x).data())).toEqual(Array.from(model.forward(x).data()));
    });
  });

  describe(`in-place ops on non-contiguous views (${label})`, () => {
    const grid = () => floats([3, 4]);

    it('zero_ on a column slice writes through to the base', () => {
      const a = grid();
      a.slice(1, 0, 2).zero_();
      expect(a.toArray()).toEqual([[0, 0, 2, 3], [0, 0, 6, 7], [0, 0, 10, 11]]);
    });

    it('copy_ into a slice, with and without broadcasting', () => {
      const a = grid();
      a.slice(1, 1, 3).copy_(wg.tensor([[10, 20], [30, 40], [50, 60]]));
      expect(a.toArray()).toEqual([[0, 10, 20, 3], [4, 30, 40, 7], [8, 50, 60, 11]]);
      const b = grid();
      b.slice(1, 1, 3).copy_(wg.tensor([7, 8]));
      expect(b.toArray()).toEqual([[0, 7, 8, 3], [4, 7, 8, 7], [8, 7, 8, 11]]);
      // Overlapping source and destination (a shift within one row): the source is read first.
      const c = floats([2, 4]);
      c.slice(1, 1, 4).copy_(c.slice(1, 0, 3));
      expect(c.toArray()).toEqual([[0, 0, 1, 2], [4, 4, 5, 6]]);
    });

    it('addInPlace_ into a transpose, mulScalar_ on a strided step, clamp_ on a column', () => {
      const a = grid();
      a.T.addInPlace_(wg.ones([4, 3]).mul(wg.arange(0, 3).float()), 2);
      expect(a.toArray()).toEqual([[0, 1, 2, 3], [6, 7, 8, 9], [12, 13, 14, 15]]);
      const b = grid();
      b.slice(0, 0, 3, 2).mulScalar_(10);
      expect(b.toArray()).toEqual([[0, 10, 20, 30], [4, 5, 6, 7], [80, 90, 100, 110]]);
      const c = grid();
      c.select(1, 2).clamp_(3, 7);
      expect(c.toArray()).toEqual([[0, 1, 3, 3], [4, 5, 6, 7], [8, 9, 7, 11]]);
      const d = floats([2, 3, 4]);
      d.permute(2, 0, 1).slice(0, 1, 3).select(2, 1).addInPlace_(wg.full([2, 2], 100));
      expect(d.toArray()).toEqual([[[0, 1, 2, 3], [4, 105, 106, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 117, 118, 19], [20, 21, 22, 23]]]);
    });

    it('fill_, uniform_ and normal_ through views change only the elements the view covers', () => {
      const a = grid();
      a.T.slice(0, 1, 3).fill_(-1);
      expect(a.toArray()).toEqual([[0, -1, -1, 3], [4, -1, -1, 7], [8, -1, -1, 11]]);
      const b = wg.full([4, 5], 9);
      b.slice(1, 1, 4).uniform_(0, 1);
      b.select(0, 3).normal_(0, 1);
      const rows = b.toArray() as number[][];
      for (let i = 0; i < 3; i++) {
        expect([rows[i][0], rows[i][4]]).toEqual([9, 9]);
        for (let j = 1; j < 4; j++) expect(rows[i][j] >= 0 && rows[i][j] < 1).toBe(true);
      }
      expect(rows[3].every((v) => v !== 9 && Number.isFinite(v))).toBe(true);
    });

    it('int32 views: fill_ and copy_ (with the cast copy_ does)', () => {
      const a = ints([3, 4]);
      a.slice(1, 0, 4, 2).fill_(5);
      expect(a.toArray()).toEqual([[5, 1, 5, 3], [5, 5, 5, 7], [5, 9, 5, 11]]);
      const b = ints([3, 4]);
      b.slice(1, 0, 2).copy_(wg.tensor([[1.7, 2.2]]));
      expect(b.toArray()).toEqual([[1, 2, 2, 3], [1, 2, 6, 7], [1, 2, 10, 11]]);
      expect(b.dtype).toBe('int32');
    });

    it('writing through an expanded view is refused (one memory location, many elements)', () => {
      const base = wg.zeros([3]);
      const e = base.expand(2, 3);
      expect(() => e.copy_(wg.ones([2, 3]))).toThrow(/^copy_: unsupported operation: more than one element of the written-to tensor .* refers to a single memory location/);
      expect(() => e.addInPlace_(wg.ones([2, 3]))).toThrow(/^addInPlace_: unsupported operation/);
      e.fill_(4); // one value everywhere: harmless, and PyTorch allows it
      expect(base.toArray()).toEqual([4, 4, 4]);
    });
  });
}
