// exportOnnx: writes a model as an ONNX file for onnxruntime and friends. Nothing is traced: the
// module tree (Sequential containers and the known layers) is walked, each layer becomes one or a
// few ONNX nodes with its weights as initializers, and one forward pass over exampleInput (eval
// mode, no grad) supplies the shapes. The protobuf bytes come from the generated onnx-proto.ts.
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { tidy } from '../lifetime.js';
import { normDim } from '../shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { Linear, Identity } from '../nn/linear.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from '../nn/pooling.js';
import { BatchNorm } from '../nn/batchnorm.js';
import { Embedding } from '../nn/embedding.js';
import { LayerNorm } from '../nn/layernorm.js';
import { Dropout } from '../nn/dropout.js';
import { Dropout2d } from '../nn/dropout2d.js';
import { Flatten, Unflatten } from '../nn/flatten.js';
import {
  ReLU, LeakyReLU, Sigmoid, Tanh, ELU, GELU, SiLU, Softplus, LogSigmoid, Hardtanh, Softmax, LogSoftmax,
} from '../nn/activation.js';
import { RNNBase } from '../nn/rnn.js';
import {
  AttributeProto_AttributeType as AttrType, TensorProto_DataType as DataType, encodeModel,
  type AttributeProto, type NodeProto, type TensorProto, type TensorShapeProto_Dimension, type ValueInfoProto,
} from './onnx-proto.js';
import { checkOptions, type ArgSpec } from '../options.js';

export interface ExportOnnxOptions {
  /** ONNX opset (default 13; 13 to 21 are supported). From 20 on, GELU uses the native Gelu op. */
  opsetVersion?: number;
  /** Name of the graph input (default ['input']). */
  inputNames?: string[];
  /** Name of the graph output (default ['output']). */
  outputNames?: string[];
  /** Leave the batch dimension symbolic ('batch') so any batch size runs (default true). */
  dynamicBatch?: boolean;
  /** Model doc string stored in the file. */
  docString?: string;
}

// torch.onnx.export's keyword arguments, camelCase; those without a counterpart are refused (src/options.ts).
const EXPORT_ARGS: ArgSpec = {
  op: 'exportOnnx', keywords: ['opsetVersion', 'inputNames', 'outputNames', 'dynamicBatch', 'docString'],
  types: { opsetVersion: 'integer', inputNames: 'array', outputNames: 'array', dynamicBatch: 'boolean', docString: 'string' },
  unsupported: {
    dynamicAxes: { why: 'the batch dimension is symbolic by default (dynamicBatch: true); other dimensions are fixed by the example input' },
    exportParams: { accept: true, why: 'the weights are always stored in the file' },
    verbose: { accept: false, why: 'nothing is printed' },
    training: { why: 'the graph is the module in eval mode' },
  },
};

const MIN_OPSET = 13, MAX_OPSET = 21;
// The oldest IR version that can carry each opset (ONNX docs/Versioning.md).
const irVersionFor = (opset: number) => (opset <= 13 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

type Shape = number[];
/** A value flowing through the graph: its name, the example's shape, and where the batch dim is (null: none). */
interface Value { name: string; shape: Shape; batchAxis: number | null; elemType?: number }

type Attr = number | number[] | string | string[] | { floats: number[] } | { float: number };

// Builds nodes and initializers with unique names.
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  constructor(readonly opset: number) {}

  fresh(base: string): string {
    let name = base, i = 1;
    while (this.used.has(name)) name = `${base}_${i++}`;
    this.used.add(name);
    return name;
  }

  floats(base: string, data: Float32Array, dims: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims: dims.slice(), rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  int64s(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: DataType.INT64, dims: [values.length], rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  scalar(base: string, v: number): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims: [], rawData: new Uint8Array(new Float32Array([v]).buffer) });
    return name;
  }

  /** Adds a node and returns its output's name. Integers become INT(S), { float } / { floats } FLOAT(S). */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outBase = opType.toLowerCase()): string {
    const output = this.fresh(outBase);
    const attribute: AttributeProto[] = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
      if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
        return { name, type: AttrType.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
      }
      if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v as number[] };
      if ('float' in v) return { name, type: AttrType.FLOAT, f: v.float };
      return { name, type: AttrType.FLOATS, floats: v.floats };
    });
    this.nodes.push({ input: inputs, output: [output], name: this.fresh(`${opType}_node`), opType, attribute });
    return output;
  }
}

