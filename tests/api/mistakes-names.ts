// Issue 15, "Names a PyTorch user reaches for" (topk, sort, argsort, cumsum, logsumexp, maskedFill,
// multinomial, F.oneHot, cat, add_/sub_/mul_/div_, comparison masks) and "Errors that should be
// clear" (destructuring max(dim), x.size()). Each test is the program a PyTorch user writes, using
// only the public API; before this change each one threw "is not a function" / "is not iterable"
// or computed something else. The ops' values and gradients against PyTorch are in
// tests/fixtures/ops-extra.json (tests/ops/ops.builds.test.ts, tests/ops/gradcheck.test.ts).
//
// Run once per wasm build (tests/builds.ts) by tests/api/mistakes.builds.test.ts.
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';

type Tensor = wg.Tensor;
const { nn, optim } = wg;
const F = nn.functional;

const values = (t: Tensor) => Array.from(t.data());
const close = (t: Tensor, expected: number[], tol = 1e-5) => {
  const got = values(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]))));
};

export function namesMistakes(label: string): void {
  describe(`names a PyTorch user reaches for (${label})`, () => {
    it('const [values, indices] = x.max(1): a named pair, also .values / .indices and r[0] / r[1]', () => {
      const logits = wg.tensor([[0.1, 2.0, -1.0], [3.0, 0.5, 0.2], [0.0, 0.1, 0.3]]);
      const [best, pred] = logits.max(1);
      expect(values(best)).toEqual([2, 3, 0.30000001192092896]);
      expect(pred.dtype).toBe('int32');
      expect(values(pred)).toEqual([1, 0, 2]);
      const r = logits.max(1);
      expect(values(r.values)).toEqual(values(best));
      expect(values(r.indices)).toEqual([1, 0, 2]);
      // PyTorch tutorials read the prediction as output.max(1)[1].
      expect(values(logits.max(1)[1])).toEqual([1, 0, 2]);
      expect(r.length).toBe(2);
      expect(Object.keys(r)).toEqual(['values', 'indices']);
      const [low, where] = logits.min(1, true);
      expect(low.shape).toEqual([3, 1]);
      expect(values(where)).toEqual([2, 2, 0]);
      // The accuracy line of every MNIST example.
      const labels = wg.tensor([1, 1, 2], { dtype: 'int32' });
      const [, predicted] = logits.max(1);
      expect(predicted.eq(labels).sum().item()).toBe(2);
    });

    it('max(dim) values still carry the gradient; tidy() and frames keep both tensors of the pair', () => {
      const x = wg.tensor([[1, 5, 2], [7, 0, 3]], { requiresGrad: true });
      const [m] = x.max(1);
      m.sum().backward();
      expect(values(x.grad!)).toEqual([0, 1, 0, 1, 0, 0]);
      const kept = wg.tidy(() => x.detach().mul(2).max(0));
      expect(values(kept.values)).toEqual([14, 10, 6]);
      expect(values(kept.indices)).toEqual([1, 0, 1]);
    });

    it('x.size() is the shape and x.size(dim) one dimension; numel() counts the elements', () => {
      const x = wg.zeros([4, 3, 2]);
      expect(x.size()).toEqual([4, 3, 2]);
      expect(x.size(0)).toBe(4);
      expect(x.size(-1)).toBe(2);
      expect(x.numel()).toBe(24);
      // The returned shape is a copy: changing it does not reshape the tensor.
      const s = x.size();
      s[0] = 100;
      expect(x.shape).toEqual([4, 3, 2]);
      let rows = 0;
      for (let i = 0; i < x.size(0); i++) rows++;
      expect(rows).toBe(4);
      expect(() => x.size(3)).toThrow('size: dim 3 out of range for a tensor with 3 dims (expected -3..2)');
      expect(wg.tensor(5).size()).toEqual([]);
      expect(wg.tensor(5).numel()).toBe(1);
    });

    it('topk: the three most likely classes, largest first', () => {
      const probs = wg.tensor([[0.1, 0.5, 0.05, 0.3, 0.05], [0.6, 0.1, 0.1, 0.15, 0.05]]);
      const [top, idx] = probs.topk(3);
      close(top, [0.5, 0.3, 0.1, 0.6, 0.15, 0.1]);
      expect(values(idx)).toEqual([1, 3, 0, 0, 3, 1]);
      const smallest = probs.topk(2, 1, false);
      close(smallest.values, [0.05, 0.05, 0.05, 0.1]);
      expect(values(smallest.indices)).toEqual([2, 4, 4, 1]);
      expect(values(wg.topk(probs, 1, 0).indices)).toEqual([1, 0, 1, 0, 0]);
      expect(() => probs.topk(6)).toThrow('topk: k = 6 is out of range for dim -1 of size 5 (shape [2,5]); expected an integer in 0..5');
      expect(() => probs.topk(2, 2)).toThrow('topk: dim 2 out of range for a tensor with 2 dims (expected -2..1)');
    });

    it('sort and argsort: stable in both directions, NaN last (first when descending)', () => {
      const x = wg.tensor([3, 1, 2, 1, NaN, 3]);
      const [asc, order] = x.sort();
      expect(values(asc)).toEqual([1, 1, 2, 3, 3, NaN]);
      expect(values(order)).toEqual([1, 3, 2, 0, 5, 4]);
      const desc = x.sort(0, true);
      expect(values(desc.values)).toEqual([NaN, 3, 3, 2, 1, 1]);
      expect(values(desc.indices)).toEqual([4, 0, 5, 2, 1, 3]);
      expect(values(x.argsort())).toEqual([1, 3, 2, 0, 5, 4]);
      expect(values(wg.argsort(wg.tensor([[2, 1], [0, 5]]), 0, true))).toEqual([0, 1, 1, 0]);
      // An options object is not PyTorch's keyword argument: refused, not read as `true`.
      expect(() => x.sort(0, { descending: false } as any)).toThrow('sort: descending must be a boolean, got {"descending":false}');
      // Sorting a ranking and reading back the permutation.
      const scores = wg.tensor([[0.2, 0.9, 0.4]], { requiresGrad: true });
      const ranked = scores.sort(1, true);
      ranked.values.mul(wg.tensor([[3, 2, 1]])).sum().backward();
      expect(values(scores.grad!)).toEqual([1, 3, 2]);
    });

    it('cumsum: running totals along a dim, with its gradient', () => {
      const x = wg.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
      expect(values(x.cumsum(1))).toEqual([1, 3, 6, 4, 9, 15]);
      expect(values(wg.cumsum(x, 0))).toEqual([1, 2, 3, 5, 7, 9]);
      x.cumsum(-1).sum().backward();
      expect(values(x.grad!)).toEqual([3, 2, 1, 3, 2, 1]);
      expect(values(wg.arange(1, 5).cumsum(0))).toEqual([1, 3, 6, 10]);
      expect(wg.arange(1, 5).cumsum(0).dtype).toBe('int32');
      expect(() => (x as any).cumsum()).toThrow("cumsum: dim must be a number (PyTorch's cumsum has no default dim), got undefined");
    });

    it('logsumexp: torch.logsumexp(x, dim, keepdim) as a method and a function, its gradient the softmax', () => {
      // A mixture's log-likelihood: log sum_k exp(score_k) per row, with scores far past exp's range.
      const scores = wg.tensor([[1000, 1001, 999], [-1000, -1001, -999]], { requiresGrad: true });
      const ll = scores.logsumexp(1);
      close(ll, [1001.40760596, -998.59239404]);
      expect(ll.shape).toEqual([2]);
      expect(wg.logsumexp(scores, -1, true).shape).toEqual([2, 1]);
      close(wg.logsumexp(scores, [0, 1]), [1001.40760596]);
      ll.sum().backward();
      close(scores.grad!, values(scores.detach().softmax(1)));
      // The hand-rolled form it replaces gives the same values.
      const x = wg.tensor([[0.5, -1, 2], [3, 3, 3]]);
      close(x.logsumexp(-1), values(x.sub(x.logSoftmax(-1)).select(-1, 0)));
      // Infinities as PyTorch: an all -inf row is -inf, a +inf makes +inf, NaN propagates.
      const special = wg.tensor([[-Infinity, -Infinity], [Infinity, 0], [NaN, 0]]);
      expect(values(special.logsumexp(1))).toEqual([-Infinity, Infinity, NaN]);
      expect(values(wg.arange(0, 3).logsumexp(0))).toEqual(values(wg.tensor([0, 1, 2]).logsumexp(0)));
      expect(() => x.logsumexp(2)).toThrow('logsumexp: dim 2 out of range for a tensor with 2 dims (expected -2..1); input shape [2,3]');
      expect(() => x.logsumexp([1, -1])).toThrow('logsumexp: dim list [1,-1] repeats a dim; input shape [2,3]');
      expect(() => (x as any).logsumexp()).toThrow('logsumexp: dim is required (an integer or an array of them, as in torch.logsumexp(input, dim)), got undefined for a tensor of shape [2,3]');
      expect(() => x.logsumexp([])).toThrow('logsumexp: dim [] names no dim to reduce (shape [2,3]); expected an integer or a non-empty array of them');
      expect(() => x.logsumexp(1, { keepdim: true } as any)).toThrow(/^logsumexp: keepdim must be a boolean, got object/);
    });

    it('comparisons give float32 0/1 masks that maskedFill, where, sum and mul take', () => {
      const scores = wg.tensor([[0.5, 1.5, -0.2], [2.0, -1.0, 0.3]]);
      const mask = scores.lt(0);
      expect(mask.dtype).toBe('float32');
      expect(values(mask)).toEqual([0, 0, 1, 0, 1, 0]);
      expect(mask.sum().item()).toBe(2);
      expect(values(scores.maskedFill(mask, 0))).toEqual(values(scores.relu()));
      // An attention mask: padded positions get -inf before the softmax, so they get no weight.
      const pad = wg.tensor([[0, 0, 1], [0, 1, 1]]).eq(1);
      const attn = scores.maskedFill(pad, -Infinity).softmax(-1);
      close(attn, [Math.exp(0.5) / (Math.exp(0.5) + Math.exp(1.5)), Math.exp(1.5) / (Math.exp(0.5) + Math.exp(1.5)), 0, 1, 0, 0]);
      // A 0/1 int32 mask is a mask too, and the mask broadcasts.
      expect(values(scores.maskedFill(wg.tensor([1, 0, 0], { dtype: 'int32' }), 9))).toEqual([9, 1.5, -0.20000000298023224, 9, -1, 0.30000001192092896]);
      // Values that are not 0 or 1 are not a mask: refused, not read as "non-zero is true".
      expect(() => scores.maskedFill(scores, 0)).toThrow('maskedFill: the mask must hold only 0 and 1 (like the float32 masks eq, gt, ... return), got 0.5 at flat position 0 of a float32 mask of shape [2,3]');
      expect(() => scores.maskedFill(wg.ones([4]), 0)).toThrow('maskedFill: shapes [2,3] and [4] cannot be broadcast');
      // The gradient skips the filled positions.
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      w.mul(2).maskedFill(w.gt(1.5), 0).sum().backward();
      expect(values(w.grad!)).toEqual([2, 0, 0]);
    });

    it('multinomial: seeded draws with the right frequencies, with and without replacement', () => {
      const probs = wg.tensor([0.1, 0.2, 0.3, 0.4]);
      wg.manualSeed(7);
      const a = probs.multinomial(20000, true);
      wg.manualSeed(7);
      expect(values(wg.multinomial(probs, 20000, true))).toEqual(values(a));
      expect(a.dtype).toBe('int32');
      expect(a.shape).toEqual([20000]);
      const counts = [0, 0, 0, 0];
      for (const c of values(a)) counts[c]++;
      // Each count is binomial(20000, p): within 4.5 standard deviations.
      [0.1, 0.2, 0.3, 0.4].forEach((p, j) => expect(Math.abs(counts[j] - 20000 * p)).toBeLessThan(4.5 * Math.sqrt(20000 * p * (1 - p))));
      // Unnormalised weights and 2-D rows; a zero weight is never drawn.
      const rows = wg.tensor([[0, 5, 0, 5], [1, 0, 0, 0]]).multinomial(50, true);
      expect(rows.shape).toEqual([2, 50]);
      const r = rows.toArray() as number[][];
      expect(r[0].every((c) => c === 1 || c === 3)).toBe(true);
      expect(r[1].every((c) => c === 0)).toBe(true);
      // Without replacement: distinct categories, and each category's chance of being among the two
      // drawn is p_j + sum_i p_i p_j / (1 - p_i) (drawing one at a time and removing it).
      const p = [0.1, 0.2, 0.3, 0.4];
      const inclusion = p.map((pj, j) => pj + p.reduce((s, pi, i) => (i === j ? s : s + pi * pj / (1 - pi)), 0));
      const N = 6000;
      const firsts = [0, 0, 0, 0], included = [0, 0, 0, 0];
      const pairs = wg.tensor([p]).expand(N, 4).contiguous().multinomial(2).toArray() as number[][];
      for (const [i, j] of pairs) {
        expect(i).not.toBe(j);
        firsts[i]++; included[i]++; included[j]++;
      }
      p.forEach((pj, j) => expect(Math.abs(firsts[j] - N * pj)).toBeLessThan(4.5 * Math.sqrt(N * pj * (1 - pj))));
      inclusion.forEach((q, j) => expect(Math.abs(included[j] - N * q)).toBeLessThan(4.5 * Math.sqrt(N * q * (1 - q))));
      const perm = values(wg.ones([10]).multinomial(10)).sort((x, y) => x - y);
      expect(perm).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('multinomial refuses what has no distribution to draw from', () => {
      expect(() => wg.tensor([0.5, -0.1, 0.6]).multinomial(1)).toThrow('multinomial: weights must be finite and >= 0, got -0.10000000149011612 at [1] (shape [3])');
      expect(() => wg.tensor([[1, 1], [1, NaN]]).multinomial(1)).toThrow('multinomial: weights must be finite and >= 0, got NaN at [1, 1] (shape [2,2])');
      expect(() => wg.tensor([1, Infinity]).multinomial(1)).toThrow('multinomial: weights must be finite and >= 0, got Infinity at [1] (shape [2])');
      expect(() => wg.zeros([3]).multinomial(1)).toThrow('multinomial: the weights sum to 0 (shape [3]); there is nothing to draw from');
      expect(() => wg.ones([3]).multinomial(4)).toThrow('multinomial: cannot draw 4 samples without replacement from 3 categories (shape [3]); pass replacement = true');
      // PyTorch 1.13 draws a zero-weight category here; this library refuses.
      expect(() => wg.tensor([1, 0, 0]).multinomial(2)).toThrow('multinomial: the weights have only 1 non-zero entries, fewer than the 2 samples asked for without replacement');
      expect(() => wg.ones([3]).multinomial(0)).toThrow('multinomial: numSamples must be a positive integer, got 0');
      expect(() => wg.ones([2, 2, 2]).multinomial(1)).toThrow('multinomial: weights must be 1-D [C] or 2-D [N, C], got shape [2,2,2]');
      expect(() => wg.ones([3], { dtype: 'int32' }).multinomial(1)).toThrow('multinomial: expected weights of dtype float32, got int32 (shape [3]); call .float() first');
    });

    it('F.oneHot: int32 labels to int32 one-hot rows; .float() makes MSE targets', () => {
      const labels = wg.tensor([2, 0, 1], { dtype: 'int32' });
      const hot = F.oneHot(labels, 4);
      expect(hot.dtype).toBe('int32');
      expect(hot.toArray()).toEqual([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
      expect(F.oneHot(labels).shape).toEqual([3, 3]);
      expect(F.oneHot(wg.tensor([[1], [0]], { dtype: 'int32' }), 2).toArray()).toEqual([[[0, 1]], [[1, 0]]]);
      const logits = wg.zeros([3, 4], { requiresGrad: true });
      const loss = F.mseLoss(logits.softmax(-1), hot.float());
      loss.backward();
      expect(logits.grad!.shape).toEqual([3, 4]);
      expect(() => F.oneHot(labels, 2)).toThrow('oneHot: class values must be smaller than numClasses = 2, got 2 (shape [3])');
      expect(() => F.oneHot(wg.tensor([1, -1], { dtype: 'int32' }))).toThrow('oneHot: class values must be non-negative, got -1 at flat position 1 (shape [2])');
      expect(() => F.oneHot(wg.tensor([1, 0]))).toThrow('oneHot: indices must be an int32 tensor of class indices, got float32 (shape [2]); convert with .int()');
      expect(() => F.oneHot(wg.zeros([0], { dtype: 'int32' }))).toThrow('oneHot: cannot infer numClasses from an empty tensor (shape [0]); pass numClasses');
    });

    it('wg.cat is concat under PyTorch\'s name', () => {
      const a = wg.tensor([[1, 2]]), b = wg.tensor([[3, 4]]);
      expect(wg.cat([a, b]).toArray()).toEqual([[1, 2], [3, 4]]);
      expect(wg.cat([a, b], 1).toArray()).toEqual([[1, 2, 3, 4]]);
      expect(() => wg.cat([a, wg.ones([1, 3])])).toThrow('cat: tensor 1 has shape [1,3], expected [*,2] (all dims but 0 must match)');
    });

    it('manual SGD with sub_ inside noGrad fits a line (the first program of the PyTorch tutorial)', () => {
      wg.manualSeed(0);
      const x = wg.linspace(-1, 1, 32).reshape(-1, 1);
      const y = x.mul(3).add(0.5);
      const w = wg.zeros([1, 1], { requiresGrad: true });
      const b = wg.zeros([1], { requiresGrad: true });
      for (let step = 0; step < 300; step++) {
        const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
        loss.backward();
        wg.noGrad(() => {
          w.sub_(w.grad!.mul(0.1));
          b.sub_(b.grad!, 0.1);
        });
        w.grad!.zero_();
        b.grad!.zero_();
      }
      close(w, [3], 1e-3);
      close(b, [0.5], 1e-3);
      // Outside noGrad, PyTorch's error.
      expect(() => w.sub_(1)).toThrow(/^sub_: a leaf Variable that requires grad is being used in an in-place operation/);
    });

    it('add_/mul_/div_ on an intermediate are recorded: the gradients match the out-of-place program', () => {
      const grads = (inPlace: boolean) => {
        const x = wg.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
        const bias = wg.tensor([0.5, -1, 2], { requiresGrad: true });
        const scale = wg.tensor([[2], [0.5]], { requiresGrad: true });
        let h = x.mul(1.5);
        if (inPlace) { h.add_(bias); h.mul_(scale); h.div_(4); h.sub_(bias, 2); h.mul_(h); }
        else { h = h.add(bias).mul(scale).div(4).sub(bias, 2); h = h.mul(h); }
        h.sum().backward();
        return [values(h), values(x.grad!), values(bias.grad!), values(scale.grad!)];
      };
      const [inPlace, outOfPlace] = [grads(true), grads(false)];
      inPlace.forEach((g, i) => g.forEach((v, j) => expect(v, `result ${i} element ${j}`).toBeCloseTo(outOfPlace[i][j], 4)));
      // Scalars, broadcasting and alpha.
      const t = wg.ones([2, 3]);
      t.add_(wg.tensor([1, 2, 3])).mul_(2).div_(wg.tensor([[1], [2]])).sub_(0.5).add_(wg.ones([3]), -1);
      expect(values(t)).toEqual([2.5, 4.5, 6.5, 0.5, 1.5, 2.5]);
    });

    it('in-place arithmetic says what is wrong', () => {
      const t = wg.ones([2, 3]);
      expect(() => t.add_(wg.ones([3, 3]))).toThrow("add_: the other tensor of shape [3,3] does not broadcast to self's shape [2,3] (an in-place op cannot change the shape); use the out-of-place op");
      expect(() => t.mul_(wg.ones([2, 2, 3]))).toThrow("mul_: the other tensor of shape [2,2,3] does not broadcast to self's shape [2,3]");
      expect(() => wg.arange(0, 3).add_(1)).toThrow('add_: expected a float32 tensor to update in place, got int32 (shape [3]); in-place ops keep the dtype, so convert first (x = x.float()) or use the out-of-place add');
      expect(() => t.div_('2' as any)).toThrow("div_: expected a Tensor or a number, got '2'");
      // Autograd cannot follow an in-place change through a view of an intermediate: refused, not a wrong gradient.
      const w = wg.ones([4], { requiresGrad: true });
      const h = w.mul(2);
      const firstTwo = h.narrow(0, 0, 2);
      expect(() => firstTwo.add_(w.narrow(0, 0, 2))).toThrow(/^add_: autograd cannot record an in-place op on a tensor that shares its memory with another tensor/);
      expect(() => h.mul_(w)).toThrow(/^mul_: autograd cannot record an in-place op on a tensor that shares its memory/);
      // Without a graph to keep right, the same write is fine.
      wg.noGrad(() => firstTwo.add_(1));
      expect(values(h)).toEqual([3, 3, 2, 2]);
    });

    it('an MLP classifier loop with topk accuracy and maskedFill runs in flat memory', () => {
      wg.manualSeed(1);
      const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 5));
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const xs = wg.randn([32, 8]);
      const ys = xs.narrow(1, 0, 5).argmax(1);
      const inUse: number[] = [];
      for (let step = 0; step < 120; step++) {
        opt.zeroGrad();
        const logits = model.forward(xs);
        const loss = F.crossEntropy(logits, ys);
        loss.backward();
        opt.step();
        const [, top2] = logits.topk(2, 1);
        const hit = top2.eq(ys.unsqueeze(1)).sum().item();
        expect(hit).toBeLessThanOrEqual(32);
        const masked = logits.detach().maskedFill(logits.detach().lt(0), 0).cumsum(1).sort(1, true);
        expect(masked.values.shape).toEqual([32, 5]);
        inUse.push(wg.backendInfo().memory.inUse);
      }
      const warm = inUse.slice(20);
      expect(Math.max(...warm.slice(50))).toBeLessThanOrEqual(Math.max(...warm.slice(0, 50)));
    });
  });
}
