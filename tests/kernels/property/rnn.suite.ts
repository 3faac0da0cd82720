// Recurrent cells (nn.RNNCell tanh/relu, nn.LSTMCell, nn.GRUCell) on random small sizes: batch
// 0..3 or unbatched, input 1..6, hidden 1..6, with or without bias, with or without an initial
// state, inputs in random layouts with values up to ±1e30 (saturating the gates) and ±0.
//
// Tolerance: every gate pre-activation is a dot product of length I + H (+ 2 biases), so its
// error is E = (I + H + 4)·u·S with S = Σ|terms| (the dot-product bound); tanh, sigmoid and relu
// have slopes <= 1, and the state updates multiply by gates in [0, 1] and add at most |h| + |c|,
// so we allow (E·(2 + S) + 8u)·(2 + |h| + |c|) on h' and c' (E·S covers GRU's r·(W_hn h + b_hn)).
import fc from 'fast-check';
import { describe } from 'vitest';
import { nn, type Tensor } from '../../../src/index.js';
import { U, build, describeLayout, expectMatches, float32Values, moderateValues, propertySuite, tensorCase, tensorProperty, type TensorCase } from './harness.js';
import { cellStep, type CellMode } from './reference.js';

const inputs = fc.oneof({ weight: 6, arbitrary: moderateValues(3) }, { weight: 1, arbitrary: float32Values({ maxAbs: 1e30 }) });

const problems = fc.record({
  mode: fc.constantFrom<CellMode>('rnnTanh', 'rnnRelu', 'lstm', 'gru'),
  B: fc.integer({ min: -1, max: 3 }), // -1: unbatched
  I: fc.integer({ min: 1, max: 6 }), H: fc.integer({ min: 1, max: 6 }),
  bias: fc.boolean(), withState: fc.boolean(),
});

function makeCell(mode: CellMode, I: number, H: number, bias: boolean): nn.RNNCellBase {
  if (mode === 'lstm') return new nn.LSTMCell(I, H, { bias });
  if (mode === 'gru') return new nn.GRUCell(I, H, { bias });
  return new nn.RNNCell(I, H, { bias, nonlinearity: mode === 'rnnRelu' ? 'relu' : 'tanh' });
}

export function rnnCellProperties(simd: 'relaxed' | 'plain'): void {
  describe(`RNN cell properties (${simd} SIMD)`, () => {
    propertySuite('rnn cells', simd, [
      {
        name: 'RNNCell / LSTMCell / GRUCell forward match float64',
        runs: 3000,
        property: tensorProperty(
          problems.chain((p) => {
            const lead = p.B < 0 ? [] : [p.B];
            return fc.tuple(fc.constant(p), tensorCase([...lead, p.I], inputs), tensorCase([...lead, p.H], moderateValues(2)), tensorCase([...lead, p.H], moderateValues(3)));
          }),
          ([p, x, h, c]) => {
            const cell = makeCell(p.mode, p.I, p.H, p.bias);
            const params = new Map(cell.namedParameters().map(([n, t]) => [n, Float64Array.from(t.data())]));
            const B = p.B < 0 ? 1 : p.B;
            const zeros = new Float64Array(B * p.H);
            const h0 = p.withState ? h.values : zeros, c0 = p.withState ? c.values : zeros;
            const ref = cellStep(p.mode, {
              wIh: params.get('weight_ih')!, wHh: params.get('weight_hh')!,
              bIh: params.get('bias_ih') ?? null, bHh: params.get('bias_hh') ?? null, I: p.I, H: p.H,
            }, x.values, h0, c0, B);
            const state = (t: TensorCase) => (p.withState ? build(t) : null);
            let hOut: Tensor, cOut: Tensor | null = null;
            if (p.mode === 'lstm') {
              const hs = state(h), cs = state(c);
              [hOut, cOut] = (cell as nn.LSTMCell).forward(build(x), hs && cs ? [hs, cs] : null);
            } else {
              hOut = (cell as nn.RNNCell).forward(build(x), state(h));
            }
            const what = `${p.mode} cell (I=${p.I}, H=${p.H}, bias=${p.bias}) on x [${x.shape}] ${describeLayout(x.layout)}` +
              (p.withState ? ` with state ${describeLayout(h.layout)}` : '');
            const expectShape = x.shape.slice(0, -1).concat(p.H);
            if (hOut.shape.join() !== expectShape.join()) throw new Error(`${what}: h' shape [${hOut.shape}], expected [${expectShape}]`);
            const tol = (i: number) => {
              const S = ref.scale[i], E = (p.I + p.H + 4) * U * S;
              return (E * (2 + S) + 8 * U) * (2 + Math.abs(h0[i]) + Math.abs(c0[i]));
            };
            expectMatches(hOut.data(), ref.h, `${what}: h'`, tol);
            if (cOut) expectMatches(cOut.data(), ref.c!, `${what}: c'`, tol);
          },
        ),
      },
    ]);
  });
}
