// matmul with PyTorch semantics (1-D, 2-D, batched N-D with broadcasting) and the fused linear
// layer op. Transposed operands are passed to the GEMM as flags, never materialised.
import { Tensor } from '../tensor.js';
import { backend } from '../runtime/backend.js';
import { scratch } from '../runtime/scratch.js';
import { SPLIT_ALIGN, partition, threadsFor } from '../runtime/parallel.js';
import { BiasKind, EpilogueAct } from '../runtime/protocol.js';
import { needsGrad, record } from '../autograd/node.js';
import { broadcastShapes } from '../shape.js';
import * as views from './views.js';
import { sumToShape } from './grad-utils.js';
import { expectFloat } from '../dtypes.js';

/** A 2-D operand as the GEMM sees it: base pointer, whether it is stored transposed, row stride. */
export interface Mat { ptr: number; rows: number; cols: number; trans: 0 | 1; ld: number }

/** Describes a 2-D tensor (or view) for the GEMM, copying only when its strides allow neither layout. */
export function asMat(t: Tensor, op: string): Mat {
  const [r, c] = t.shape;
  const [s0, s1] = t.strides;
  if (s1 === 1 && (s0 >= c || r <= 1)) return { ptr: t.ptr(op), rows: r, cols: c, trans: 0, ld: Math.max(s0, c, 1) };
  if (s0 === 1 && (s1 >= r || c <= 1)) return { ptr: t.ptr(op), rows: r, cols: c, trans: 1, ld: Math.max(s1, r, 1) };
  const cc = views.contiguous(t);
  return { ptr: cc.ptr(op), rows: r, cols: c, trans: 0, ld: Math.max(c, 1) };
}

export function transposed(m: Mat): Mat {
  return { ptr: m.ptr, rows: m.cols, cols: m.rows, trans: (1 - m.trans) as 0 | 1, ld: m.ld };
}

export interface Epilogue { bias?: number; biasKind?: number; act?: number; actParam?: number }

// Below this many multiply-adds a GEMM stays on one thread (handing out work costs more than it
// saves): bench/threads-crossover.ts measured 2 threads at 0.8-1.0x up to n = 96 (0.9M MACs),
// 1.16x at n = 128 (2.1M) and 1.4-1.8x from n = 192 on 2 cores.
let PARALLEL_MIN_MACS = 1 << 21;
/** @internal For bench/threads-crossover.ts: the multiply-add count from which GEMMs are split. */
export function _setParallelThreshold(macs: number): void { PARALLEL_MIN_MACS = macs; }

/**
 * Which dimension of C a threaded GEMM splits. 'rows' slices write disjoint blocks of C; 'cols'
 * slices interleave within every row, where the hardware prefetchers pull the other thread's lines
 * (a 64x784x128 product ran 1.3x slower per slice split by columns than by rows here), so narrow
 * column slices are staged in a private block. 'auto' takes rows unless C is short and wide.
 * Linear layers pass the dimension of their output features, so each thread keeps working on the
 * same weight rows (see runtime/parallel.ts).
 */
export type GemmSplit = 'auto' | 'rows' | 'cols';

/**
 * A right-hand operand packed once (gemm_pack_b) for many products: an RNN's recurrent weight is
 * multiplied at every time step, and gemm would repack the same panels each time.
 */
export class PackedB {
  private constructor(private readonly buf: Tensor, readonly rows: number, readonly cols: number) {}
  static of(B: Mat): PackedB {
    const k = backend.k;
    const buf = Tensor._empty([Math.max(1, k.gemm_packed_b_bytes(B.cols, B.rows) / 4)]);
    k.gemm_pack_b(B.trans, B.cols, B.rows, B.ptr, B.ld, buf.ptr());
    return new PackedB(buf, B.rows, B.cols);
  }
  get ptr(): number { return this.buf.ptr('gemm'); }
  release(): void { this.buf._release(); }
}

// A thread's row slice of A starts `start` rows in, whichever way A is stored.
const rowsFrom = (A: Mat, start: number) => A.ptr + (A.trans ? start : start * A.ld) * 4;
// A slice's bias pointer: moved along only when the bias runs along the split dimension.
const biasFrom = (bias: number, biasKind: number, along: number, start: number) => (biasKind === along ? bias + start * 4 : bias);

