// Whole-sequence recurrent layers (Elman RNN, LSTM, GRU): one direction of one layer over all
// time steps is ONE autograd node. Forward: one GEMM projects the input of every step at once.
// LSTM then runs the whole time loop in one kernel call per thread (assembly/rnn.ts
// rnn_lstm_seq_fwd / _bwd: per step the recurrent product and the cell in one pass, the batch
// split across threads); Elman RNN and GRU run per step one GEMM (h_prev·W_hhᵀ + b_hh) and one
// fused cell kernel. Backward through time likewise; after the loop one GEMM each for dW_ih,
// dW_hh and dX, and column sums for the biases.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { scratch } from '../runtime/scratch.js';
import { partition, threadsFor } from '../runtime/parallel.js';
import { BiasKind } from '../runtime/protocol.js';
import { needsGrad, record } from '../autograd/node.js';
import { noGrad } from '../autograd/grad-mode.js';
import { PackedB, asMat, gemm, gemmPacked, transposed, type Mat } from './matmul.js';
import * as views from './views.js';
import { clone } from './elementwise.js';
import { expectFloat } from '../dtypes.js';

export type RnnMode = 'rnnTanh' | 'rnnRelu' | 'lstm' | 'gru';

/** Gate blocks stacked in weight_ih / weight_hh (PyTorch order: LSTM i,f,g,o; GRU r,z,n). */
export const GATE_COUNT: Record<RnnMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };

export interface RnnWeights { wIh: Tensor; wHh: Tensor; bIh: Tensor | null; bHh: Tensor | null }
export interface RnnLayerResult {
  /** [T, B, H]: h_t for every time step, in input time order (also for the reverse direction). */
  output: Tensor;
  /** [B, H]: the state after the last processed step (t = T-1 forward, t = 0 reverse). */
  hN: Tensor;
  /** [B, H]: LSTM only, the final cell state. */
  cN: Tensor | null;
}

const shapeStr = (s: readonly number[]) => `[${s.join(', ')}]`;

function checkWeights(mode: RnnMode, x: Tensor, w: RnnWeights, op: string): [number, number, number] {
  const G = GATE_COUNT[mode];
  if (w.wHh.ndim !== 2 || w.wHh.shape[0] !== G * w.wHh.shape[1]) {
    throw new Error(`${op}: weight_hh must be [${G}*hidden, hidden], got ${shapeStr(w.wHh.shape)}`);
  }
  const H = w.wHh.shape[1];
  if (x.ndim !== 3) throw new Error(`${op}: input must be 3-D [seq, batch, ${w.wIh.shape[1]}], got ${shapeStr(x.shape)}`);
  const I = x.shape[2];
  if (w.wIh.ndim !== 2 || w.wIh.shape[0] !== G * H || w.wIh.shape[1] !== I) {
    throw new Error(`${op}: weight_ih must be [${G * H}, ${I}] for input ${shapeStr(x.shape)} and hidden size ${H}, got ${shapeStr(w.wIh.shape)}`);
  }
  for (const [name, b] of [['bias_ih', w.bIh], ['bias_hh', w.bHh]] as const) {
    if (b && (b.ndim !== 1 || b.shape[0] !== G * H)) throw new Error(`${op}: ${name} must be [${G * H}], got ${shapeStr(b.shape)}`);
  }
  return [x.shape[0], x.shape[1], H];
}

function checkState(s: Tensor | null, B: number, H: number, what: string, op: string): void {
  if (s && (s.ndim !== 2 || s.shape[0] !== B || s.shape[1] !== H)) {
    throw new Error(`${op}: ${what} must be [${B}, ${H}] (batch, hidden), got ${shapeStr(s.shape)}`);
  }
}

/** Row block `row` (of `rows` x `cols` floats) of a contiguous buffer, as a GEMM operand. */
function rowsOf(ptr: number, row: number, rows: number, cols: number): Mat {
  return { ptr: ptr + row * cols * 4, rows, cols, trans: 0, ld: cols };
}

// A contiguous copy made outside the tape (the node itself routes gradients to the original).
function raw(t: Tensor): Tensor {
  return t.isContiguous() ? t : noGrad(() => views.contiguous(t));
}

// Below this many multiply-adds a whole-sequence LSTM call stays on one thread (a pool round trip
// costs tens of microseconds; the benchmark layer does 67M).
const LSTM_PARALLEL_MIN_MACS = 1 << 20;

