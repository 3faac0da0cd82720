// assembly/gemm.ts compiled standalone (plain SIMD and relaxed SIMD builds), checked through the
// exact ABI against a float64 JS reference: all trans combinations, beta, bias kinds, activations,
// edge sizes, strides, and that nothing outside C (or beyond the declared workspace) is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import asc from 'assemblyscript/asc';
import v8 from 'node:v8';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; must precede compilation

type Gemm = {
  gemm(tA: number, tB: number, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number,
       C: number, ldc: number, beta: number, bias: number, biasKind: number, act: number, actParam: number, work: number): void;
  gemm_workspace_bytes(M: number, N: number, K: number): number;
  gemm_packed_b_bytes(N: number, K: number): number;
  gemm_pack_b(tB: number, N: number, K: number, B: number, ldb: number, dst: number): void;
  gemm_prepacked(tA: number, M: number, N: number, K: number, A: number, lda: number, packedB: number,
                 C: number, ldc: number, beta: number, bias: number, biasKind: number, act: number, actParam: number, work: number): void;
};
type Build = { x: Gemm; mem: WebAssembly.Memory };

const GUARD = 16;          // floats of sentinel before and after every block
const SENTINEL = -7777.25; // distinctive and exactly representable
const HEAP0 = 65536;

let dir = '';
async function build(relaxed: boolean): Promise<Build> {
  const out = join(dir, relaxed ? 'relaxed.wasm' : 'simd.wasm');
  const { error, stderr } = await asc.main([
    resolve(__dirname, '../../assembly/gemm.ts'), '--config', join(dir, 'asconfig.json'),
    '--runtime', 'stub', '--importMemory', '--noExportMemory', '-O3', '--noAssert',
    '--enable', 'simd', ...(relaxed ? ['--enable', 'relaxed-simd'] : []), '-o', out,
  ]);
  if (error) throw new Error(`asc gemm: ${error.message}\n${stderr.toString()}`);
  const mem = new WebAssembly.Memory({ initial: 512, maximum: 16384 });
  const { instance } = await WebAssembly.instantiate(readFileSync(out), {
    env: { memory: mem, abort() { throw new Error('abort'); }, seed: () => 1 },
  });
  return { x: instance.exports as unknown as Gemm, mem };
}

// Deterministic values in [-1, 1).
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 31 - 1; };
}

type Case = {
  tA: number; tB: number; M: number; N: number; K: number;
  beta?: number; biasKind?: number; act?: number; actParam?: number;
  padA?: number; padB?: number; padC?: number; // extra leading-dimension elements
};

const actRef = (x: number, act: number, slope: number) =>
  act === 1 ? Math.max(x, 0) : act === 2 ? (x < 0 ? x * slope : x) : act === 3 ? 1 / (1 + Math.exp(-x)) : act === 4 ? Math.tanh(x) : x;