const f32 = (t: Tensor) => Float32Array.from(t.data());
const sameForward = (m: Module, C: { prototype: { forward: unknown } }) => m.forward === C.prototype.forward;
const asPair = (v: number | readonly number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const asList = (v: number | readonly number[], n: number): number[] => (n === 1 ? [typeof v === 'number' ? v : v[0]] : asPair(v));

/**
 * Exports a model to ONNX bytes (an .onnx file), for onnxruntime (Node, web, Python), TensorRT, ...
 *
 * Supported: Sequential containers of Linear, Conv1d/Conv2d, MaxPool1d/2d, AvgPool1d/2d,
 * AdaptiveAvgPool1d/2d (output 1 or a divisor of the input), BatchNorm1d/2d (running statistics),
 * Dropout/Dropout2d/Identity (dropped: the export has eval semantics), Flatten, Unflatten, ReLU,
 * LeakyReLU, Sigmoid, Tanh, ELU, GELU, SiLU, Softplus, LogSigmoid, Hardtanh/ReLU6, Softmax,
 * LogSoftmax, RNN/LSTM/GRU (any layers, bidirectional, batchFirst; the export's output is the
 * layer's `output`, so inside a Sequential a recurrent layer must come last), Embedding (Gather; as
 * the first layer, fed int32 indices: the graph input is then INT32) and LayerNorm
 * (LayerNormalization from opset 17, the same arithmetic in basic ops before). Anything else throws,
 * naming the module: custom forward() code can't be exported without tracing.
 *
 * exampleInput fixes every shape but the batch dimension (symbolic with dynamicBatch).
 */
export function exportOnnx(model: Module, exampleInput: Tensor, opts: ExportOnnxOptions = {}): Uint8Array {
  const op = 'exportOnnx';
  if (typeof opts === 'string') {
    throw new Error(`${op}: returns the file's bytes instead of writing '${opts}'; write them with saveFile('${opts}', exportOnnx(model, x)) from 'wasmgrad/node'`);
  }
  checkOptions(EXPORT_ARGS, opts);
  if (!(model instanceof Module)) throw new Error(`${op}: expected a Module, got ${model === null ? 'null' : typeof model}`);
  if (!(exampleInput instanceof Tensor) || (exampleInput.dtype !== 'float32' && exampleInput.dtype !== 'int32')) {
    throw new Error(`${op}: exampleInput must be a float32 Tensor (int32 indices for a model that starts with an Embedding)`);
  }
  if (exampleInput.dtype === 'int32' && !(firstLayer(model) instanceof Embedding)) {
    const first = firstLayer(model);
    const what = first === model ? model.constructor.name : `a ${model.constructor.name} starting with ${first.constructor.name}`;
    throw new Error(`${op}: an int32 exampleInput is only accepted by a model whose first layer is an Embedding; got ${what}`);
  }
  const opset = opts.opsetVersion ?? 13;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`${op}: opsetVersion must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  const inputName = opts.inputNames?.[0] ?? 'input';
  const outputName = opts.outputNames?.[0] ?? 'output';
  if (opts.inputNames && opts.inputNames.length !== 1) throw new Error(`${op}: the model takes one input, got inputNames ${JSON.stringify(opts.inputNames)}`);
  if (opts.outputNames && opts.outputNames.length !== 1) throw new Error(`${op}: the model has one output, got outputNames ${JSON.stringify(opts.outputNames)}`);
  if (inputName === outputName) throw new Error(`${op}: input and output names must differ, both are '${inputName}'`);

  // Eval semantics (like torch.onnx.export): restore every module's mode afterwards.
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return tidy(() => noGrad(() => {
      const g = new GraphBuilder(opset);
      g.fresh(inputName);
      g.fresh(outputName);
      const batchAxis = opts.dynamicBatch === false ? null : inputBatchAxis(model, exampleInput);
      const input: Value = { name: inputName, shape: exampleInput.shape.slice(), batchAxis,
        elemType: exampleInput.dtype === 'int32' ? DataType.INT32 : DataType.FLOAT };
      const { value: out } = emitModule(g, model, '', input, exampleInput);
      if (out.name === inputName) g.nodes.push({ input: [inputName], output: [outputName], name: 'Identity_node', opType: 'Identity' });
      else renameValue(g.nodes, out.name, outputName);
      return encodeModel({
        irVersion: irVersionFor(opset),
        producerName: 'wasmgrad',
        producerVersion: '0.1.0',
        docString: opts.docString ?? null,
        opsetImport: [{ domain: '', version: opset }],
        graph: {
          name: model.constructor.name,
          node: g.nodes,
          initializer: g.initializers,
          input: [valueInfo(input)],
          output: [valueInfo({ ...out, name: outputName })],
        },
      });
    }));
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

// The batch dim of the model's input: dim 1 for a sequence-first recurrent layer, else dim 0;
// none for unbatched inputs (1-D, a 2-D sequence into a recurrent layer).
function inputBatchAxis(model: Module, x: Tensor): number | null {
  const first = firstLayer(model);
  if (first instanceof RNNBase) return x.ndim !== 3 ? null : first.batchFirst ? 0 : 1;
  return x.ndim >= 2 ? 0 : null;
}

// The first layer data meets: the model itself, or the first child of nested Sequentials.
function firstLayer(model: Module): Module {
  let first: Module = model;
  while (first instanceof Sequential && first.length > 0) first = first.get(0);
  return first;
}

function valueInfo(v: Value): ValueInfoProto {
  const dim: TensorShapeProto_Dimension[] = v.shape.map((d, i) => (i === v.batchAxis ? { dimParam: 'batch' } : { dimValue: d }));
  return { name: v.name, type: { tensorType: { elemType: v.elemType ?? DataType.FLOAT, shape: { dim } } } };
}

function renameValue(nodes: NodeProto[], from: string, to: string): void {
  for (const n of nodes) {
    n.input = n.input!.map((s) => (s === from ? to : s));
    n.output = n.output!.map((s) => (s === from ? to : s));
  }
}

// Emits one module (a container recursively) and returns its output value and the example's output tensor.
// (`tensor` is whatever forward returned: a recurrent layer's [output, state] ends a Sequential.)
function emitModule(g: GraphBuilder, m: Module, path: string, x: Value, xt: unknown): { value: Value; tensor: unknown } {
  if (m instanceof Sequential && sameForward(m, Sequential)) {
    let cur = { value: x, tensor: xt };
    for (const [name, child] of m.namedChildren()) {
      if (Array.isArray(cur.tensor)) throw new Error(`exportOnnx: ${describe(child, path ? `${path}.${name}` : name)} follows a layer that returns a tuple; only the last layer of a Sequential may be recurrent`);
      cur = emitModule(g, child, path ? `${path}.${name}` : name, cur.value, cur.tensor);
    }
    return cur;
  }
  const result = m.forward(xt);
  const yt: Tensor = Array.isArray(result) ? result[0] : result; // recurrent layers: [output, state]
  return { value: emitLeaf(g, m, path, x, yt.shape), tensor: result };
}

const describe = (m: Module, path: string) => `${m.constructor.name}${path ? ` '${path}'` : ''}`;

function emitLeaf(g: GraphBuilder, m: Module, path: string, x: Value, outShape: Shape): Value {
  const base = path ? path.replace(/\./g, '_') : m.constructor.name.toLowerCase();
  const same = (name: string, batchAxis = x.batchAxis): Value => ({ name, shape: outShape, batchAxis });
  const unary = (opType: string, attrs: Record<string, Attr> = {}) => same(g.node(opType, [x.name], attrs, base));
  const fail = (why: string): never => { throw new Error(`exportOnnx: can't export ${describe(m, path)}: ${why}`); };

  if (m instanceof Linear && sameForward(m, Linear)) {
    const w = f32(m.weight), [out, inF] = m.weight.shape;
    const bias = m.bias ? g.floats(`${base}.bias`, f32(m.bias), [out]) : null;
    if (x.shape.length === 2) {
      const inputs = [x.name, g.floats(`${base}.weight`, w, [out, inF])];
      if (bias) inputs.push(bias);
      return same(g.node('Gemm', inputs, { transB: 1 }, base));
    }
    // MatMul broadcasts over leading dims; it wants the weight as [in, out].
    const wt = new Float32Array(inF * out);
    for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) wt[i * out + o] = w[o * inF + i];
    const mm = g.node('MatMul', [x.name, g.floats(`${base}.weight_t`, wt, [inF, out])], {}, `${base}_matmul`);
    return same(bias ? g.node('Add', [mm, bias], {}, base) : mm);
  }

  if ((m instanceof Conv2d && sameForward(m, Conv2d)) || (m instanceof Conv1d && sameForward(m, Conv1d))) {
    const k = m.kernelSize.length;
    if (x.shape.length !== k + 2) fail(`ONNX Conv needs a batched ${k + 2}-D input, got [${x.shape}]`);
    const pads = m.padding === 'valid' ? new Array(2 * k).fill(0)
      : m.padding === 'same' ? samePads(m.kernelSize, m.dilation)
      : [...m.padding, ...m.padding];
    const inputs = [x.name, g.floats(`${base}.weight`, f32(m.weight), m.weight.shape)];
    if (m.bias) inputs.push(g.floats(`${base}.bias`, f32(m.bias), m.bias.shape));
    return same(g.node('Conv', inputs, {
      kernel_shape: m.kernelSize.slice(), strides: m.stride.slice(), pads, dilations: m.dilation.slice(), group: m.groups,
    }, base));
  }

  if ((m instanceof MaxPool2d && sameForward(m, MaxPool2d)) || (m instanceof MaxPool1d && sameForward(m, MaxPool1d))) {
    const k = m instanceof MaxPool2d ? 2 : 1;
    if (m.returnIndices) fail('returnIndices = true (the export has one output)');
    if (x.shape.length !== k + 2) fail(`ONNX MaxPool needs a batched ${k + 2}-D input, got [${x.shape}]`);
    const p = asList(m.padding, k);
    return unary('MaxPool', {
      kernel_shape: asList(m.kernelSize, k), strides: asList(m.stride, k), pads: [...p, ...p],
      dilations: asList(m.dilation, k), ceil_mode: m.ceilMode ? 1 : 0,
    });
  }

  if ((m instanceof AvgPool2d && sameForward(m, AvgPool2d)) || (m instanceof AvgPool1d && sameForward(m, AvgPool1d))) {
    const k = m instanceof AvgPool2d ? 2 : 1;
    if (m instanceof AvgPool2d && m.divisorOverride !== null) fail('divisorOverride has no ONNX equivalent');
    if (m.ceilMode) fail('ceilMode = true (ONNX runtimes size the last window differently from PyTorch)');
    if (x.shape.length !== k + 2) fail(`ONNX AveragePool needs a batched ${k + 2}-D input, got [${x.shape}]`);
    const p = asList(m.padding, k);
    return unary('AveragePool', {
      kernel_shape: asList(m.kernelSize, k), strides: asList(m.stride, k), pads: [...p, ...p],
      count_include_pad: m.countIncludePad ? 1 : 0,
    });
  }

  if ((m instanceof AdaptiveAvgPool2d && sameForward(m, AdaptiveAvgPool2d)) || (m instanceof AdaptiveAvgPool1d && sameForward(m, AdaptiveAvgPool1d))) {
    const k = m instanceof AdaptiveAvgPool2d ? 2 : 1;
    if (x.shape.length !== k + 2) fail(`ONNX pooling needs a batched ${k + 2}-D input, got [${x.shape}]`);
    const inSize = x.shape.slice(2), outSize = outShape.slice(2);
    if (outSize.every((s) => s === 1)) return unary('GlobalAveragePool');
    if (inSize.some((s, i) => s % outSize[i] !== 0)) {
      fail(`input size [${inSize}] is not a multiple of the output size [${outSize}] (only then is it a plain AveragePool)`);
    }
    const kernel = inSize.map((s, i) => s / outSize[i]);
    return unary('AveragePool', { kernel_shape: kernel, strides: kernel });
  }

  if (m instanceof BatchNorm && sameForward(m, BatchNorm)) {
    if (!m.running_mean || !m.running_var) fail('without running statistics (trackRunningStats = false) it normalises with batch statistics in eval mode');
    const C = m.numFeatures;
    const ones = new Float32Array(C).fill(1), zeros = new Float32Array(C);
    return same(g.node('BatchNormalization', [
      x.name,
      g.floats(`${base}.weight`, m.weight ? f32(m.weight) : ones, [C]),
      g.floats(`${base}.bias`, m.bias ? f32(m.bias) : zeros, [C]),
      g.floats(`${base}.running_mean`, f32(m.running_mean!), [C]),
      g.floats(`${base}.running_var`, f32(m.running_var!), [C]),
    ], { epsilon: { float: m.eps } }, base));
  }

  if (m instanceof Embedding && sameForward(m, Embedding)) {
    if (m.maxNorm !== null) fail('maxNorm rescales rows during forward, which ONNX Gather does not do');
    const w = g.floats(`${base}.weight`, f32(m.weight), m.weight.shape);
    // Output [...indices, dim]: the batch dim stays where it was among the index dims.
    return { name: g.node('Gather', [w, x.name], { axis: 0 }, base), shape: outShape, batchAxis: x.batchAxis };
  }

  if (m instanceof LayerNorm && sameForward(m, LayerNorm)) {
    const k = m.normalizedShape.length, shape = m.normalizedShape;
    const n = shape.reduce((a, d) => a * d, 1);
    if (g.opset >= 17) {
      const inputs = [x.name, g.floats(`${base}.weight`, m.weight ? f32(m.weight) : new Float32Array(n).fill(1), shape)];
      if (m.bias) inputs.push(g.floats(`${base}.bias`, f32(m.bias), shape));
      return same(g.node('LayerNormalization', inputs, { axis: -k, epsilon: { float: m.eps } }, base));
    }
    // Before opset 17: the same arithmetic, mean and biased variance over the last k axes.
    const axes = shape.map((_, i) => i - k);
    const mean = g.node('ReduceMean', [x.name], { axes, keepdims: 1 }, `${base}_mean`);
    const d = g.node('Sub', [x.name, mean], {}, `${base}_centred`);
    const variance = g.node('ReduceMean', [g.node('Mul', [d, d], {}, `${base}_sq`)], { axes, keepdims: 1 }, `${base}_var`);
    const std = g.node('Sqrt', [g.node('Add', [variance, g.scalar(`${base}.eps`, m.eps)], {}, `${base}_var_eps`)], {}, `${base}_std`);
    let y = g.node('Div', [d, std], {}, m.weight || m.bias ? `${base}_normed` : base);
    if (m.weight) y = g.node('Mul', [y, g.floats(`${base}.weight`, f32(m.weight), shape)], {}, m.bias ? `${base}_scaled` : base);
    if (m.bias) y = g.node('Add', [y, g.floats(`${base}.bias`, f32(m.bias), shape)], {}, base);
    return same(y);
  }

  if ((m instanceof Dropout && sameForward(m, Dropout)) || (m instanceof Dropout2d && sameForward(m, Dropout2d)) ||
      (m instanceof Identity && sameForward(m, Identity))) {
    return x; // identity in eval mode
  }

  if (m instanceof Flatten && sameForward(m, Flatten)) {
    const n = x.shape.length;
    const s = normDim(m.startDim, n, 'Flatten'), e = normDim(m.endDim, n, 'Flatten');
    const b = x.batchAxis;
    const batchAxis = b === null ? null : b < s ? b : b > e ? b - (e - s) : s === e ? b : null;
    if (e === n - 1 && s > 0) return same(g.node('Flatten', [x.name], { axis: s }, base), batchAxis);
    return same(reshape(g, x, outShape, batchAxis, s, base), batchAxis);
  }

  if (m instanceof Unflatten && sameForward(m, Unflatten)) {
    const d = normDim(m.dim, x.shape.length, 'Unflatten');
    const added = outShape.length - x.shape.length;
    const b = x.batchAxis;
    const batchAxis = b === null ? null : b < d ? b : b > d ? b + added : fail('the batch dimension itself would be unflattened');
    return same(reshape(g, x, outShape, batchAxis, d, base), batchAxis);
  }

  if (m instanceof ReLU && sameForward(m, ReLU)) return unary('Relu');
  if (m instanceof LeakyReLU && sameForward(m, LeakyReLU)) return unary('LeakyRelu', { alpha: { float: m.negativeSlope } });
  if (m instanceof Sigmoid && sameForward(m, Sigmoid)) return unary('Sigmoid');
  if (m instanceof Tanh && sameForward(m, Tanh)) return unary('Tanh');
  if (m instanceof ELU && sameForward(m, ELU)) return unary('Elu', { alpha: { float: m.alpha } });
  if (m instanceof Hardtanh && sameForward(m, Hardtanh)) {
    return same(g.node('Clip', [x.name, g.scalar(`${base}.min`, m.minVal), g.scalar(`${base}.max`, m.maxVal)], {}, base));
  }
  if (m instanceof SiLU && sameForward(m, SiLU)) return same(g.node('Mul', [x.name, g.node('Sigmoid', [x.name], {}, `${base}_sigmoid`)], {}, base));
  if (m instanceof LogSigmoid && sameForward(m, LogSigmoid)) {
    // log σ(x) = -softplus(-x)
    return same(g.node('Neg', [g.node('Softplus', [g.node('Neg', [x.name], {}, `${base}_neg`)], {}, `${base}_softplus`)], {}, base));
  }
  if (m instanceof Softplus && sameForward(m, Softplus)) return same(softplus(g, x.name, m.beta, m.threshold, base));
  if (m instanceof GELU && sameForward(m, GELU)) return same(gelu(g, x.name, m.approximate, base));
  if (m instanceof Softmax && sameForward(m, Softmax)) return unary('Softmax', { axis: normDim(m.dim, x.shape.length, 'Softmax') });
  if (m instanceof LogSoftmax && sameForward(m, LogSoftmax)) return unary('LogSoftmax', { axis: normDim(m.dim, x.shape.length, 'LogSoftmax') });

  if (m instanceof RNNBase && (m.constructor.name === 'RNN' || m.constructor.name === 'LSTM' || m.constructor.name === 'GRU')) {
    return emitRecurrent(g, m, base, x, outShape);
  }

  if (m instanceof Sequential) return fail('a Sequential subclass with its own forward()');
  return fail('exportOnnx walks Sequential containers and the built-in layers listed in its docs; ' +
    'custom forward() code would need tracing, which exportOnnx does not do');
}