/**
 * Runs an LSTM sequence kernel over the batch rows: rows never interact, so each thread takes a
 * slice of rows through every time step, with no barrier per step. Slices hold whole row pairs
 * (the kernel's register tile); the result does not depend on the slicing.
 */
function lstmOverRows(kernel: 'rnn_lstm_seq_fwd' | 'rnn_lstm_seq_bwd', B: number, macs: number,
                      args: (r0: number, rows: number, work: number) => number[]): void {
  const fn = backend.k[kernel] as (...a: number[]) => void;
  const threads = B >= 4 ? threadsFor(macs, LSTM_PARALLEL_MIN_MACS) : 1;
  const bounds = partition(B, threads, 2);
  if (bounds.length <= 2) { fn(...args(0, B, scratch('rnn0', 128))); return; }
  const jobs: number[][] = [];
  for (let t = 0; t + 1 < bounds.length; t++) jobs.push(args(bounds[t], bounds[t + 1] - bounds[t], scratch(`rnn${t}`, 128)));
  backend.pool!.run(kernel, fn, jobs);
}

/** W_hh packed for rnn_lstm_seq_fwd (which = 'fwd') or rnn_lstm_seq_bwd ('bwd'). */
function packLstmWhh(wHh: Tensor, H: number, which: 'fwd' | 'bwd', op: string): Tensor {
  const k = backend.k;
  const packed = Tensor._empty([k.rnn_lstm_packed_bytes(H) / 4]);
  const src = raw(wHh);
  if (which === 'fwd') k.rnn_lstm_pack_fwd(src.ptr(op), H, packed.ptr(op));
  else k.rnn_lstm_pack_bwd(src.ptr(op), H, packed.ptr(op));
  if (src !== wHh) src._release();
  return packed;
}

/**
 * One layer, one direction of a recurrent network over a whole sequence.
 * x [T, B, I]; h0, c0 [B, H] or null for zeros (c0 only for LSTM); weights in PyTorch layout.
 * With reverse = true the sequence is processed from t = T-1 down to 0.
 */
