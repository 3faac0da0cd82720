// exportOnnx verified by running the exported files in onnxruntime-node and comparing with our own
// forward pass (rtol 1e-4), at the example's batch size and at another one (dynamic batch); plus the
// protobuf encoding checked against protobufjs, and the errors for what can't be exported.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { exportOnnx, init, manualSeed, nn, noGrad, optim, randn, type Tensor } from '../../src/index.js';
import { encodeModel, type ModelProto } from '../../src/io/onnx-proto.js';
import { generate } from '../../scripts/gen-onnx-proto.mjs';
import { expectClose } from '../helpers.js';

beforeAll(async () => { await init(); });

const PROTO = new URL('../../src/io/onnx.proto', import.meta.url).pathname;
const root = protobuf.loadSync(PROTO);
const ModelType = root.lookupType('onnx.ModelProto');

/** Our eval-mode output (a recurrent layer's `output`), as plain values. */
function oursOf(model: nn.Module, x: Tensor): { shape: number[]; data: number[] } {
  const y = noGrad(() => model.forward(x));
  const t: Tensor = Array.isArray(y) ? y[0] : y;
  return { shape: t.shape.slice(), data: Array.from(t.data()) };
}

async function runOrt(bytes: Uint8Array, x: Tensor, names = { input: 'input', output: 'output' }) {
  const session = await ort.InferenceSession.create(bytes);
  const r = await session.run({ [names.input]: new ort.Tensor('float32', Float32Array.from(x.data()), x.shape.slice()) });
  const out = r[names.output];
  return { shape: out.dims.map(Number), data: Array.from(out.data as Float32Array) };
}

/** Exports with the first input, then checks onnxruntime against us on every input. */
async function checkModel(model: nn.Module, inputs: Tensor[], opts: Parameters<typeof exportOnnx>[2] = {}): Promise<Uint8Array> {
  model.eval();
  const bytes = exportOnnx(model, inputs[0], opts);
  for (const x of inputs) {
    const ours = oursOf(model, x);
    const theirs = await runOrt(bytes, x, { input: opts.inputNames?.[0] ?? 'input', output: opts.outputNames?.[0] ?? 'output' });
    expect(theirs.shape, `output shape for input [${x.shape}]`).toEqual(ours.shape);
    expectClose(theirs.data, ours.data, 1e-4, 1e-5, `onnxruntime vs wasmgrad for input [${x.shape}]`);
  }
  return bytes;
}

// A few training steps, so BatchNorm's running statistics are not the initial 0 / 1.
function trainABit(model: nn.Module, shape: number[]): void {
  const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
  model.train();
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    const y = model.forward(randn(shape).mul(2).add(0.5));
    (Array.isArray(y) ? y[0] : y).square().mean().backward();
    opt.step();
  }
}