/** C = A·B for a packed B; split by rows across threads (every slice reads the same panels). */
export function gemmPacked(A: Mat, B: PackedB, C: number, ldc: number, beta = 0, ep: Epilogue = {}): void {
  const M = A.rows, K = A.cols, N = B.cols;
  if (K !== B.rows) throw new Error(`gemm: inner dimensions differ (${K} vs ${B.rows})`);
  const k = backend.k;
  const bias = ep.bias ?? 0, biasKind = ep.biasKind ?? BiasKind.none, act = ep.act ?? EpilogueAct.none, actParam = ep.actParam ?? 0;
  const threads = M >= 2 * SPLIT_ALIGN ? threadsFor(M * N * K, PARALLEL_MIN_MACS) : 1;
  if (threads === 1) { // the common case inside an RNN's time loop: no job lists
    k.gemm_prepacked(A.trans, M, N, K, A.ptr, A.ld, B.ptr, C, ldc, beta, bias, biasKind, act, actParam, scratch('gemm0', k.gemm_workspace_bytes(M, N, K)));
    return;
  }
  const bounds = partition(M, threads, SPLIT_ALIGN);
  const jobs: number[][] = [];
  for (let t = 0; t + 1 < bounds.length; t++) {
    const start = bounds[t], len = bounds[t + 1] - start;
    jobs.push([A.trans, len, N, K, rowsFrom(A, start), A.ld, B.ptr, C + start * ldc * 4, ldc, beta,
      biasFrom(bias, biasKind, BiasKind.perRow, start), biasKind, act, actParam, scratch(`gemm${t}`, k.gemm_workspace_bytes(len, N, K))]);
  }
  backend.pool!.run('gemm_prepacked', k.gemm_prepacked, jobs);
}

/** C (contiguous rows, row stride ldc) = A·B (+ beta·C), then the epilogue. */
export function gemm(A: Mat, B: Mat, C: number, ldc: number, beta = 0, ep: Epilogue = {}, split: GemmSplit = 'auto'): void {
  const M = A.rows, K = A.cols, N = B.cols;
  const k = backend.k;
  const bias = ep.bias ?? 0, biasKind = ep.biasKind ?? BiasKind.none, act = ep.act ?? EpilogueAct.none, actParam = ep.actParam ?? 0;
  const threads = threadsFor(M * N * K, PARALLEL_MIN_MACS);
  if (threads > 1) {
    const byRows = split === 'rows' || (split === 'auto' && (M >= threads * SPLIT_ALIGN * 4 || M >= N));
    const bounds = partition(byRows ? M : N, threads, SPLIT_ALIGN);
    const jobs: number[][] = [], staged: number[][] = [];
    // Slices may start inside a micro-tile; every element still sees the same operations in the same
    // order as on one thread (edge tiles merge exactly like full ones), so results are bit-identical.
    for (let t = 0; t + 1 < bounds.length; t++) {
      const start = bounds[t], len = bounds[t + 1] - start;
      const work = scratch(`gemm${t}`, k.gemm_workspace_bytes(byRows ? len : M, byRows ? N : len, K));
      if (byRows) {
        const b2 = biasFrom(bias, biasKind, BiasKind.perRow, start);
        jobs.push([A.trans, B.trans, len, N, K, rowsFrom(A, start), A.ld, B.ptr, B.ld, C + start * ldc * 4, ldc, beta, b2, biasKind, act, actParam, work]);
      } else {
        const b = B.ptr + (B.trans ? start * B.ld : start) * 4;
        const b2 = biasFrom(bias, biasKind, BiasKind.perColumn, start);
        // Narrow slices (under a 4 KB page per row) are computed into a private block and copied in.
        const stage = beta === 0 && len < 1024 ? scratch(`gemmC${t}`, M * len * 4) : 0;
        if (stage) staged.push([stage, len, C + start * 4]);
        jobs.push([A.trans, B.trans, M, len, K, A.ptr, A.ld, b, B.ld, stage || C + start * 4, stage ? len : ldc, beta, b2, biasKind, act, actParam, work]);
      }
    }
    if (jobs.length > 1) {
      backend.pool!.run('gemm', k.gemm, jobs);
      for (const [src, len, dst] of staged) k.ew_copy_2d(src, len, dst, ldc, M, len);
      return;
    }
  }
  const work = scratch('gemm0', k.gemm_workspace_bytes(M, N, K));
  k.gemm(A.trans, B.trans, M, N, K, A.ptr, A.ld, B.ptr, B.ld, C, ldc, beta, bias, biasKind, act, actParam, work);
}