// PyTorch 'same' padding: total dilation·(k-1) per dim, the odd pixel going after.
function samePads(kernel: readonly number[], dilation: readonly number[]): number[] {
  const total = kernel.map((k, i) => dilation[i] * (k - 1));
  return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
}

// Reshape to outShape: dims before `keepBefore` are copied from the input (0), the batch dim (if
// it moved past that) becomes -1, the rest are the example's sizes.
function reshape(g: GraphBuilder, x: Value, outShape: Shape, batchAxis: number | null, keepBefore: number, base: string): string {
  const target = outShape.map((s, i) => (i < keepBefore && i < x.shape.length ? 0 : i === batchAxis ? -1 : s));
  if (x.batchAxis !== null && batchAxis === null) target[0] = -1; // batch merged away: let it be inferred
  return g.node('Reshape', [x.name, g.int64s(`${base}.shape`, target)], {}, base);
}

// PyTorch softplus: log(1 + exp(βx)) / β, and x itself where βx > threshold.
function softplus(g: GraphBuilder, x: string, beta: number, threshold: number, base: string): string {
  // With β = 1 and the default threshold, the linear branch differs from softplus by < 3e-9.
  if (beta === 1 && threshold >= 20) return g.node('Softplus', [x], {}, base);
  const bx = beta === 1 ? x : g.node('Mul', [x, g.scalar(`${base}.beta`, beta)], {}, `${base}_bx`);
  let sp = g.node('Softplus', [bx], {}, `${base}_softplus`);
  if (beta !== 1) sp = g.node('Div', [sp, g.scalar(`${base}.beta_div`, beta)], {}, `${base}_div`);
  const linear = g.node('Greater', [bx, g.scalar(`${base}.threshold`, threshold)], {}, `${base}_linear`);
  return g.node('Where', [linear, x, sp], {}, base);
}

