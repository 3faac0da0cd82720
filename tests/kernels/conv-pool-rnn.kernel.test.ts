// conv / pool / rnn kernels, each compiled standalone with asc, checked against float64 JS references.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import asc from 'assemblyscript/asc';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { mulberry32 } from '../../src/data/seeded-random.js';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; a no-op where it is on by default

const HEAP0 = 65536 * 4;
type Fn = (...args: number[]) => number;

class Kernels {
  fn: Record<string, Fn>;
  mem: WebAssembly.Memory;
  top = HEAP0;
  constructor(inst: WebAssembly.Instance, mem: WebAssembly.Memory) {
    this.fn = inst.exports as unknown as Record<string, Fn>;
    this.mem = mem;
  }
  reset() { this.top = HEAP0; }
  alloc(n: number): number {
    const p = this.top;
    this.top += Math.max(16, Math.ceil((n * 4) / 16) * 16) + 16; // keep a gap: catches overruns below
    if (this.top > this.mem.buffer.byteLength) throw new Error('test heap exhausted');
    new Float32Array(this.mem.buffer, p, n + 4).fill(NaN); // guard lanes after the block
    return p;
  }
  f32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    new Float32Array(this.mem.buffer, p, data.length).set(data);
    return p;
  }
  read(p: number, n: number): Float32Array { return new Float32Array(this.mem.buffer, p, n).slice(); }
  readI32(p: number, n: number): Int32Array { return new Int32Array(this.mem.buffer, p, n).slice(); }
  guardIntact(p: number, n: number): boolean {
    return new Float32Array(this.mem.buffer, p + n * 4, 4).every((v) => Number.isNaN(v));
  }
}

let dir = '';
async function build(name: string, relaxed = false): Promise<Kernels> {
  const out = join(dir, `${name}${relaxed ? '-relaxed' : ''}.wasm`);
  const { error, stderr } = await asc.main([
    resolve(__dirname, `../../assembly/${name}.ts`), '--config', join(dir, 'asconfig.json'),
    '--runtime', 'stub', '--importMemory', '--noExportMemory', '-O3', '--noAssert', '--enable', relaxed ? 'simd,relaxed-simd' : 'simd', '-o', out,
  ]);
  if (error) throw new Error(`asc ${name}: ${error.message}\n${stderr.toString()}`);
  const mem = new WebAssembly.Memory({ initial: 256, maximum: 16384 });
  const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { memory: mem, abort() { throw new Error('abort'); } } });
  return new Kernels(instance, mem);
}