function mm2d(a: Tensor, b: Tensor, op: string): Tensor {
  const out = Tensor._empty([a.shape[0], b.shape[1]]);
  if (out.numel()) {
    const A = asMat(a, op), B = asMat(b, op);
    gemm(A, B, out.ptr(), b.shape[1]);
  }
  return out;
}

function checkFloat(a: Tensor, b: Tensor, op: string): void {
  expectFloat('matmul', a);
  expectFloat('matmul', b, 'other');
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`${op}: both arguments need at least 1 dim, got shapes [${a.shape}] and [${b.shape}]`);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  checkFloat(a, b, op);
  const ka = a.shape[a.ndim - 1], kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) {
    throw new Error(`matmul: shapes [${a.shape}] and [${b.shape}] cannot be multiplied (${ka} != ${kb}: the last dim of the first must equal the ${b.ndim === 1 ? 'only' : 'second-to-last'} dim of the second)`);
  }
  // 1-D operands are promoted to matrices and the added dim removed afterwards.
  if (a.ndim === 1 && b.ndim === 1) return views.reshape(matmul(views.reshape(a, [1, ka]), views.reshape(b, [kb, 1])), []);
  if (a.ndim === 1) return views.squeeze(matmul(views.unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return views.squeeze(matmul(a, views.unsqueeze(b, 1)), -1);
  if (a.ndim === 2 && b.ndim === 2) {
    const out = mm2d(a, b, op);
    if (needsGrad(a, b)) {
      record(out, 'MmBackward0', [a, b], (g) => [
        a.requiresGrad ? mmT(g, b, false, true, a.shape) : null,
        b.requiresGrad ? mmT(a, g, true, false, b.shape) : null,
      ], [a, b]);
    }
    return out;
  }
  // Batched: fold a's batch into rows when b is a plain matrix; otherwise loop over broadcast batches.
  if (b.ndim === 2) {
    const lead = a.shape.slice(0, -1);
    // An explicit row count, not -1: -1 is ambiguous (and rejected) when K is 0.
    const flat = views.reshape(a, [lead.reduce((n, d) => n * d, 1), ka]);
    return views.reshape(matmul(flat, b), [...lead, b.shape[1]]);
  }
  return batched(a, b);
}

// PyTorch's mm and dot take exactly 2-D and exactly 1-D operands (no broadcasting, no promotion of
// a vector), so a batched or vector operand handed to them is a mistake to report, not to absorb
// the way matmul does. The messages are PyTorch's, with the shapes.
export function mm(a: Tensor, b: Tensor): Tensor {
  expectFloat('mm', a);
  expectFloat('mm', b, 'mat2');
  if (a.ndim !== 2) throw new Error(`mm: self must be a matrix, got shape [${a.shape}] (matmul takes 1-D and batched operands)`);
  if (b.ndim !== 2) throw new Error(`mm: mat2 must be a matrix, got shape [${b.shape}] (matmul takes 1-D and batched operands)`);
  if (a.shape[1] !== b.shape[0]) {
    throw new Error(`mm: mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  }
  return matmul(a, b);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  expectFloat('dot', a);
  expectFloat('dot', b, 'other');
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new Error(`dot: 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors (shapes [${a.shape}] and [${b.shape}]; matmul takes matrices)`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`dot: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  }
  return matmul(a, b);
}

// g·Bᵀ or Aᵀ·g for backward, straight from the stored layouts.
function mmT(x: Tensor, y: Tensor, tx: boolean, ty: boolean, shape: readonly number[]): Tensor {
  const X = tx ? transposed(asMat(x, 'MmBackward0')) : asMat(x, 'MmBackward0');
  const Y = ty ? transposed(asMat(y, 'MmBackward0')) : asMat(y, 'MmBackward0');
  const out = Tensor._empty(shape);
  if (out.numel()) gemm(X, Y, out.ptr(), shape[1]);
  return out;
}

function batched(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), op);
  const ae = views.contiguous(views.expand(a, [...batch, M, K]));
  const be = views.contiguous(views.expand(b, [...batch, K, N]));
  const nb = batch.reduce((x, y) => x * y, 1);
  const out = Tensor._empty([...batch, M, N]);
  const run = (x: Tensor, y: Tensor, dst: Tensor, tx: boolean, ty: boolean, rows: number, inner: number, cols: number) => {
    for (let i = 0; i < nb; i++) {
      const X: Mat = tx ? { ptr: x.ptr() + i * rows * inner * 4, rows, cols: inner, trans: 1, ld: rows }
                        : { ptr: x.ptr() + i * rows * inner * 4, rows, cols: inner, trans: 0, ld: inner };
      const Y: Mat = ty ? { ptr: y.ptr() + i * inner * cols * 4, rows: inner, cols, trans: 1, ld: inner }
                        : { ptr: y.ptr() + i * inner * cols * 4, rows: inner, cols, trans: 0, ld: cols };
      gemm(X, Y, dst.ptr() + i * rows * cols * 4, cols);
    }
  };
  if (out.numel() && K > 0) run(ae, be, out, false, false, M, K, N);
  else if (out.numel()) backend.k.ew_fill(out.ptr(), out.numel(), 0);
  if (needsGrad(a, b)) {
    record(out, 'BmmBackward0', [a, b], (g) => {
      const gc = views.contiguous(g);
      let ga: Tensor | null = null, gb: Tensor | null = null;
      if (a.requiresGrad) { ga = Tensor._empty([...batch, M, K]); if (ga.numel()) run(gc, be, ga, false, true, M, N, K); ga = sumToShape(ga, a.shape); }
      if (b.requiresGrad) { gb = Tensor._empty([...batch, K, N]); if (gb.numel()) run(ae, gc, gb, true, false, K, M, N); gb = sumToShape(gb, b.shape); }
      return [ga, gb];
    }, [ae, be]);
  }
  return out;
}