// GELU: native from opset 20; before that x·Φ(x) = 0.5·x·(1 + erf(x/√2)), or the tanh form.
function gelu(g: GraphBuilder, x: string, approximate: 'none' | 'tanh', base: string): string {
  if (g.opset >= 20) return g.node('Gelu', [x], { approximate }, base);
  const c = (name: string, v: number) => g.scalar(`${base}.${name}`, v);
  let inner: string;
  if (approximate === 'none') {
    inner = g.node('Erf', [g.node('Div', [x, c('sqrt2', Math.SQRT2)], {}, `${base}_div`)], {}, `${base}_erf`);
  } else {
    // tanh(√(2/π)·(x + 0.044715·x³))
    const x3 = g.node('Mul', [g.node('Mul', [x, x], {}, `${base}_x2`), x], {}, `${base}_x3`);
    const poly = g.node('Add', [x, g.node('Mul', [x3, c('k', 0.044715)], {}, `${base}_kx3`)], {}, `${base}_poly`);
    inner = g.node('Tanh', [g.node('Mul', [poly, c('s', Math.sqrt(2 / Math.PI))], {}, `${base}_scaled`)], {}, `${base}_tanh`);
  }
  const onePlus = g.node('Add', [inner, c('one', 1)], {}, `${base}_1p`);
  return g.node('Mul', [g.node('Mul', [x, c('half', 0.5)], {}, `${base}_half`), onePlus], {}, base);
}