// Runs one case and returns a description of the first failure, or '' when everything matches.
function runCase(b: Build, c: Case, seed = 1): string {
  const { tA, tB, M, N, K } = c;
  const beta = c.beta ?? 0, biasKind = c.biasKind ?? 0, act = c.act ?? 0, slope = c.actParam ?? 0.1;
  const aRows = tA ? K : M, aCols = tA ? M : K, lda = aCols + (c.padA ?? 0);
  const bRows = tB ? N : K, bCols = tB ? K : N, ldb = bCols + (c.padB ?? 0);
  const ldc = N + (c.padC ?? 0);
  const biasLen = biasKind === 1 ? N : biasKind === 2 ? M : 0;
  const r = rng(seed * 7919 + M * 131 + N * 17 + K);

  // Lay out [guard | block | guard] for A, B, C, bias, work; everything 64-byte aligned.
  let top = HEAP0;
  const place = (n: number) => { const p = top + GUARD * 4; top = (p + n * 4 + GUARD * 4 + 63) & ~63; return p; };
  const aLen = aRows ? (aRows - 1) * lda + aCols : 0, bLen = bRows ? (bRows - 1) * ldb + bCols : 0;
  const cLen = M * ldc;
  const pA = place(aLen), pB = place(bLen), pC = place(cLen), pBias = place(biasLen);
  const wsBytes = b.x.gemm_workspace_bytes(M, N, K);
  const pW = (place(Math.ceil(wsBytes / 4) + 16) + 63) & ~63;
  if (top > b.mem.buffer.byteLength) b.mem.grow(Math.ceil((top - b.mem.buffer.byteLength) / 65536));
  const f = new Float32Array(b.mem.buffer);
  f.fill(SENTINEL, HEAP0 / 4, top / 4);

  const A = new Float32Array(aLen), B = new Float32Array(bLen), bias = new Float32Array(biasLen);
  for (let i = 0; i < aRows; i++) for (let j = 0; j < aCols; j++) A[i * lda + j] = r();
  for (let i = 0; i < bRows; i++) for (let j = 0; j < bCols; j++) B[i * ldb + j] = r();
  for (let i = 0; i < biasLen; i++) bias[i] = r();
  const C0 = new Float32Array(cLen).fill(SENTINEL); // the padding between rows must survive
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : r();
  f.set(A.map((v, i) => (i % lda < aCols ? v : SENTINEL)), pA / 4);
  f.set(B.map((v, i) => (i % ldb < bCols ? v : SENTINEL)), pB / 4);
  f.set(C0, pC / 4);
  f.set(bias, pBias / 4);
  const before = f.slice(HEAP0 / 4, top / 4);

  b.x.gemm(tA, tB, M, N, K, pA, lda, pB, ldb, pC, ldc, beta, biasLen ? pBias : 0, biasKind, act, slope, pW);

  const after = new Float32Array(b.mem.buffer);
  const a = (i: number, k: number) => (tA ? A[k * lda + i] : A[i * lda + k]);
  const bb = (k: number, j: number) => (tB ? B[j * ldb + k] : B[k * ldb + j]);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, mag = 0;
      for (let k = 0; k < K; k++) { const t = a(i, k) * bb(k, j); s += t; mag += Math.abs(t); }
      if (beta !== 0) { s += beta * C0[i * ldc + j]; mag += Math.abs(beta * C0[i * ldc + j]); }
      if (biasKind) { const bv = biasKind === 1 ? bias[j] : bias[i]; s += bv; mag += Math.abs(bv); }
      const want = actRef(s, act, slope);
      const got = after[pC / 4 + i * ldc + j];
      // rtol 1e-4 against the magnitude of the summed terms (robust to cancellation)
      const tol = 1e-4 * Math.max(mag, Math.abs(want)) + 1e-6;
      if (!(Math.abs(got - want) <= tol)) return `C[${i},${j}] = ${got}, want ${want}`;
    }
  }
  // Nothing else changed: guards, A, B, bias, C's row padding. The workspace may be scribbled on
  // but not the guard after the size gemm_workspace_bytes declared.
  const cStart = pC / 4 - HEAP0 / 4, wStart = pW / 4 - HEAP0 / 4, wEnd = wStart + Math.ceil(wsBytes / 4);
  for (let q = 0; q < before.length; q++) {
    if (q >= wStart && q < wEnd) continue;
    const inC = q >= cStart && q < cStart + cLen && (q - cStart) % ldc < N && Math.floor((q - cStart) / ldc) < M;
    if (inC) continue;
    const v0 = before[q], v1 = after[HEAP0 / 4 + q];
    if (!(v0 === v1 || (Number.isNaN(v0) && Number.isNaN(v1)))) return `memory at float ${q} changed: ${v0} -> ${v1}`;
  }
  return '';
}

const builds: Record<string, Build> = {};
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wg-gemm-'));
  writeFileSync(join(dir, 'asconfig.json'), '{}'); // don't pick up the project's asconfig entries
  builds.simd = await build(false);
  builds.relaxed = await build(true);
}, 120_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const TRANS = [[0, 0], [1, 0], [0, 1], [1, 1]] as const;
const SIZES = [0, 1, 7, 33, 130];

describe.each(['simd', 'relaxed'])('gemm (%s build)', (name) => {
  const check = (c: Case) => expect(runCase(builds[name], c), JSON.stringify(c)).toBe('');

  it('all size combos {0,1,7,33,130}³ × trans, beta 0 over NaN garbage', () => {
    for (const [tA, tB] of TRANS)
      for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) check({ tA, tB, M, N, K });
  });

  it('beta 1 and beta 0.5 accumulate', () => {
    for (const [tA, tB] of TRANS)
      for (const beta of [1, 0.5])
        for (const [M, N, K] of [[7, 33, 130], [33, 7, 1], [130, 33, 7], [1, 130, 33], [5, 9, 0]]) check({ tA, tB, M, N, K, beta });
  });

  it('bias kinds and activations, applied after the full K reduction', () => {
    for (const [tA, tB] of TRANS)
      for (const biasKind of [0, 1, 2])
        for (const act of [0, 1, 2, 3, 4])
          for (const [M, N, K, beta] of [[33, 130, 300, 0], [7, 9, 33, 1], [6, 8, 0, 1], [13, 17, 0, 0]])
            check({ tA, tB, M, N, K, beta, biasKind, act, actParam: 0.2 });
  });

  it('strided lda/ldb/ldc wider than the logical width', () => {
    for (const [tA, tB] of TRANS)
      for (const [M, N, K] of [[7, 33, 130], [33, 130, 7], [130, 7, 33], [1, 1, 1]])
        check({ tA, tB, M, N, K, padA: 3, padB: 5, padC: 7, beta: 1, biasKind: 1, act: 2 });
  });

  it('200×300×150 and multi-block shapes (several K slabs, M blocks, N panels)', () => {
    for (const [tA, tB] of TRANS) {
      check({ tA, tB, M: 200, N: 150, K: 300 });
      check({ tA, tB, M: 200, N: 300, K: 150, beta: 1, biasKind: 2, act: 1, padC: 1 });
    }
    check({ tA: 0, tB: 1, M: 3, N: 4100, K: 5, beta: 1, biasKind: 1 }); // more than one NC panel
    check({ tA: 1, tB: 0, M: 300, N: 9, K: 600 });
    // B read in place (not packed) for small M: several K slabs and N panels, a partial last strip
    for (const tA of [0, 1]) {
      check({ tA, tB: 0, M: 20, N: 4103, K: 300, beta: 0.5, biasKind: 2, act: 1, padB: 5 }); // M <= 4·MR, a long row
      check({ tA, tB: 0, M: 64, N: 1003, K: 520, beta: 1, biasKind: 1, act: 3 });   // M <= 128, row < 4 KB
    }
  });

  it('the epilogue per C block (several M blocks) and per tile (blocks too large for one pass)', () => {
    for (const [tA, tB] of TRANS) {
      check({ tA, tB, M: 600, N: 40, K: 30, beta: 0.5, biasKind: 2, act: 2, actParam: 0.3 }); // 3 M blocks, block pass
      check({ tA, tB, M: 300, N: 500, K: 40, beta: 0.5, biasKind: 2, act: 3 });               // 150×504 per block: per tile
      check({ tA, tB, M: 301, N: 499, K: 20, biasKind: 1, act: 4, padC: 3 });
    }
  });

  it('workspace size is 0 for empty products and covers every other shape', () => {
    const x = builds[name].x;
    expect(x.gemm_workspace_bytes(0, 5, 5)).toBe(0);
    expect(x.gemm_workspace_bytes(5, 5, 0)).toBe(0);
    expect(x.gemm_workspace_bytes(1024, 1024, 1024)).toBeGreaterThan(0);
  });
});