export type LinearActivation = 'none' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';

/**
 * y = act(x·Wᵀ + b) in one GEMM with a bias + activation epilogue (x [.., in], W [out, in], b [out]).
 * Backward fuses the activation derivative, then two GEMMs and a column sum for the bias.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, act: LinearActivation = 'none', slope = 0.01): Tensor {
  const op = 'linear';
  expectFloat(op, x);
  expectFloat(op, weight, 'weight');
  expectFloat(op, bias, 'bias');
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got shape [${weight.shape}]`);
  const [outF, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input shape [${x.shape}] does not match weight [${weight.shape}] (expected last dim ${inF})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new Error(`linear: bias shape [${bias.shape}] should be [${outF}]`);
  if (x.ndim !== 2) {
    const lead = x.shape.slice(0, -1);
    return views.reshape(linear(views.reshape(x, [lead.reduce((n, d) => n * d, 1), inF]), weight, bias, act, slope), [...lead, outF]);
  }
  const rows = x.shape[0];
  const y = Tensor._empty([rows, outF]);
  const W = asMat(weight, op);
  if (y.numel()) {
    gemm(asMat(x, op), transposed(W), y.ptr(), outF, 0, {
      bias: bias ? bias.contiguous().ptr(op) : 0, biasKind: bias ? BiasKind.perColumn : BiasKind.none,
      act: EpilogueAct[act], actParam: slope,
    }, 'cols');
  }
  if (needsGrad(x, weight, bias)) {
    const saved = act === 'none' ? [x, weight] : [x, weight, y];
    record(y, act === 'none' ? 'AddmmBackward0' : `Linear${act[0].toUpperCase()}${act.slice(1)}Backward`, [x, weight, bias], (g) => {
      let gp = g.contiguous();
      // One pass gives both d(pre-activation) (from the saved output) and the bias gradient's column sums.
      const wantBias = !!bias && bias.requiresGrad;
      const gb = wantBias ? Tensor._empty([outF]) : null;
      if ((act !== 'none' || gb) && gp.numel()) {
        const dpre = act === 'none' ? null : Tensor._empty(y.shape);
        backend.k.ew_linear_act_backward(EpilogueAct[act], gp.ptr(), act === 'none' ? 0 : y.ptr(),
          dpre ? dpre.ptr() : 0, rows, outF, slope, gb ? gb.ptr() : 0);
        if (dpre) gp = dpre;
      } else if (gb && gb.numel()) backend.k.ew_fill(gb.ptr(), outF, 0);
      const G = asMat(gp, op);
      let gx: Tensor | null = null, gw: Tensor | null = null;
      if (x.requiresGrad) { gx = Tensor._empty(x.shape); if (gx.numel()) gemm(G, asMat(weight, op), gx.ptr(), inF); }
      if (weight.requiresGrad) {
        gw = Tensor._empty(weight.shape);
        if (gw.numel()) {
          if (rows) gemm(transposed(G), asMat(x, op), gw.ptr(), inF, 0, {}, 'rows');
          else backend.k.ew_fill(gw.ptr(), gw.numel(), 0);
        }
      }
      return [gx, gw, gb];
    }, saved);
  }
  return y;
}