// PyTorch stacks gates as LSTM i,f,g,o and GRU r,z,n; ONNX wants LSTM i,o,f,c and GRU z,r,h.
const GATE_ORDER: Record<string, number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

function reorderGates(data: Float32Array, order: number[]): Float32Array {
  const block = data.length / order.length;
  const out = new Float32Array(data.length);
  order.forEach((src, dst) => out.set(data.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

// RNN/LSTM/GRU as one ONNX op per layer (both directions inside it), in [seq, batch, feature] layout.
function emitRecurrent(g: GraphBuilder, m: RNNBase, base: string, x: Value, outShape: Shape): Value {
  const kind = m.constructor.name as 'RNN' | 'LSTM' | 'GRU';
  const order = GATE_ORDER[kind];
  const H = m.hiddenSize, D = m.numDirections;
  const batched = x.shape.length === 3;
  let cur = !batched ? g.node('Unsqueeze', [x.name, g.int64s(`${base}.axes`, [1])], {}, `${base}_unsqueeze`)
    : m.batchFirst ? g.node('Transpose', [x.name], { perm: [1, 0, 2] }, `${base}_seq_first`)
    : x.name;
  for (let l = 0; l < m.numLayers; l++) {
    const dirs = [...Array(D).keys()].map((d) => m._weights(l, d));
    const stackDirs = (pick: (w: (typeof dirs)[number]) => Float32Array) => {
      const parts = dirs.map(pick);
      const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      return all;
    };
    const W = stackDirs((w) => reorderGates(f32(w.wIh), order));
    const R = stackDirs((w) => reorderGates(f32(w.wHh), order));
    const G = order.length * H;
    const inputs = [cur, g.floats(`${base}.W_l${l}`, W, [D, G, W.length / (D * G)]), g.floats(`${base}.R_l${l}`, R, [D, G, H])];
    if (m.bias) {
      const B = stackDirs((w) => {
        const b = new Float32Array(2 * G);
        b.set(reorderGates(f32(w.bIh!), order), 0);
        b.set(reorderGates(f32(w.bHh!), order), G);
        return b;
      });
      inputs.push(g.floats(`${base}.B_l${l}`, B, [D, 2 * G]));
    }
    const attrs: Record<string, Attr> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
    if (kind === 'GRU') attrs.linear_before_reset = 1; // PyTorch applies r after the hidden projection
    if (kind === 'RNN') attrs.activations = new Array(D).fill(m._mode === 'rnnRelu' ? 'Relu' : 'Tanh');
    const y = g.node(kind, inputs, attrs, `${base}_l${l}`); // Y: [seq, D, batch, H]
    cur = D === 1
      ? g.node('Squeeze', [y, g.int64s(`${base}.axes`, [1])], {}, `${base}_l${l}_out`)
      : g.node('Reshape', [g.node('Transpose', [y], { perm: [0, 2, 1, 3] }, `${base}_l${l}_t`), g.int64s(`${base}.shape`, [0, 0, -1])], {}, `${base}_l${l}_out`);
  }
  const out = !batched ? g.node('Squeeze', [cur, g.int64s(`${base}.axes`, [1])], {}, base)
    : m.batchFirst ? g.node('Transpose', [cur], { perm: [1, 0, 2] }, base)
    : cur;
  return { name: out, shape: outShape, batchAxis: x.batchAxis };
}