export function rnnLayer(mode: RnnMode, x: Tensor, h0: Tensor | null, c0: Tensor | null, w: RnnWeights, reverse = false): RnnLayerResult {
  const op = mode === 'lstm' ? 'lstm' : mode === 'gru' ? 'gru' : 'rnn';
  // The kernels read float32: int32 input, states or weights are refused (src/dtypes.ts).
  expectFloat(op, x);
  expectFloat(op, h0, 'h0');
  expectFloat(op, c0, 'c0');
  for (const [t, name] of [[w.wIh, 'weight_ih'], [w.wHh, 'weight_hh'], [w.bIh, 'bias_ih'], [w.bHh, 'bias_hh']] as const) expectFloat(op, t, name);
  const [T, B, H] = checkWeights(mode, x, w, op);
  if (T === 0) throw new Error(`${op}: expected a non-empty sequence, got input ${shapeStr(x.shape)}`);
  checkState(h0, B, H, 'h0', op);
  checkState(c0, B, H, 'c0', op);
  if (mode !== 'lstm' && c0) throw new Error(`${op}: a cell state c0 is only used by LSTM`);
  const isLstm = mode === 'lstm', isGru = mode === 'gru', relu = mode === 'rnnRelu';
  const G = GATE_COUNT[mode] * H, I = x.shape[2], N = T * B, BH = B * H;
  const k = backend.k;

  // Output storage: h slots 0..T (one holds h0), then for LSTM c slots likewise. Forward puts h0
  // in slot 0 and h_t in slot t+1; reverse puts h_t in slot t and h0 in slot T. Either way the
  // state before time t sits in a neighbouring slot, and the T "previous" states are one
  // contiguous [T*B, H] block, so dW_hh is a single GEMM.
  const packed = Tensor._empty([isLstm ? 2 * (T + 1) : T + 1, B, H]);
  const P = packed.ptr(op);
  const hSlot = (t: number) => (reverse ? t : t + 1);
  const prevSlot = (t: number) => (reverse ? t + 1 : t);
  const hAt = (slot: number) => P + slot * BH * 4;
  const cAt = (slot: number) => P + (T + 1 + slot) * BH * 4;
  const init = (dst: number, s: Tensor | null) => {
    if (s) k.ew_copy_2d(raw(s).ptr(op), BH, dst, BH, 1, BH);
    else k.ew_fill(dst, BH, 0);
  };
  init(hAt(prevSlot(reverse ? T - 1 : 0)), h0);
  if (isLstm) init(cAt(prevSlot(reverse ? T - 1 : 0)), c0);

  const xc = raw(x);
  const Wih = asMat(w.wIh, op), Whh = asMat(w.wHh, op);
  const biasIh = w.bIh ? raw(w.bIh).ptr(op) : 0, biasHh = w.bHh ? raw(w.bHh).ptr(op) : 0;
  const epi = (bias: number) => ({ bias, biasKind: bias ? BiasKind.perColumn : BiasKind.none });

  // Input projection for all steps at once; LSTM overwrites it in place with its activated gates.
  const gi = Tensor._empty([N, G]);
  const GI = gi.ptr(op);
  // LSTM adds both biases in its cell (b_ih + b_hh summed once): a bias epilogue over the [T*B, G]
  // product cost more than the short (K = input size) product itself.
  gemm(rowsOf(xc.ptr(op), 0, N, I), transposed(Wih), GI, G, 0, epi(isLstm ? 0 : biasIh));
  const gruSaved = isGru ? Tensor._empty([N, 4 * H]) : null; // (r, z, n, W_hn h + b_hn) per step
  const SV = gruSaved ? gruSaved.ptr(op) : 0;

  if (isLstm) {
    const whhP = packLstmWhh(w.wHh, H, 'fwd', op);
    const bias = biasIh || biasHh ? Tensor._empty([G]) : null;
    if (bias) {
      k.ew_fill(bias.ptr(op), G, 0);
      if (biasIh) k.ew_axpy(bias.ptr(op), biasIh, G, 1);
      if (biasHh) k.ew_axpy(bias.ptr(op), biasHh, G, 1);
    }
    const WP = whhP.ptr(op), BIAS = bias ? bias.ptr(op) : 0;
    lstmOverRows('rnn_lstm_seq_fwd', B, T * B * H * G, (r0, rows, work) =>
      [T, B, r0, rows, H, reverse ? 1 : 0, GI, WP, BIAS, P, work]);
    whhP._release();
    bias?._release();
  } else {
    const gh = Tensor._empty([B, G]);
    const GH = gh.ptr(op);
    const WhhT = PackedB.of(transposed(Whh)); // packed once for all T steps
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const hPrev = hAt(prevSlot(t)), hOut = hAt(hSlot(t)), git = GI + t * B * G * 4;
      gemmPacked(rowsOf(hPrev, 0, B, H), WhhT, GH, G, 0, epi(biasHh));
      if (isGru) k.rnn_gru_fwd(git, GH, hPrev, B, H, SV + t * B * 4 * H * 4, hOut);
      else k.rnn_elman_fwd(git, GH, B, H, relu, hOut);
    }
    WhhT.release();
    gh._release();
  }

  const lastT = reverse ? 0 : T - 1;
  const grad = needsGrad(x, h0, c0, w.wIh, w.wHh, w.bIh, w.bHh);
  if (grad) {
    // What backward reads: x, the weights, the states in `packed`, LSTM gates (in gi) or GRU's saved rows.
    const saved = [xc, w.wIh, w.wHh, packed, ...(isLstm ? [gi] : []), ...(gruSaved ? [gruSaved] : [])];
    const name = isLstm ? 'LstmBackward' : isGru ? 'GruBackward' : relu ? 'RnnReluBackward' : 'RnnTanhBackward';
    record(packed, name, [x, h0, c0, w.wIh, w.wHh, w.bIh, w.bHh], (gPacked) => {
      const gp = gPacked.contiguous();
      // Addresses are read again here: saved tensors may have moved since the forward pass.
      const GP = gp.ptr(name), P2 = packed.ptr(name), GI = isLstm ? gi.ptr(name) : 0, SV = gruSaved ? gruSaved.ptr(name) : 0;
      const hAt2 = (slot: number) => P2 + slot * BH * 4;
      const dG = Tensor._empty([N, G]);           // d(pre-activations) wrt gi, every step
      const dGh = isGru ? Tensor._empty([N, G]) : dG; // wrt gh (differs from dG in GRU's n block)
      const DG = dG.ptr(name), DGH = dGh.ptr(name);
      const dh = Tensor._empty([B, H]), dc = isLstm ? Tensor._empty([B, H]) : null;
      const DH = dh.ptr(name), DC = dc ? dc.ptr(name) : 0;
      k.ew_fill(DH, BH, 0);
      if (dc) k.ew_copy_2d(GP + (T + 1 + hSlot(lastT)) * BH * 4, BH, DC, BH, 1, BH); // grad of cN
      if (isLstm) {
        const whhP = packLstmWhh(w.wHh, H, 'bwd', name);
        const WP = whhP.ptr(name);
        lstmOverRows('rnn_lstm_seq_bwd', B, T * B * H * G, (r0, rows, work) =>
          [T, B, r0, rows, H, reverse ? 1 : 0, GI, P2, GP, WP, DG, DH, DC, work]);
        whhP._release();
      } else {
        const WhhP = PackedB.of(asMat(w.wHh, name));
        for (let s = T - 1; s >= 0; s--) {
          const t = reverse ? T - 1 - s : s;
          k.ew_axpy(DH, GP + hSlot(t) * BH * 4, BH, 1); // dh_t = dL/dh_t (direct) + from step t+1
          const dgt = DG + t * B * G * 4, dght = DGH + t * B * G * 4;
          if (isGru) {
            k.rnn_gru_bwd(DH, SV + t * B * 4 * H * 4, hAt2(prevSlot(t)), B, H, dgt, dght, DH);
            gemmPacked(rowsOf(dght, 0, B, G), WhhP, DH, H, 1); // dh_prev = z*dh + dgh·W_hh
          } else {
            k.rnn_elman_bwd(DH, hAt2(hSlot(t)), B, H, relu, dgt);
            gemmPacked(rowsOf(dgt, 0, B, G), WhhP, DH, H, 0);
          }
        }
        WhhP.release();
      }
      const colSum = (src: number) => { const b = Tensor._empty([G]); k.red_sum(src, b.ptr(), 1, N, G, 1); return b; };
      const X = rowsOf(xc.ptr(name), 0, N, I);
      let gx: Tensor | null = null, gwIh: Tensor | null = null, gwHh: Tensor | null = null;
      if (x.requiresGrad) { gx = Tensor._empty([T, B, I]); gemm(rowsOf(DG, 0, N, G), asMat(w.wIh, name), gx.ptr(), I, 0); }
      if (w.wIh.requiresGrad) { gwIh = Tensor._empty([G, I]); gemm(transposed(rowsOf(DG, 0, N, G)), X, gwIh.ptr(), I, 0); }
      if (w.wHh.requiresGrad) {
        gwHh = Tensor._empty([G, H]);
        gemm(transposed(rowsOf(DGH, 0, N, G)), rowsOf(hAt2(reverse ? 1 : 0), 0, N, H), gwHh.ptr(), H, 0);
      }
      const gbIh = w.bIh?.requiresGrad ? colSum(DG) : null;
      // Both biases are added to the same pre-activations except in GRU's n block: one sum serves both.
      const copyOf = (b: Tensor) => { const c = Tensor._empty([G]); k.ew_copy_2d(b.ptr(), G, c.ptr(), G, 1, G); return c; };
      const gbHh = w.bHh?.requiresGrad ? (gbIh && DGH === DG ? copyOf(gbIh) : colSum(DGH)) : null;
      if (dGh !== dG) dGh._release();
      dG._release();
      if (gp !== gPacked) gp._release();
      const gh0 = h0?.requiresGrad ? dh : (dh._release(), null);
      const gc0 = c0?.requiresGrad ? dc : (dc?._release(), null);
      return [gx, gh0, gc0, gwIh, gwHh, gbIh, gbHh];
    }, saved);
  } else {
    gi._release();
    gruSaved?._release();
  }
  if (xc !== x && !grad) xc._release();

  const output = views.narrow(packed, 0, reverse ? 0 : 1, T);
  const hN = views.select(packed, 0, hSlot(lastT));
  // cN is a copy: the outputs then cover only the hidden states, so once backward has run, the cell
  // states are no longer reachable and never move out of wasm memory with the outputs.
  const cN = isLstm ? clone(views.select(packed, 0, T + 1 + hSlot(lastT))) : null;
  return { output, hN, cN };
}

/** One time step: x [B, I], h [B, H] (null = zeros) -> [h', c'] (c' only for LSTM). */
export function rnnCell(mode: RnnMode, x: Tensor, h: Tensor | null, c: Tensor | null, w: RnnWeights): [Tensor, Tensor | null] {
  const { hN, cN } = rnnLayer(mode, views.unsqueeze(x, 0), h, c, w);
  return [hN, cN];
}