describe('exportOnnx runs in onnxruntime-node and matches wasmgrad', () => {
  it('MLP: Linear (Gemm), ReLU, Softmax; batch 5 exported, batch 9 run', async () => {
    manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3), new nn.Softmax(1));
    await checkModel(model, [randn([5, 4]), randn([9, 4])]);
  });

  it('Linear on 3-D input (MatMul + Add), exact GELU via Erf at opset 13, LogSoftmax', async () => {
    manualSeed(2);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.GELU(), new nn.Linear(6, 5, { bias: false }), new nn.LogSoftmax(-1));
    await checkModel(model, [randn([2, 3, 4]), randn([7, 3, 4])]);
  });

  it('native Gelu (both forms) at opset 20', async () => {
    manualSeed(3);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.GELU(), new nn.Linear(6, 6), new nn.GELU('tanh'));
    const bytes = await checkModel(model, [randn([3, 4]).mul(3), randn([1, 4])], { opsetVersion: 20 });
    const decoded = ModelType.toObject(ModelType.decode(bytes), { longs: Number }) as any;
    expect(decoded.graph.node.map((n: any) => n.opType)).toEqual(['Gemm', 'Gelu', 'Gemm', 'Gelu']);
    expect(decoded.opsetImport).toEqual([{ version: 20 }]);
  });

  it('every activation layer, incl. the composed ones (SiLU, LogSigmoid, Softplus with beta/threshold, tanh-GELU)', async () => {
    manualSeed(4);
    const model = new nn.Sequential(
      new nn.Linear(6, 6), new nn.LeakyReLU(0.2), new nn.Linear(6, 6), new nn.ELU(0.7), new nn.Linear(6, 6), new nn.Sigmoid(),
      new nn.Linear(6, 6), new nn.Tanh(), new nn.Linear(6, 6), new nn.SiLU(), new nn.Linear(6, 6), new nn.Softplus(2, 1),
      new nn.Linear(6, 6), new nn.Softplus(), new nn.Linear(6, 6), new nn.LogSigmoid(), new nn.Linear(6, 6), new nn.Hardtanh(-0.5, 0.5),
      new nn.Linear(6, 6), new nn.ReLU6(), new nn.Linear(6, 6), new nn.GELU('tanh'), new nn.Dropout(0.3), new nn.Identity(),
    );
    for (const p of model.parameters()) noGrad(() => p.copy_(p.mul(3))); // push values through every branch
    await checkModel(model, [randn([8, 6]).mul(3), randn([3, 6])]);
  });

  it('CNN: Conv2d, BatchNorm2d (trained running stats), ReLU, MaxPool2d, "same" dilated grouped Conv2d, AvgPool2d, AdaptiveAvgPool2d(1), Flatten, Linear', async () => {
    manualSeed(5);
    const model = new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 6, 3, { padding: 'same', dilation: 2, groups: 2 }), new nn.AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false }),
      new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(6, 3),
    );
    trainABit(model, [4, 2, 8, 8]);
    await checkModel(model, [randn([2, 2, 8, 8]), randn([5, 2, 8, 8])]);
  });

  it('CNN with rectangular kernels, strides, ceil-mode MaxPool, AdaptiveAvgPool2d to a divisor, Flatten/Unflatten and Linear on 3-D', async () => {
    manualSeed(6);
    const model = new nn.Sequential(
      new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 0], bias: false }), new nn.ELU(),
      new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), new nn.AdaptiveAvgPool2d([1, 2]),
      new nn.Flatten(), new nn.Unflatten(1, [2, 4]), new nn.Linear(4, 3), new nn.Flatten(0, 1),
    );
    await checkModel(model, [randn([2, 3, 9, 8]), randn([3, 3, 9, 8])]);
  });

  it('Conv1d, BatchNorm1d on [N, C, L], MaxPool1d, AvgPool1d, AdaptiveAvgPool1d', async () => {
    manualSeed(7);
    const model = new nn.Sequential(
      new nn.Conv1d(2, 3, 3, { padding: 1 }), new nn.BatchNorm1d(3), new nn.Tanh(), new nn.MaxPool1d(2),
      new nn.AvgPool1d(2, { stride: 1 }), new nn.AdaptiveAvgPool1d(1), new nn.Flatten(),
    );
    trainABit(model, [4, 2, 12]);
    await checkModel(model, [randn([2, 2, 12]), randn([6, 2, 12])]);
  });

  it('MLP with BatchNorm1d exported from training mode: eval semantics, modes restored afterwards', async () => {
    manualSeed(8);
    const model = new nn.Sequential(new nn.Linear(6, 8), new nn.BatchNorm1d(8, { affine: false }), new nn.Tanh(), new nn.Dropout(0.5), new nn.Linear(8, 2));
    trainABit(model, [16, 6]);
    model.train();
    const x = randn([4, 6]);
    const bytes = exportOnnx(model, x);
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.eval();
    const theirs = await runOrt(bytes, x);
    expectClose(theirs.data, oursOf(model, x).data, 1e-4, 1e-5);
  });

  it('LSTM: 2 layers, bidirectional, batchFirst (gate order i,f,g,o -> i,o,f,c); batch 2 exported, batch 4 run', async () => {
    manualSeed(9);
    const model = new nn.LSTM(3, 5, { numLayers: 2, batchFirst: true, bidirectional: true });
    await checkModel(model, [randn([2, 6, 3]), randn([4, 6, 3])]);
  });

  it('GRU: 2 layers, sequence-first (gate order r,z,n -> z,r,h, linear_before_reset); batch on dim 1', async () => {
    manualSeed(10);
    const model = new nn.GRU(3, 4, { numLayers: 2 });
    const bytes = await checkModel(model, [randn([5, 2, 3]), randn([5, 7, 3])]);
    const decoded = ModelType.toObject(ModelType.decode(bytes), { longs: Number }) as any;
    expect(decoded.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimValue: 5 }, { dimParam: 'batch' }, { dimValue: 3 }]);
  });

  it('bidirectional GRU without bias; Elman RNN (relu, bidirectional) and unbatched tanh RNN', async () => {
    manualSeed(11);
    await checkModel(new nn.GRU(3, 4, { bidirectional: true, bias: false, batchFirst: true }), [randn([2, 5, 3]), randn([3, 5, 3])]);
    await checkModel(new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, numLayers: 2 }), [randn([5, 2, 3]), randn([5, 1, 3])]);
    await checkModel(new nn.RNN(3, 4), [randn([5, 3])]);
  });

  it('a recurrent layer at the end of a Sequential (Linear on 3-D input, Tanh, LSTM)', async () => {
    manualSeed(12);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.LSTM(4, 5, { batchFirst: true }));
    await checkModel(model, [randn([2, 4, 3]), randn([5, 4, 3])]);
  });

  it('custom input/output names, a fixed batch size with dynamicBatch = false, and a model that is only Dropout', async () => {
    manualSeed(13);
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
    const bytes = await checkModel(model, [randn([3, 2])], { inputNames: ['pixels'], outputNames: ['probs'], dynamicBatch: false });
    const decoded = ModelType.toObject(ModelType.decode(bytes), { longs: Number }) as any;
    expect(decoded.graph.input[0].name).toBe('pixels');
    expect(decoded.graph.output[0].name).toBe('probs');
    expect(decoded.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimValue: 3 }, { dimValue: 2 }]);
    await expect(runOrt(bytes, randn([4, 2]), { input: 'pixels', output: 'probs' })).rejects.toThrow(/dimension|Got invalid dimensions/i);
    await checkModel(new nn.Sequential(new nn.Dropout(0.2)), [randn([2, 3]), randn([4, 3])]);
  });
});

