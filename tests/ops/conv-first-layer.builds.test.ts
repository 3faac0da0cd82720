// Convolutions of one input channel whose input needs no gradient (an image model's first layer):
// wasmgrad runs them with direct kernels instead of im2col + GEMM. Checked once per wasm build
// (tests/builds.ts) against PyTorch 1.13 (scripts/fixtures/conv_first_layer.py), against the
// im2col path, and for bit-identical results on 1 and 2 threads.
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, getNumThreads, manualSeed, nn, randn, setNumThreads, _setConvAlgo, type Tensor } from '../../src/index.js';
import { expectClose, fromSpec, loadFixture, type TensorSpec } from '../helpers.js';
import { useBuild } from '../use-build.js';

const build = useBuild();
const F = nn.functional;

interface Case { name: string; args: Record<string, unknown>; x: TensorSpec; w: TensorSpec; b?: TensorSpec; y: TensorSpec; gy: TensorSpec; gw: TensorSpec; gb?: TensorSpec }
const fx = loadFixture<{ conv2d: Case[] }>('conv-first-layer');

describe(`first-layer conv2d (one input channel, no input grad) matches PyTorch (${build.label})`, () => {
  for (const c of fx.conv2d) {
    it(`${c.name} (x [${c.x.shape}], w [${c.w.shape}], ${JSON.stringify(c.args)})`, () => {
      const x = fromSpec(c.x), w = fromSpec(c.w, { requiresGrad: true });
      const b = c.b ? fromSpec(c.b, { requiresGrad: true }) : null;
      const y = F.conv2d(x, w, b, c.args);
      expectClose(y, c.y, 1e-4, 1e-5, `${c.name}: output`);
      y.backward(fromSpec(c.gy));
      expectClose(w.grad!, c.gw, 1e-4, 1e-5, `${c.name}: weight grad`);
      if (b) expectClose(b.grad!, c.gb!, 1e-4, 1e-5, `${c.name}: bias grad`);
      expect(x.grad).toBeNull();
    });
  }
});

// y, dW and db of act(conv2d(x, w, b)) for an MNIST-sized batch, backward of sum(y * gy).
// N = 37: five groups of up to 8 images for the weight gradient's partial sums, the last one short.
function firstLayer(activation: 'relu' | 'tanh', padding: number, N = 16): Tensor[] {
  manualSeed(3);
  const x = randn([N, 1, 28, 28]), w = randn([8, 1, 3, 3]).requiresGrad_(), b = randn([8]).requiresGrad_();
  const y = F.conv2d(x, w, b, { padding, activation });
  y.backward(randn(y.shape));
  return [y, w.grad!, b.grad!];
}

describe(`first-layer conv2d: direct kernels (${build.label})`, () => {
  afterEach(() => { _setConvAlgo('auto'); });

  it('agree with the im2col + GEMM path', () => {
    for (const [activation, padding, N] of [['relu', 1, 16], ['tanh', 0, 16], ['relu', 1, 37]] as const) {
      const direct = firstLayer(activation, padding, N);
      _setConvAlgo('im2col');
      const viaGemm = firstLayer(activation, padding, N);
      _setConvAlgo('auto');
      expectClose(direct[0], viaGemm[0], 1e-5, 1e-6, `${activation}: output`);
      expectClose(direct[1], viaGemm[1], 1e-4, 1e-4, `${activation}: weight grad`);
      expectClose(direct[2], viaGemm[2], 1e-4, 1e-4, `${activation}: bias grad`);
    }
  });

  it('give bit-identical output and gradients on 1 and 2 threads', () => {
    if (backendInfo().threads < 2) { console.log(`[conv-first-layer] ${build.label}: one thread, nothing to compare`); return; }
    const max = getNumThreads();
    for (const N of [16, 37]) {
      const run = (t: number) => { setNumThreads(t); return firstLayer('relu', 1, N).map((r) => Array.from(r.data() as Float32Array)); };
      const one = run(1), two = run(2);
      setNumThreads(max);
      for (let i = 0; i < one.length; i++) {
        const bad = one[i].findIndex((v, j) => !Object.is(v, two[i][j]));
        expect(bad, `N = ${N}: result ${i} (y, dW, db) differs at ${bad}`).toBe(-1);
      }
    }
  });
});