// B packed once (gemm_pack_b) and reused (gemm_prepacked) must give exactly gemm's bits, including
// shapes with several K slabs (KC = 256) and several N panels (NC = 4096), and write nothing past
// the size gemm_packed_b_bytes declares.
describe.each(['simd', 'relaxed'])('gemm_prepacked (%s build)', (name) => {
  const cases = [
    { tA: 0, tB: 0, M: 13, N: 37, K: 9 }, { tA: 1, tB: 1, M: 33, N: 130, K: 600, beta: 1, biasKind: 1, act: 3 },
    { tA: 0, tB: 1, M: 5, N: 4100, K: 300, beta: 0.5 }, { tA: 1, tB: 0, M: 70, N: 4097, K: 257, biasKind: 2, act: 1 },
  ];
  it.each(cases)('%j', (c) => {
    const { x, mem } = builds[name];
    const r = rng(c.M * 7 + c.N * 3 + c.K);
    const lda = c.tA ? c.M : c.K, ldb = c.tB ? c.K : c.N;
    const packedBytes = x.gemm_packed_b_bytes(c.N, c.K);
    let top = HEAP0;
    const place = (n: number) => { const p = top; top = (p + n * 4 + 4 * GUARD + 63) & ~63; return p; };
    const pA = place(c.M * c.K), pB = place(c.K * c.N), pC1 = place(c.M * c.N), pC2 = place(c.M * c.N);
    const pBias = place(Math.max(c.M, c.N)), pP = place(packedBytes / 4), pW = place(x.gemm_workspace_bytes(c.M, c.N, c.K) / 4);
    if (top > mem.buffer.byteLength) mem.grow(Math.ceil((top - mem.buffer.byteLength) / 65536));
    const f = new Float32Array(mem.buffer);
    for (let i = pA / 4; i < pP / 4; i++) f[i] = r();
    f.copyWithin(pC2 / 4, pC1 / 4, pC1 / 4 + c.M * c.N); // same starting C for beta != 0
    f.fill(SENTINEL, pP / 4, pP / 4 + packedBytes / 4 + GUARD);
    const [beta, biasKind, act] = [c.beta ?? 0, c.biasKind ?? 0, c.act ?? 0];
    x.gemm(c.tA, c.tB, c.M, c.N, c.K, pA, lda, pB, ldb, pC1, c.N, beta, pBias, biasKind, act, 0.1, pW);
    x.gemm_pack_b(c.tB, c.N, c.K, pB, ldb, pP);
    x.gemm_prepacked(c.tA, c.M, c.N, c.K, pA, lda, pP, pC2, c.N, beta, pBias, biasKind, act, 0.1, pW);
    const g = new Float32Array(mem.buffer);
    const one = g.slice(pC1 / 4, pC1 / 4 + c.M * c.N), two = g.slice(pC2 / 4, pC2 / 4 + c.M * c.N);
    const bad = one.findIndex((v, i) => !Object.is(v, two[i]));
    expect(bad, bad < 0 ? '' : `C[${bad}]: ${one[bad]} vs ${two[bad]}`).toBe(-1);
    expect(Array.from(g.slice(pP / 4 + packedBytes / 4, pP / 4 + packedBytes / 4 + GUARD))).toEqual(new Array(GUARD).fill(SENTINEL));
  });
});