describe('exportOnnx errors name the module and the reason', () => {
  class Custom extends nn.Module {
    fc = new nn.Linear(2, 2);
    forward(x: Tensor): Tensor { return this.fc.forward(x).mul(2); }
  }
  const cases: [string, () => nn.Module, number[], RegExp][] = [
    ['a custom module', () => new Custom(), [1, 2], /can't export Custom: .*custom forward\(\) code would need tracing/],
    ['a custom module inside a Sequential', () => new nn.Sequential(new nn.Linear(2, 2), new Custom()), [1, 2], /can't export Custom '1'/],
    ['a layer after a recurrent one', () => new nn.Sequential(new nn.LSTM(2, 3), new nn.Linear(3, 2)), [4, 1, 2], /Linear '1' follows a layer that returns a tuple/],
    ['BatchNorm without running stats', () => new nn.Sequential(new nn.BatchNorm1d(2, { trackRunningStats: false })), [3, 2], /BatchNorm1d '0'.*batch statistics/],
    ['MaxPool2d with returnIndices', () => new nn.MaxPool2d(2, { returnIndices: true }), [1, 1, 4, 4], /returnIndices/],
    ['AdaptiveAvgPool2d to a non-divisor', () => new nn.AdaptiveAvgPool2d(3), [1, 1, 4, 4], /not a multiple of the output size/],
    ['AvgPool2d with divisorOverride', () => new nn.AvgPool2d(2, { divisorOverride: 3 }), [1, 1, 4, 4], /divisorOverride/],
    ['unbatched Conv2d input', () => new nn.Conv2d(1, 1, 3), [1, 5, 5], /needs a batched 4-D input/],
    ['ModuleList (no forward)', () => new nn.ModuleList([new nn.ReLU()]), [2], /ModuleList has no forward/],
  ];
  for (const [what, build, shape, re] of cases) {
    it(what, () => { expect(() => exportOnnx(build(), randn(shape))).toThrow(re); });
  }

  it('checks its arguments', () => {
    const m = new nn.Linear(2, 2);
    expect(() => exportOnnx(m, randn([1, 2]), { opsetVersion: 12 })).toThrow(/opsetVersion must be an integer from 13 to 21, got 12/);
    expect(() => exportOnnx({} as nn.Module, randn([1, 2]))).toThrow(/exportOnnx: expected a Module/);
    expect(() => exportOnnx(m, [1, 2] as unknown as Tensor)).toThrow(/exampleInput must be a float32 Tensor/);
    expect(() => exportOnnx(m, randn([1, 2]), { inputNames: ['x'], outputNames: ['x'] })).toThrow(/must differ/);
  });
});

describe('the generated protobuf encoder (src/io/onnx-proto.ts)', () => {
  it('is up to date with src/io/onnx.proto (regenerate: node scripts/gen-onnx-proto.mjs)', () => {
    expect(readFileSync(new URL('../../src/io/onnx-proto.ts', import.meta.url), 'utf8')).toBe(generate());
  });

  it('writes exactly the bytes protobufjs writes for the same message', () => {
    const msg: ModelProto = {
      irVersion: 7, producerName: 'wasmgrad ✓', modelVersion: 2 ** 40,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [{ input: ['a', 'b'], output: ['c'], opType: 'Add', attribute: [
          { name: 'axis', type: 2, i: -1 }, { name: 'alpha', type: 1, f: 0.25 }, { name: 'perm', type: 7, ints: [0, -2, 300] },
          { name: 'scales', type: 6, floats: [1.5, -2] }, { name: 'acts', type: 8, strings: [new Uint8Array([84, 97])] },
        ] }],
        initializer: [{ name: 'w', dims: [2, 3], dataType: 1, rawData: new Uint8Array(600).map((_, i) => i) },
          { name: 'k', dims: [2], dataType: 7, int64Data: [-5, 2 ** 33] }, { name: 'f', dims: [1], dataType: 1, floatData: [3.25] }],
        input: [{ name: 'a', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }, {}] } } } }],
      },
      metadataProps: [{ key: 'k', value: 'v' }],
    };
    const ours = encodeModel(msg);
    const theirs = ModelType.encode(ModelType.fromObject(msg)).finish();
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  });

  it('round-trips exported models through protobufjs byte for byte', () => {
    manualSeed(14);
    const bytes = exportOnnx(new nn.LSTM(3, 4, { bidirectional: true }), randn([5, 2, 3]));
    const decoded = ModelType.decode(bytes);
    expect(Buffer.from(ModelType.encode(decoded).finish()).equals(Buffer.from(bytes))).toBe(true);
    const obj = ModelType.toObject(decoded, { longs: Number }) as any;
    expect(obj.irVersion).toBe(7);
    expect(obj.producerName).toBe('wasmgrad');
    expect(obj.graph.node.map((n: any) => n.opType)).toEqual(['LSTM', 'Transpose', 'Reshape']);
    const w = obj.graph.initializer.find((t: any) => t.name.endsWith('W_l0'));
    expect(w.dims).toEqual([2, 16, 3]);
  });
});