let conv: Kernels, pool: Kernels, rnn: Kernels;
const convBuilds: Record<string, Kernels> = {}, rnnBuilds: Record<string, Kernels> = {};
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wg-kernels-'));
  writeFileSync(join(dir, 'asconfig.json'), '{}'); // don't pick up the project's asconfig entries
  convBuilds.simd = conv = await build('conv');
  convBuilds.relaxed = await build('conv', true); // conv uses relaxed_madd when available
  pool = await build('pool');
  rnnBuilds.simd = await build('rnn');
  rnnBuilds.relaxed = await build('rnn', true); // the lstm sequence kernels and simd-math use relaxed ops when available
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// ---- helpers ----
const rand = mulberry32(12345);
function randn(n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * scale;
  return a;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-6) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Object.is(a, e)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}: [${i}] got ${a}, expected ${e}`);
    }
  }
}

const convOut = (n: number, k: number, p: number, s: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

// ---- conv ----
interface ConvCfg { C: number; H: number; W: number; kH: number; kW: number; pH: number; pW: number; sH: number; sW: number; dH: number; dW: number; oH: number; oW: number }

function convConfigs(count: number, maxC = 3): ConvCfg[] {
  const sizes = [1, 3, 7, 13];
  const out: ConvCfg[] = [
    { C: 3, H: 7, W: 13, kH: 1, kW: 1, pH: 0, pW: 0, sH: 1, sW: 1, dH: 1, dW: 1, oH: 7, oW: 13 }, // 1x1 fast path
    { C: 2, H: 13, W: 13, kH: 3, kW: 3, pH: 1, pW: 1, sH: 1, sW: 1, dH: 1, dW: 1, oH: 13, oW: 13 },
    // 3x3 depthwise fast path: stride 1 along W, any H stride / dilation
    { C: 3, H: 13, W: 29, kH: 3, kW: 3, pH: 0, pW: 0, sH: 1, sW: 1, dH: 1, dW: 1, oH: 11, oW: 27 },
    { C: 2, H: 13, W: 29, kH: 3, kW: 3, pH: 2, pW: 1, sH: 2, sW: 1, dH: 2, dW: 2, oH: 7, oW: 27 },
    { C: 2, H: 7, W: 13, kH: 3, kW: 3, pH: 1, pW: 2, sH: 3, sW: 1, dH: 1, dW: 2, oH: 3, oW: 13 },
  ];
  while (out.length < count) {
    const c: ConvCfg = {
      C: 1 + Math.floor(rand() * maxC), H: pick(sizes), W: pick(sizes), kH: pick([1, 2, 3, 5]), kW: pick([1, 2, 3]),
      pH: pick([0, 1, 2]), pW: pick([0, 1, 2]), sH: pick([1, 2, 3]), sW: pick([1, 1, 2, 3]), dH: pick([1, 2]), dW: pick([1, 2]),
      oH: 0, oW: 0,
    };
    c.oH = convOut(c.H, c.kH, c.pH, c.sH, c.dH);
    c.oW = convOut(c.W, c.kW, c.pW, c.sW, c.dW);
    if (c.oH > 0 && c.oW > 0) out.push(c);
  }
  return out;
}
const convArgs = (c: ConvCfg) => [c.C, c.H, c.W, c.kH, c.kW, c.pH, c.pW, c.sH, c.sW, c.dH, c.dW, c.oH, c.oW];
const cfgStr = (c: object) => JSON.stringify(c);

function refIm2col(x: Float32Array, c: ConvCfg): Float64Array {
  const L = c.oH * c.oW;
  const col = new Float64Array(c.C * c.kH * c.kW * L);
  for (let ch = 0; ch < c.C; ch++) for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
    const r = (ch * c.kH + ki) * c.kW + kj;
    for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
      const ih = oh * c.sH - c.pH + ki * c.dH, iw = ow * c.sW - c.pW + kj * c.dW;
      col[r * L + oh * c.oW + ow] = ih >= 0 && ih < c.H && iw >= 0 && iw < c.W ? x[(ch * c.H + ih) * c.W + iw] : 0;
    }
  }
  return col;
}

function refCol2im(col: Float32Array, c: ConvCfg, init: Float32Array): Float64Array {
  const L = c.oH * c.oW;
  const x = Float64Array.from(init);
  for (let ch = 0; ch < c.C; ch++) for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
    const r = (ch * c.kH + ki) * c.kW + kj;
    for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
      const ih = oh * c.sH - c.pH + ki * c.dH, iw = ow * c.sW - c.pW + kj * c.dW;
      if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W) x[(ch * c.H + ih) * c.W + iw] += col[r * L + oh * c.oW + ow];
    }
  }
  return x;
}

function refDepthwise(x: Float32Array, w: Float32Array, b: Float32Array | null, c: ConvCfg): Float64Array {
  const y = new Float64Array(c.C * c.oH * c.oW);
  for (let ch = 0; ch < c.C; ch++) for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
    let s = b ? b[ch] : 0;
    for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
      const ih = oh * c.sH - c.pH + ki * c.dH, iw = ow * c.sW - c.pW + kj * c.dW;
      if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W) s += w[(ch * c.kH + ki) * c.kW + kj] * x[(ch * c.H + ih) * c.W + iw];
    }
    y[(ch * c.oH + oh) * c.oW + ow] = s;
  }
  return y;
}

function refDepthwiseBwd(x: Float32Array, w: Float32Array, dy: Float32Array, c: ConvCfg, dx0: Float32Array, dw0: Float32Array) {
  const dx = Float64Array.from(dx0), dw = Float64Array.from(dw0);
  for (let ch = 0; ch < c.C; ch++) for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
    const g = dy[(ch * c.oH + oh) * c.oW + ow];
    for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
      const ih = oh * c.sH - c.pH + ki * c.dH, iw = ow * c.sW - c.pW + kj * c.dW;
      if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W) {
        const xi = (ch * c.H + ih) * c.W + iw, wi = (ch * c.kH + ki) * c.kW + kj;
        dx[xi] += g * w[wi];
        dw[wi] += g * x[xi];
      }
    }
  }
  return { dx, dw };
}

describe.each(['simd', 'relaxed'])('conv (%s build)', (variant) => {
  beforeAll(() => { conv = convBuilds[variant]; });
  it('im2col matches the reference exactly (incl. 1x1 fast path, strides, pads, dilations)', () => {
    for (const c of convConfigs(400)) {
      conv.reset();
      const x = randn(c.C * c.H * c.W);
      const n = c.C * c.kH * c.kW * c.oH * c.oW;
      const px = conv.f32(x), pd = conv.f32(randn(n)); // dst prefilled with junk: must be overwritten
      conv.fn.conv_im2col(px, ...convArgs(c), pd, c.oH * c.oW); // one image: row stride = its column count
      close(conv.read(pd, n), refIm2col(x, c), `im2col ${cfgStr(c)}`, 0, 0);
      expect(conv.guardIntact(pd, n), `im2col overrun ${cfgStr(c)}`).toBe(true);
    }
  });

  it('col2im accumulates the adjoint of im2col', () => {
    for (const c of convConfigs(400)) {
      conv.reset();
      const n = c.C * c.kH * c.kW * c.oH * c.oW, m = c.C * c.H * c.W;
      const col = randn(n), init = randn(m);
      const pc = conv.f32(col), pd = conv.f32(init);
      conv.fn.conv_col2im(pc, ...convArgs(c), pd, c.oH * c.oW);
      close(conv.read(pd, m), refCol2im(col, c, init), `col2im ${cfgStr(c)}`);
      expect(conv.guardIntact(pd, m), `col2im overrun ${cfgStr(c)}`).toBe(true);
    }
  });

  it('depthwise forward (with and without bias) matches the reference', () => {
    for (const c of convConfigs(300, 5)) {
      conv.reset();
      const x = randn(c.C * c.H * c.W), w = randn(c.C * c.kH * c.kW), b = randn(c.C);
      const n = c.C * c.oH * c.oW;
      const px = conv.f32(x), pw = conv.f32(w), pb = conv.f32(b), py = conv.f32(randn(n));
      conv.fn.conv_depthwise_fwd(px, pw, pb, ...convArgs(c), py);
      close(conv.read(py, n), refDepthwise(x, w, b, c), `dw fwd ${cfgStr(c)}`);
      expect(conv.guardIntact(py, n)).toBe(true);
      conv.fn.conv_depthwise_fwd(px, pw, 0, ...convArgs(c), py);
      close(conv.read(py, n), refDepthwise(x, w, null, c), `dw fwd nobias ${cfgStr(c)}`);
    }
  });

  it('depthwise backward (input and weight, accumulating) matches the reference', () => {
    for (const c of convConfigs(300, 5)) {
      conv.reset();
      const x = randn(c.C * c.H * c.W), w = randn(c.C * c.kH * c.kW), dy = randn(c.C * c.oH * c.oW);
      const dx0 = randn(x.length), dw0 = randn(w.length);
      const px = conv.f32(x), pw = conv.f32(w), pdy = conv.f32(dy), pdx = conv.f32(dx0), pdw = conv.f32(dw0);
      conv.fn.conv_depthwise_bwd_input(pdy, pw, ...convArgs(c), pdx);
      conv.fn.conv_depthwise_bwd_weight(px, pdy, ...convArgs(c), pdw);
      const ref = refDepthwiseBwd(x, w, dy, c, dx0, dw0);
      close(conv.read(pdx, x.length), ref.dx, `dw dx ${cfgStr(c)}`);
      close(conv.read(pdw, w.length), ref.dw, `dw dw ${cfgStr(c)}`, 1e-5, 1e-5);
      expect(conv.guardIntact(pdx, x.length) && conv.guardIntact(pdw, w.length)).toBe(true);
    }
  });
});

// ---- pool ----
function refOutSize(n: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  const num = n + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

interface PoolCfg { NC: number; H: number; W: number; kH: number; kW: number; pH: number; pW: number; sH: number; sW: number; dH: number; dW: number; ceil: boolean; oH: number; oW: number }

function poolConfigs(count: number, dilation: boolean): PoolCfg[] {
  const sizes = [1, 3, 7, 13];
  const out: PoolCfg[] = [];
  while (out.length < count) {
    const kH = pick([1, 2, 3, 4]), kW = pick([1, 2, 3]);
    const c: PoolCfg = {
      NC: pick([1, 2, 3]), H: pick(sizes), W: pick(sizes), kH, kW,
      pH: Math.min(pick([0, 1, 2]), kH >> 1), pW: Math.min(pick([0, 1, 2]), kW >> 1), // PyTorch: pad <= k/2
      sH: pick([1, 2, 3]), sW: pick([1, 2, 3]), dH: dilation ? pick([1, 2]) : 1, dW: dilation ? pick([1, 2]) : 1,
      ceil: rand() < 0.5, oH: 0, oW: 0,
    };
    c.oH = refOutSize(c.H, c.kH, c.pH, c.sH, c.dH, c.ceil);
    c.oW = refOutSize(c.W, c.kW, c.pW, c.sW, c.dW, c.ceil);
    if (c.oH > 0 && c.oW > 0) out.push(c);
  }
  return out;
}

function refMaxPool(x: Float32Array, c: PoolCfg) {
  const n = c.NC * c.oH * c.oW;
  const y = new Float64Array(n), idx = new Int32Array(n);
  for (let p = 0; p < c.NC; p++) for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
    let m = -Infinity, mi = -1;
    for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
      const ih = oh * c.sH - c.pH + ki * c.dH, iw = ow * c.sW - c.pW + kj * c.dW;
      if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
      const v = x[(p * c.H + ih) * c.W + iw];
      if (mi < 0 || v > m || Number.isNaN(v)) { m = v; mi = ih * c.W + iw; }
    }
    y[(p * c.oH + oh) * c.oW + ow] = m;
    idx[(p * c.oH + oh) * c.oW + ow] = mi;
  }
  return { y, idx };
}

// Straight from PyTorch's CPU avg_pool2d kernel.
function refAvgDivisors(c: PoolCfg, cip: boolean, override: number) {
  const win: { h0: number; h1: number; w0: number; w1: number; div: number }[] = [];
  for (let oh = 0; oh < c.oH; oh++) for (let ow = 0; ow < c.oW; ow++) {
    let h0 = oh * c.sH - c.pH, w0 = ow * c.sW - c.pW;
    let h1 = Math.min(h0 + c.kH, c.H + c.pH), w1 = Math.min(w0 + c.kW, c.W + c.pW);
    const poolSize = (h1 - h0) * (w1 - w0);
    h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, c.H); w1 = Math.min(w1, c.W);
    const div = override ? override : cip ? poolSize : (h1 - h0) * (w1 - w0);
    win.push({ h0, h1, w0, w1, div });
  }
  return win;
}

function refAvgPool(x: Float32Array, c: PoolCfg, cip: boolean, override: number): Float64Array {
  const L = c.oH * c.oW, y = new Float64Array(c.NC * L), win = refAvgDivisors(c, cip, override);
  for (let p = 0; p < c.NC; p++) for (let o = 0; o < L; o++) {
    const { h0, h1, w0, w1, div } = win[o];
    if (h0 >= h1 || w0 >= w1) { y[p * L + o] = 0; continue; }
    let s = 0;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[(p * c.H + ih) * c.W + iw];
    y[p * L + o] = s / div;
  }
  return y;
}

function refAvgPoolBwd(dy: Float32Array, c: PoolCfg, cip: boolean, override: number, dx0: Float32Array): Float64Array {
  const L = c.oH * c.oW, dx = Float64Array.from(dx0), win = refAvgDivisors(c, cip, override);
  for (let p = 0; p < c.NC; p++) for (let o = 0; o < L; o++) {
    const { h0, h1, w0, w1, div } = win[o];
    if (h0 >= h1 || w0 >= w1) continue;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[(p * c.H + ih) * c.W + iw] += dy[p * L + o] / div;
  }
  return dx;
}

const poolArgs = (c: PoolCfg) => [c.NC, c.H, c.W, c.kH, c.kW, c.pH, c.pW, c.sH, c.sW];

describe('pool', () => {
  it('pool_out_size follows PyTorch (floor and ceil mode, last-window rule)', () => {
    expect(pool.fn.pool_out_size(7, 2, 0, 2, 1, 0)).toBe(3);
    expect(pool.fn.pool_out_size(7, 2, 0, 2, 1, 1)).toBe(4);
    expect(pool.fn.pool_out_size(6, 2, 1, 2, 1, 1)).toBe(4); // (4-1)*2 = 6 >= 6+1? no -> 4
    expect(pool.fn.pool_out_size(5, 3, 1, 2, 1, 1)).toBe(3);
    expect(pool.fn.pool_out_size(4, 2, 1, 3, 1, 1)).toBe(2); // ceil gives 3, last start 6 >= 5 -> drop
    for (let n = 1; n <= 13; n++) for (let k = 1; k <= 4; k++) for (let p = 0; p <= k >> 1; p++)
      for (let s = 1; s <= 3; s++) for (let d = 1; d <= 2; d++) for (const ceil of [false, true]) {
        const want = refOutSize(n, k, p, s, d, ceil);
        if (want <= 0) continue;
        expect(pool.fn.pool_out_size(n, k, p, s, d, ceil ? 1 : 0), `${n} ${k} ${p} ${s} ${d} ${ceil}`).toBe(want);
      }
  });

  it('max pool forward: values and PyTorch flat argmax indices', () => {
    for (const c of poolConfigs(400, true)) {
      pool.reset();
      const x = randn(c.NC * c.H * c.W), n = c.NC * c.oH * c.oW;
      const px = pool.f32(x), py = pool.f32(randn(n)), pi = pool.alloc(n);
      pool.fn.pool_max2d_fwd(px, ...poolArgs(c), c.dH, c.dW, c.oH, c.oW, py, pi);
      const ref = refMaxPool(x, c);
      close(pool.read(py, n), ref.y, `max fwd ${cfgStr(c)}`, 0, 0);
      expect(Array.from(pool.readI32(pi, n)), `max idx ${cfgStr(c)}`).toEqual(Array.from(ref.idx));
      expect(pool.guardIntact(py, n) && pool.guardIntact(pi, n)).toBe(true);
    }
  });

  it('max pool: ties keep the first tap, NaN propagates, -inf input keeps a valid index', () => {
    pool.reset();
    const x = Float32Array.from([1, 1, 1, 1, 5, NaN, 2, 9, -Infinity, -Infinity, -Infinity, -Infinity]); // 3 planes of 2x2
    const px = pool.f32(x), py = pool.alloc(3), pi = pool.alloc(3);
    pool.fn.pool_max2d_fwd(px, 3, 2, 2, 2, 2, 0, 0, 2, 2, 1, 1, 1, 1, py, pi);
    expect(Array.from(pool.readI32(pi, 3))).toEqual([0, 1, 0]);
    const y = pool.read(py, 3);
    expect(y[0]).toBe(1); expect(Number.isNaN(y[1])).toBe(true); expect(y[2]).toBe(-Infinity);
  });

  it('max pool backward zeroes dx, then scatter-adds into the saved indices', () => {
    for (const c of poolConfigs(300, true)) {
      pool.reset();
      const x = randn(c.NC * c.H * c.W), n = c.NC * c.oH * c.oW;
      const { idx } = refMaxPool(x, c);
      const dy = randn(n), dx0 = randn(x.length);
      const pdy = pool.f32(dy), pi = pool.alloc(n), pdx = pool.f32(dx0);
      new Int32Array(pool.mem.buffer, pi, n).set(idx);
      pool.fn.pool_max2d_bwd(pdy, pi, ...poolArgs(c), c.dH, c.dW, c.oH, c.oW, pdx);
      const want = new Float64Array(dx0.length); // dx0 (random) is overwritten
      const HW = c.H * c.W;
      for (let p = 0; p < c.NC; p++) for (let o = 0; o < c.oH * c.oW; o++) {
        const i = idx[p * c.oH * c.oW + o];
        if (i >= 0) want[p * HW + i] += dy[p * c.oH * c.oW + o]; // -1: window entirely in padding
      }
      close(pool.read(pdx, x.length), want, `max bwd ${cfgStr(c)}`);
    }
  });

  it('max pool 2x2 stride 2 backward (its own vector path): the scatter\'s bits, odd sizes, ties, NaN, -0', () => {
    for (const [H, W] of [[8, 8], [9, 8], [8, 9], [13, 15], [28, 28], [14, 14], [9, 30]]) {
      pool.reset();
      const c: PoolCfg = { NC: 3, H, W, kH: 2, kW: 2, pH: 0, pW: 0, sH: 2, sW: 2, dH: 1, dW: 1, ceil: false, oH: H >> 1, oW: W >> 1 };
      // a coarse grid makes ties; some NaN inputs and -0 / NaN gradients
      const x = Float32Array.from(randn(c.NC * H * W), (v, i) => (i % 17 === 3 ? NaN : Math.round(v * 2)));
      const n = c.NC * c.oH * c.oW;
      const dy = Float32Array.from(randn(n), (v, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? NaN : v));
      const px = pool.f32(x), py = pool.alloc(n), pi = pool.alloc(n), pdy = pool.f32(dy);
      pool.fn.pool_max2d_fwd(px, ...poolArgs(c), 1, 1, c.oH, c.oW, py, pi);
      const idx = pool.readI32(pi, n);
      expect(Array.from(idx)).toEqual(Array.from(refMaxPool(x, c).idx));
      const pdx = pool.f32(randn(c.NC * H * W)); // overwritten
      pool.fn.pool_max2d_bwd(pdy, pi, ...poolArgs(c), 1, 1, c.oH, c.oW, pdx);
      const want = new Float32Array(c.NC * H * W); // the generic kernel's zero fill + scatter-add
      for (let p = 0; p < c.NC; p++) for (let o = 0; o < c.oH * c.oW; o++) want[p * H * W + idx[p * c.oH * c.oW + o]] += dy[p * c.oH * c.oW + o];
      const got = pool.read(pdx, c.NC * H * W);
      for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) expect.fail(`${H}x${W}: dx[${i}] = ${got[i]}, want ${want[i]}`);
      expect(pool.guardIntact(pdx, c.NC * H * W)).toBe(true);
    }
  });

  it('avg pool forward/backward: padding, ceil mode, countIncludePad, divisor override', () => {
    for (const c of poolConfigs(400, false)) for (const cip of [false, true]) for (const ov of [0, 3]) {
      pool.reset();
      const x = randn(c.NC * c.H * c.W), n = c.NC * c.oH * c.oW;
      const px = pool.f32(x), py = pool.f32(randn(n));
      const tail = [c.oH, c.oW, cip ? 1 : 0, ov];
      pool.fn.pool_avg2d_fwd(px, ...poolArgs(c), ...tail, py);
      const tag = `avg ${cfgStr(c)} cip=${cip} ov=${ov}`;
      close(pool.read(py, n), refAvgPool(x, c, cip, ov), `${tag} fwd`);
      const dy = randn(n), dx0 = randn(x.length);
      const pdy = pool.f32(dy), pdx = pool.f32(dx0);
      pool.fn.pool_avg2d_bwd(pdy, ...poolArgs(c), ...tail, pdx);
      close(pool.read(pdx, x.length), refAvgPoolBwd(dy, c, cip, ov, dx0), `${tag} bwd`);
      expect(pool.guardIntact(py, n) && pool.guardIntact(pdx, x.length)).toBe(true);
    }
  });

  it('adaptive avg pool forward/backward (incl. output larger than input)', () => {
    const sizes = [1, 2, 3, 5, 7, 13];
    for (const H of [1, 3, 7, 13]) for (const W of [1, 3, 7, 13]) for (const oH of sizes) for (const oW of [pick(sizes), pick(sizes)]) {
      pool.reset();
      const NC = 2, x = randn(NC * H * W), n = NC * oH * oW;
      const px = pool.f32(x), py = pool.f32(randn(n));
      pool.fn.pool_adaptive_avg2d_fwd(px, NC, H, W, oH, oW, py);
      const want = new Float64Array(n);
      const dy = randn(n), dx0 = randn(x.length), wantDx = Float64Array.from(dx0);
      for (let p = 0; p < NC; p++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
        const h0 = Math.floor((oh * H) / oH), h1 = Math.ceil(((oh + 1) * H) / oH);
        const w0 = Math.floor((ow * W) / oW), w1 = Math.ceil(((ow + 1) * W) / oW);
        const cnt = (h1 - h0) * (w1 - w0), o = (p * oH + oh) * oW + ow;
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) {
          s += x[(p * H + ih) * W + iw];
          wantDx[(p * H + ih) * W + iw] += dy[o] / cnt;
        }
        want[o] = s / cnt;
      }
      close(pool.read(py, n), want, `adaptive fwd ${H}x${W}->${oH}x${oW}`);
      const pdy = pool.f32(dy), pdx = pool.f32(dx0);
      pool.fn.pool_adaptive_avg2d_bwd(pdy, NC, H, W, oH, oW, pdx);
      close(pool.read(pdx, x.length), wantDx, `adaptive bwd ${H}x${W}->${oH}x${oW}`);
    }
  });
});

// ---- rnn ----
const sig = (x: number) => 1 / (1 + Math.exp(-x));

// Float64 rnn_lstm_seq_fwd: gi [T, B, 4H] (x·W_ihᵀ), whh [4H, H], bhh [4H] or null, h0 / c0 [B, H].
// Returns the activated gates and the states block in the kernel's layout (h slots [T+1, B, H], then
// c slots; forward reads slot t and writes t+1 at step t, reverse reads t+1 and writes t).
function refLstmSeq(gi: ArrayLike<number>, whh: ArrayLike<number>, bhh: ArrayLike<number> | null,
                    h0: ArrayLike<number>, c0: ArrayLike<number>, T: number, B: number, H: number, reverse: boolean) {
  const G = 4 * H, BH = B * H;
  const gates = new Float64Array(T * B * G), states = new Float64Array(2 * (T + 1) * BH);
  const first = reverse ? T : 0;
  for (let i = 0; i < BH; i++) { states[first * BH + i] = h0[i]; states[(T + 1 + first) * BH + i] = c0[i]; }
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s, prev = reverse ? t + 1 : t, out = reverse ? t : t + 1;
    for (let b = 0; b < B; b++) {
      const hp = prev * BH + b * H, row = (t * B + b) * G;
      for (let r = 0; r < G; r++) { // pre-activation r = gi + b_hh + h_prev·W_hh[r]
        let v = gi[row + r] + (bhh ? bhh[r] : 0);
        for (let q = 0; q < H; q++) v += states[hp + q] * whh[r * H + q];
        gates[row + r] = r < 2 * H || r >= 3 * H ? sig(v) : Math.tanh(v);
      }
      for (let j = 0; j < H; j++) {
        const i = gates[row + j], f = gates[row + H + j], g = gates[row + 2 * H + j], o = gates[row + 3 * H + j];
        const cn = f * states[(T + 1 + prev) * BH + b * H + j] + i * g;
        states[(T + 1 + out) * BH + b * H + j] = cn;
        states[out * BH + b * H + j] = o * Math.tanh(cn);
      }
    }
  }
  return { gates, states };
}

interface LstmSeqIn {
  T: number; B: number; H: number; reverse: boolean;
  gi: Float32Array; whh: Float32Array; bhh: Float32Array | null; h0: Float32Array; c0: Float32Array;
  dH: Float32Array; // [T, B, H]: dL/dh_t, written into gStates' output slots (no other slot is read)
  dc: Float32Array; // [B, H]: dL/d(final c)
}

/**
 * rnn_lstm_seq_fwd then rnn_lstm_seq_bwd on one build, each called once per row slice
 * ([r0, r1) pairs; the op gives each thread one). Returns what the kernels wrote; `ptr` keeps the
 * addresses for guard checks.
 */
function runLstmSeq(k: Kernels, c: LstmSeqIn, slices: [number, number][]) {
  const { T, B, H } = c, G = 4 * H, BH = B * H, rev = c.reverse ? 1 : 0;
  k.reset();
  const packed = k.fn.rnn_lstm_packed_bytes(H) / 4;
  const pw = k.f32(c.whh), pf = k.alloc(packed), pb = k.alloc(packed);
  k.fn.rnn_lstm_pack_fwd(pw, H, pf);
  k.fn.rnn_lstm_pack_bwd(pw, H, pb);
  const pbhh = c.bhh ? k.f32(c.bhh) : 0, work = k.alloc(32);
  const pgi = k.f32(c.gi), nS = 2 * (T + 1) * BH, ps = k.alloc(nS); // states: NaN but for the initial slots
  const first = c.reverse ? T : 0;
  new Float32Array(k.mem.buffer, ps + first * BH * 4, BH).set(c.h0);
  new Float32Array(k.mem.buffer, ps + (T + 1 + first) * BH * 4, BH).set(c.c0);
  for (const [r0, r1] of slices) k.fn.rnn_lstm_seq_fwd(T, B, r0, r1 - r0, H, rev, pgi, pf, pbhh, ps, work);
  const gates = k.read(pgi, T * B * G), states = k.read(ps, nS);

  // gStates: NaN except the h slot each step writes, so reading anything else would show.
  const pgs = k.alloc(nS);
  for (let t = 0; t < T; t++) new Float32Array(k.mem.buffer, pgs + (c.reverse ? t : t + 1) * BH * 4, BH).set(c.dH.subarray(t * BH, (t + 1) * BH));
  const pdg = k.alloc(T * B * G), pdh = k.f32(new Float32Array(BH)), pdc = k.f32(c.dc);
  for (const [r0, r1] of slices) {
    k.fn.rnn_lstm_seq_bwd(T, B, r0, r1 - r0, H, rev, pgi, ps, pgs, pb, pdg, pdh, pdc, work);
  }
  return {
    gates, states, dgates: k.read(pdg, T * B * G), dh0: k.read(pdh, BH), dc0: k.read(pdc, BH),
    guards: k.guardIntact(pgi, T * B * G) && k.guardIntact(ps, nS) && k.guardIntact(pdg, T * B * G)
      && k.guardIntact(pdh, BH) && k.guardIntact(pdc, BH) && k.guardIntact(pf, packed) && k.guardIntact(pb, packed),
  };
}

function refGru(gi: ArrayLike<number>, gh: ArrayLike<number>, hp: ArrayLike<number>, B: number, H: number) {
  const h = new Float64Array(B * H), saved = new Float64Array(B * 4 * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
    const G = b * 3 * H;
    const r = sig(gi[G + j] + gh[G + j]), z = sig(gi[G + H + j] + gh[G + H + j]);
    const n = Math.tanh(gi[G + 2 * H + j] + r * gh[G + 2 * H + j]);
    h[b * H + j] = (1 - z) * n + z * hp[b * H + j];
    const S = b * 4 * H;
    saved[S + j] = r; saved[S + H + j] = z; saved[S + 2 * H + j] = n; saved[S + 3 * H + j] = gh[G + 2 * H + j];
  }
  return { h, saved };
}

// Central finite differences of a float64 scalar loss wrt every entry of x.
function fdGrad(x: Float64Array, loss: () => number, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + eps; const lp = loss();
    x[i] = v - eps; const lm = loss();
    x[i] = v;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}
const dotv = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

const shapes: [number, number][] = [[1, 1], [3, 3], [1, 7], [3, 13], [2, 4], [5, 8]];

describe.each(['simd', 'relaxed'])('rnn (%s build)', (variant) => {
  beforeAll(() => { rnn = rnnBuilds[variant]; });

  it('SIMD sigmoid/tanh vs float64: elman tanh and gru sigmoid within 1e-6 relative; the lstm sequence kernel\'s rational tanh and sigmoid within their documented bounds', () => {
    rnn.reset();
    const xs: number[] = [0, -0, 1e-8, -1e-6, 1e-3, 0.1, 0.5, 0.6249, 0.625, 0.7, 1, 2, 5, 7.9, 7.91, 9, 15, 20, 40, 87, 100];
    for (let i = 0; i < 4000; i++) xs.push((i / 4000 - 0.5) * 40);
    const all = xs.flatMap((v) => [v, -v]);
    while (all.length % 4) all.push(0.3);
    const n = all.length;
    const x = Float32Array.from(all), px = rnn.f32(x), pz = rnn.f32(new Float32Array(4 * n)), ph = rnn.alloc(n);
    rnn.fn.rnn_elman_fwd(px, pz, 1, n, 0, ph);
    const th = rnn.read(ph, n);
    let worstT = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.tanh(x[i]);
      worstT = Math.max(worstT, Math.abs(th[i] - e) / Math.max(Math.abs(e), 1e-30));
    }
    // sigmoid: GRU with B = 1, H = n, gi = (x, x, x), gh = 0, hPrev = 0; saved[0:n] = r = σ(x).
    const gi3 = new Float32Array(3 * n);
    for (let k = 0; k < 3; k++) gi3.set(x, k * n);
    const pgi3 = rnn.f32(gi3), psv = rnn.alloc(4 * n), phn = rnn.alloc(n);
    rnn.fn.rnn_gru_fwd(pgi3, pz, pz, 1, n, psv, phn);
    const s = rnn.read(psv, n);
    let worstS = 0;
    for (let i = 0; i < n; i++) {
      const e = sig(x[i]);
      if (e < 1e-37) { expect(s[i]).toBeLessThan(1e-37); continue; } // below f32 normal range
      worstS = Math.max(worstS, Math.abs(s[i] - e) / e);
    }
    // The LSTM sequence kernel's rational tanh / sigmoid: one step over n/4 rows of H = 4 units,
    // W_hh = 0, no bias, h0 = c0 = 0, each row's gi = (x, x, x, x) for its 4 values of x, so the
    // activated gates are (σ(x), σ(x), tanh(x), σ(x)).
    const H = 4, B = n / 4, G = 4 * H, gl = new Float32Array(B * G);
    for (let b = 0; b < B; b++) for (let k = 0; k < 4; k++) gl.set(x.subarray(4 * b, 4 * b + 4), b * G + k * H);
    const pw = rnn.f32(new Float32Array(G * H)), pp = rnn.alloc(rnn.fn.rnn_lstm_packed_bytes(H) / 4);
    rnn.fn.rnn_lstm_pack_fwd(pw, H, pp);
    const pgl = rnn.f32(gl), pst = rnn.f32(new Float32Array(4 * B * H));
    rnn.fn.rnn_lstm_seq_fwd(1, B, 0, B, H, 0, pgl, pp, 0, pst, rnn.alloc(32));
    const gates = rnn.read(pgl, B * G);
    let worstRT = 0, worstRS = 0;
    for (let b = 0; b < B; b++) for (let l = 0; l < 4; l++) {
      const v = x[4 * b + l], e = Math.tanh(v);
      worstRT = Math.max(worstRT, Math.abs(gates[b * G + 2 * H + l] - e) / Math.max(Math.abs(e), 1e-30));
      for (const k of [0, 1, 3]) worstRS = Math.max(worstRS, Math.abs(gates[b * G + k * H + l] - sig(v)));
    }
    console.log(`${variant}: SIMD tanh worst rel err ${worstT.toExponential(2)}, sigmoid ${worstS.toExponential(2)}; ` +
      `lstm sequence tanh ${worstRT.toExponential(2)} rel, sigmoid ${worstRS.toExponential(2)} abs`);
    expect(worstT).toBeLessThan(1e-6);
    expect(worstS).toBeLessThan(1e-6);
    expect(worstRT).toBeLessThan(4e-7); // assembly/rnn.ts rtanh
    expect(worstRS).toBeLessThan(2e-7); // rsigmoid
  });

  it('elman forward/backward (tanh, relu) vs float64 reference and finite differences', () => {
    for (const [B, H] of shapes) for (const relu of [false, true]) {
      rnn.reset();
      const n = B * H, gi = randn(n, 2), gh = randn(n, 2), dh = randn(n);
      const act = (v: number) => (relu ? Math.max(v, 0) : Math.tanh(v));
      const pgi = rnn.f32(gi), pgh = rnn.f32(gh), ph = rnn.alloc(n), pdh = rnn.f32(dh), pd = rnn.alloc(n);
      rnn.fn.rnn_elman_fwd(pgi, pgh, B, H, relu ? 1 : 0, ph);
      const want = Float64Array.from(gi, (v, i) => act(v + gh[i]));
      close(rnn.read(ph, n), want, `elman fwd ${B}x${H} relu=${relu}`);
      rnn.fn.rnn_elman_bwd(pdh, ph, B, H, relu ? 1 : 0, pd);
      const g64 = Float64Array.from(gi);
      const fd = fdGrad(g64, () => dotv(Float64Array.from(g64, (v, i) => act(v + gh[i])), dh));
      close(rnn.read(pd, n), fd, `elman bwd ${B}x${H} relu=${relu}`, 1e-5, 1e-6);
      expect(rnn.guardIntact(ph, n) && rnn.guardIntact(pd, n)).toBe(true);
    }
  });

  // One step and three, both directions; odd and even batches (the kernels take rows in pairs);
  // H below one 4-unit group of the forward, several groups with a partial one, and past one
  // 16-column strip of the backward's product (17, 20).
  it('lstm sequence forward (gates over gi, h and c every step) vs float64; backward (dgates, dh0, dc0) vs finite differences; row slices bit-identical to one call', () => {
    for (const [si, [B, H]] of [...shapes, [3, 17], [3, 20]].entries()) {
      for (const [T, reverse] of [[1, false], [3, false], [3, true]] as const) for (const withDc of [true, false]) {
        const G = 4 * H, BH = B * H, bias = si % 2 === 0;
        const c: LstmSeqIn = {
          T, B, H, reverse, gi: randn(T * B * G, 2), whh: randn(G * H, 1.5 / Math.sqrt(H)), bhh: bias ? randn(G) : null,
          h0: randn(BH), c0: randn(BH, 1.5), dH: randn(T * BH), dc: withDc ? randn(BH) : new Float32Array(BH),
        };
        const tag = `lstm seq T=${T} B=${B} H=${H} reverse=${reverse} bias=${bias} dc=${withDc}`;
        const got = runLstmSeq(rnn, c, [[0, B]]);
        const ref = refLstmSeq(c.gi, c.whh, c.bhh, c.h0, c.c0, T, B, H, reverse);
        close(got.gates, ref.gates, `${tag} gates`);
        close(got.states, ref.states, `${tag} states`);
        expect(got.guards, `${tag} guards`).toBe(true);

        const gi64 = Float64Array.from(c.gi), h64 = Float64Array.from(c.h0), c64 = Float64Array.from(c.c0);
        const cLast = (T + 1 + (reverse ? 0 : T)) * BH;
        const loss = () => {
          const st = refLstmSeq(gi64, c.whh, c.bhh, h64, c64, T, B, H, reverse).states;
          let l = 0;
          for (let t = 0; t < T; t++) for (let i = 0; i < BH; i++) l += st[(reverse ? t : t + 1) * BH + i] * c.dH[t * BH + i];
          for (let i = 0; i < BH; i++) l += st[cLast + i] * c.dc[i];
          return l;
        };
        close(got.dgates, fdGrad(gi64, loss), `${tag} dgates`, 1e-5, 2e-6);
        close(got.dh0, fdGrad(h64, loss), `${tag} dh0`, 1e-5, 2e-6);
        close(got.dc0, fdGrad(c64, loss), `${tag} dc0`, 1e-5, 2e-6);

        if (B >= 3) { // two threads' slices: the same bits as one call
          const split = runLstmSeq(rnn, c, [[0, 2], [2, B]]);
          for (const key of ['gates', 'states', 'dgates', 'dh0', 'dc0'] as const) {
            expect(new Uint32Array(split[key].buffer), `${tag} split ${key}`).toEqual(new Uint32Array(got[key].buffer));
          }
        }
      }
    }
  });

  it('gru forward (h, saved r/z/n/gh_n) and backward (dgi, dgh, direct dhPrev) vs finite differences', () => {
    for (const [B, H] of shapes) {
      rnn.reset();
      const G = B * 3 * H, n = B * H;
      const gi = randn(G, 2), gh = randn(G, 2), hp = randn(n), dh = randn(n);
      const pgi = rnn.f32(gi), pgh = rnn.f32(gh), php = rnn.f32(hp), psv = rnn.alloc(4 * n), ph = rnn.alloc(n);
      rnn.fn.rnn_gru_fwd(pgi, pgh, php, B, H, psv, ph);
      const ref = refGru(gi, gh, hp, B, H);
      const tag = `gru ${B}x${H}`;
      close(rnn.read(ph, n), ref.h, `${tag} h`);
      close(rnn.read(psv, 4 * n), ref.saved, `${tag} saved`);
      expect(rnn.guardIntact(psv, 4 * n) && rnn.guardIntact(ph, n)).toBe(true);

      const pdh = rnn.f32(dh), pdgi = rnn.alloc(G), pdgh = rnn.alloc(G), pdhp = rnn.alloc(n);
      rnn.fn.rnn_gru_bwd(pdh, psv, php, B, H, pdgi, pdgh, pdhp);
      const a = Float64Array.from(gi), b = Float64Array.from(gh), h64 = Float64Array.from(hp);
      const loss = () => dotv(refGru(a, b, h64, B, H).h, dh);
      close(rnn.read(pdgi, G), fdGrad(a, loss), `${tag} dgi`, 1e-5, 2e-6);
      close(rnn.read(pdgh, G), fdGrad(b, loss), `${tag} dgh`, 1e-5, 2e-6);
      close(rnn.read(pdhp, n), fdGrad(h64, loss), `${tag} dhPrev (direct)`, 1e-5, 2e-6);
      expect(rnn.guardIntact(pdgi, G) && rnn.guardIntact(pdgh, G) && rnn.guardIntact(pdhp, n)).toBe(true);

      // in place: h over hPrev
      rnn.fn.rnn_gru_fwd(pgi, pgh, php, B, H, psv, php);
      close(rnn.read(php, n), ref.h, `${tag} h in place`);
    }
  });
});
