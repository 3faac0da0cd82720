import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DType,
  DTYPE_SIZES,
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsHeader,
  toFloat32,
  toInt32,
} from '../../src/io/safetensors.js';
import { loadFile, saveFile } from '../../src/io/node-files.js';

const enc = new TextEncoder();

/** Builds a file from a raw header string (no padding added) and a data buffer. */
function file(header: string, buffer: ArrayLike<number> = [], headerLength?: number | bigint): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

const entry = (dtype: string, shape: unknown[], begin: unknown, end: unknown) =>
  `{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

/** Expects decode to throw a SafetensorsError whose message matches re. */
function rejects(bytes: Uint8Array, re: RegExp, opts?: { maxHeaderBytes?: number }): string {
  let err: unknown;
  try {
    decodeSafetensors(bytes, opts);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  const msg = (err as Error).message;
  expect(msg.startsWith('safetensors: ')).toBe(true);
  expect(msg).toMatch(re);
  // the header-only reader must agree
  expect(() => readSafetensorsHeader(bytes, opts)).toThrow(SafetensorsError);
  return msg;
}

const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

describe('known-good bytes (hand-computed from the spec)', () => {
  // {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes; padded with 2 spaces to 56
  const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const expected = new Uint8Array([
    56, 0, 0, 0, 0, 0, 0, 0, // u64 LE header length
    ...enc.encode(header), 0x20, 0x20, // header + padding to a multiple of 8
    0x00, 0x00, 0x80, 0x3f, // 1.0f LE
    0x00, 0x00, 0x00, 0x40, // 2.0f LE
  ]);

  it('the encoder writes exactly these bytes', () => {
    expect(header.length).toBe(54);
    const out = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    expect(out).toEqual(expected);
  });

  it('the decoder reads them', () => {
    const { tensors, metadata } = decodeSafetensors(expected);
    expect(metadata).toEqual({});
    expect([...tensors.keys()]).toEqual(['a']);
    const a = tensors.get('a')!;
    expect(a.dtype).toBe('F32');
    expect(a.shape).toEqual([2]);
    expect(a.data).toEqual(new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]));
    expect(toFloat32(a)).toEqual(new Float32Array([1, 2]));
  });

  it('metadata + scalar, as the Python writer lays it out (metadata first, space padding)', () => {
    const h = '{"__metadata__":{"format":"pt"},"b":{"dtype":"I16","shape":[],"data_offsets":[0,2]}}';
    expect(h.length).toBe(84); // 84 -> padded to 88
    const bytes = new Uint8Array([88, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(h), 32, 32, 32, 32, 0xfe, 0xff]);
    const out = encodeSafetensors({ b: { dtype: 'I16', shape: [], data: new Int16Array([-2]) } }, { format: 'pt' });
    expect(out).toEqual(bytes);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(toInt32(tensors.get('b')!)).toEqual(new Int32Array([-2]));
    expect(toFloat32(tensors.get('b')!)).toEqual(new Float32Array([-2]));
  });

  it('accepts JSON whitespace, escaped names and a header not padded to 8', () => {
    const h = '{ "x\\"y" : { "shape" : [ 1 ] , "dtype" : "U8" , "data_offsets" : [ 0 , 1 ] } }\t\n  ';
    const { tensors } = decodeSafetensors(file(h, [7]));
    expect(tensors.get('x"y')!.data).toEqual(new Uint8Array([7]));
  });
});

describe('round trip', () => {
  const cases: Array<[DType, ArrayBufferView, number[]]> = [
    ['F32', new Float32Array([1.5, -2, 3.25, Infinity, -0, 1e-40]), [2, 3]],
    ['F64', new Float64Array([Math.PI, -1e300, 5e-324, NaN]), [4]],
    ['F16', new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]), [2, 2]],
    ['BF16', new Uint16Array([0x3f80, 0xbfc0, 0x7f80, 0x0001]), [4, 1]],
    ['I64', new BigInt64Array([0n, -1n, 2n ** 62n, -(2n ** 63n)]), [2, 1, 2]],
    ['I32', new Int32Array([0, -1, 2147483647, -2147483648]), [4]],
    ['I16', new Int16Array([0, -1, 32767, -32768]), [1, 4]],
    ['I8', new Int8Array([0, -1, 127, -128]), [4]],
    ['U8', new Uint8Array([0, 1, 128, 255]), [2, 2]],
    ['BOOL', new Uint8Array([0, 1, 1, 0]), [4]],
  ];

  it('every dtype, byte-exact, with 8-byte aligned buffer start', () => {
    const input: Record<string, { dtype: DType; shape: number[]; data: ArrayBufferView }> = {};
    for (const [dtype, data, shape] of cases) input[`t_${dtype}`] = { dtype, shape, data };
    const bytes = encodeSafetensors(input, { format: 'pt', note: 'ünïcødé ✓' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcødé ✓' });
    expect(tensors.size).toBe(cases.length);
    for (const [dtype, data, shape] of cases) {
      const t = tensors.get(`t_${dtype}`)!;
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual(shape);
      expect(t.data).toEqual(new Uint8Array(bytesOf(data)));
      expect(t.data.length).toBe(shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[dtype]);
    }
  });

  it('sorts names and lays data out in that order (deterministic)', () => {
    const a = { dtype: 'U8' as const, shape: [1], data: new Uint8Array([1]) };
    const b = { dtype: 'U8' as const, shape: [2], data: new Uint8Array([2, 3]) };
    const x = encodeSafetensors({ b, a, B: a });
    const y = encodeSafetensors(new Map([['B', a], ['a', a], ['b', b]]));
    expect(x).toEqual(y);
    const h = readSafetensorsHeader(x);
    expect(h.entries.map((e) => [e.name, e.begin, e.end])).toEqual([['B', 0, 1], ['a', 1, 2], ['b', 2, 4]]);
    expect(h.dataStart % 8).toBe(0);
    expect([...x.subarray(h.dataStart)]).toEqual([1, 1, 2, 3]);
  });

  it('empty tensors (a 0 in the shape), scalars and no tensors at all', () => {
    const bytes = encodeSafetensors({
      empty: { dtype: 'F32', shape: [3, 0, 2], data: new Float32Array(0) },
      empty2: { dtype: 'I64', shape: [0], data: new BigInt64Array(0) },
      scalar: { dtype: 'F64', shape: [], data: new Float64Array([42]) },
    });
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors.get('empty')).toEqual({ dtype: 'F32', shape: [3, 0, 2], data: new Uint8Array(0) });
    expect(tensors.get('empty2')!.shape).toEqual([0]);
    expect(toFloat32(tensors.get('scalar')!)).toEqual(new Float32Array([42]));
    expect(toFloat32(tensors.get('empty')!)).toEqual(new Float32Array(0));

    const none = encodeSafetensors({});
    expect(none).toEqual(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]));
    expect(decodeSafetensors(none).tensors.size).toBe(0);
  });

  it('odd names and metadata keys: unicode, quotes, "__proto__", empty string', () => {
    const t = (v: number) => ({ dtype: 'U8' as const, shape: [1], data: new Uint8Array([v]) });
    const names = ['', '__proto__', 'a"b\\c\n', '层.weight', '😀', 'constructor'];
    const input: Record<string, ReturnType<typeof t>> = {};
    names.forEach((n, i) => Object.defineProperty(input, n, { value: t(i), enumerable: true }));
    const md = Object.fromEntries([['__proto__', 'x'], ['k"\u0000', 'v\u2028']]);
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(input, md));
    expect([...tensors.keys()].sort()).toEqual([...names].sort());
    names.forEach((n, i) => expect(tensors.get(n)!.data[0]).toBe(i));
    expect(Object.keys(metadata).sort()).toEqual(['__proto__', 'k"\u0000']);
    expect(metadata['k"\u0000']).toBe('v\u2028');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
  });

  it('accepts views at odd offsets, DataViews and shared memory; returns copies', () => {
    const backing = new Uint8Array(16).map((_, i) => i);
    const view = new Uint8Array(backing.buffer, 3, 8);
    const sab = new Uint8Array(new SharedArrayBuffer(4));
    sab.set([9, 8, 7, 6]);
    const bytes = encodeSafetensors({
      v: { dtype: 'F32', shape: [2], data: view },
      d: { dtype: 'I16', shape: [2], data: new DataView(backing.buffer, 5, 4) },
      s: { dtype: 'I32', shape: [], data: sab },
    });
    const { tensors } = decodeSafetensors(Buffer.from(bytes)); // a Node Buffer works too
    expect([...tensors.get('v')!.data]).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...tensors.get('d')!.data]).toEqual([5, 6, 7, 8]);
    expect(toInt32(tensors.get('s')!)).toEqual(new Int32Array([0x06070809]));
    // decoded data is a copy, not a view of the input
    const input = bytes.slice();
    const out = decodeSafetensors(input).tensors.get('v')!.data;
    input.fill(0);
    expect(out[0]).toBe(3);
    expect(out.buffer).not.toBe(input.buffer);
  });
});

describe('toFloat32 / toInt32', () => {
  const raw = (dtype: DType, data: ArrayBufferView, shape = [data.byteLength / DTYPE_SIZES[dtype]]) => ({
    dtype, shape, data: new Uint8Array(bytesOf(data)),
  });

  it('F16: normals, subnormals, zeros, infinities, NaN, max', () => {
    const h = [0x3c00, 0xc000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x8000, 0x7c00, 0xfc00, 0x3555, 0x7e00];
    const f = toFloat32(raw('F16', new Uint16Array(h)));
    expect([...f.slice(0, 10)]).toEqual([1, -2, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, -0, Infinity, -Infinity, Math.fround(0.333251953125)]);
    expect(Object.is(f[6], -0)).toBe(true);
    expect(Number.isNaN(f[10])).toBe(true);
    // every finite half equals the formula
    const all = new Uint16Array(65536).map((_, i) => i);
    const g = toFloat32(raw('F16', all));
    for (let i = 0; i < 65536; i++) {
      const e = (i >> 10) & 31, m = i & 1023, s = i & 0x8000 ? -1 : 1;
      if (e === 31) continue;
      const want = e === 0 ? s * m * 2 ** -24 : s * (1024 + m) * 2 ** (e - 25);
      if (g[i] !== want) throw new Error(`f16 ${i.toString(16)}: ${g[i]} != ${want}`);
    }
  });

  it('BF16, F64 (rounded), integers, BOOL', () => {
    expect(toFloat32(raw('BF16', new Uint16Array([0x3f80, 0xc040, 0x0000, 0xff80])))).toEqual(new Float32Array([1, -3, 0, -Infinity]));
    expect(toFloat32(raw('F64', new Float64Array([0.1, 1e40])))).toEqual(new Float32Array([0.1, Infinity]));
    expect(toFloat32(raw('I8', new Int8Array([-128, 127])))).toEqual(new Float32Array([-128, 127]));
    expect(toFloat32(raw('I16', new Int16Array([-32768, 5])))).toEqual(new Float32Array([-32768, 5]));
    expect(toFloat32(raw('I32', new Int32Array([16777217, -7])))).toEqual(new Float32Array([16777216, -7]));
    expect(toFloat32(raw('U8', new Uint8Array([255, 0])))).toEqual(new Float32Array([255, 0]));
    expect(toFloat32(raw('BOOL', new Uint8Array([0, 1, 2])))).toEqual(new Float32Array([0, 1, 1]));
  });

  it('I64 -> float32 rounds once, correctly (no double rounding)', () => {
    const v = [2n ** 60n + 2n ** 36n + 1n, -(2n ** 60n + 2n ** 36n + 1n), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 123456789n, -5n];
    const f = toFloat32(raw('I64', new BigInt64Array(v)));
    // 2^60 + 2^36 + 1 is just above the halfway point between f32 neighbours 2^60 and 2^60 + 2^37;
    // converting through a double first would round to the tie and then to even (2^60).
    expect([...f]).toEqual([2 ** 60 + 2 ** 37, -(2 ** 60 + 2 ** 37), 2 ** 53, -(2 ** 63), 2 ** 63, Math.fround(123456789), -5]);
  });

  it('toInt32 for integer dtypes; I64 outside int32 is an error naming the value', () => {
    expect(toInt32(raw('I64', new BigInt64Array([0n, -1n, 2147483647n, -2147483648n, 9n])))).toEqual(new Int32Array([0, -1, 2147483647, -2147483648, 9]));
    expect(toInt32(raw('I32', new Int32Array([5, -6])))).toEqual(new Int32Array([5, -6]));
    expect(toInt32(raw('U8', new Uint8Array([255])))).toEqual(new Int32Array([255]));
    expect(toInt32(raw('I8', new Int8Array([-3])))).toEqual(new Int32Array([-3]));
    expect(() => toInt32(raw('I64', new BigInt64Array([1n, 2147483648n])))).toThrow(/^safetensors: toInt32: element 1 .* is 2147483648, outside the int32 range/);
    expect(() => toInt32(raw('I64', new BigInt64Array([-2147483649n])))).toThrow(/-2147483649/);
    expect(() => toInt32(raw('F32', new Float32Array([1])))).toThrow(/^safetensors: toInt32: expected an integer dtype/);
  });

  it('validates the RawTensor it is given', () => {
    expect(() => toFloat32({ dtype: 'F32', shape: [3], data: new Uint8Array(8) })).toThrow(/^safetensors: toFloat32: shape \[3\] of F32 needs 12 bytes but data has 8/);
    expect(() => toFloat32({ dtype: 'X' as DType, shape: [], data: new Uint8Array(1) })).toThrow(/^safetensors: toFloat32: unknown dtype/);
    expect(() => toInt32({ dtype: 'I32', shape: [-1], data: new Uint8Array(0) })).toThrow(/^safetensors: toInt32: shape\[0\]/);
  });

  it('works on data at an unaligned offset', () => {
    const buf = new Uint8Array(9);
    buf.set(bytesOf(new Float32Array([1.5, -2])), 1);
    expect(toFloat32({ dtype: 'F32', shape: [2], data: buf.subarray(1) })).toEqual(new Float32Array([1.5, -2]));
  });
});

describe('encoder validation', () => {
  const ok = { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) };
  it.each([
    [{ x: { ...ok, dtype: 'F8' } }, /tensor "x": unknown dtype "F8"/],
    [{ x: { ...ok, shape: [2] } }, /tensor "x": shape \[2\] of F32 needs 8 bytes but data has 4/],
    [{ x: { ...ok, shape: [-1] } }, /tensor "x": shape\[0\] must be a non-negative safe integer, got -1/],
    [{ x: { ...ok, shape: [1.5] } }, /shape\[0\]/],
    [{ x: { ...ok, data: [1] } }, /tensor "x": data must be a typed array/],
    [{ __metadata__: ok }, /cannot be named "__metadata__"/],
    [{ ['\ud800']: ok }, /lone surrogate/],
  ])('rejects %#', (input, re) => {
    expect(() => encodeSafetensors(input as never)).toThrow(SafetensorsError);
    expect(() => encodeSafetensors(input as never)).toThrow(re);
  });
  it('rejects non-string metadata', () => {
    expect(() => encodeSafetensors({}, { a: 1 } as never)).toThrow(/^safetensors: metadata value for key "a" must be a string/);
  });
});

describe('hostile input', () => {
  const good = encodeSafetensors({
    a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
    b: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
  });

  it('input type and too-short files', () => {
    rejects(new Uint8Array(0), /file is 0 bytes, too short/);
    rejects(new Uint8Array(7), /file is 7 bytes/);
    expect(() => decodeSafetensors([1, 2, 3] as never)).toThrow(/^safetensors: expected the file as a Uint8Array, got Array/);
    expect(() => decodeSafetensors(null as never)).toThrow(/^safetensors: expected the file as a Uint8Array, got null/);
  });

  it('header length larger than the limit or the file, without allocating it', () => {
    rejects(file('{}', [], 2n ** 64n - 1n), /header length 18446744073709551615 exceeds the limit of 100000000 bytes/);
    rejects(file('{}', [], 100_000_001), /header length 100000001 exceeds the limit/);
    rejects(file('{}', [], 1000), /header length 1000 exceeds the 2 bytes that follow it/);
    rejects(file('{}', [], 3), /header length 3 exceeds the 2 bytes/);
    rejects(file('{"a":1}', []), /maxHeaderBytes/, { maxHeaderBytes: 6 });
    expect(decodeSafetensors(file('{}'), { maxHeaderBytes: 2 }).tensors.size).toBe(0);
    expect(() => decodeSafetensors(file('{}'), { maxHeaderBytes: -1 })).toThrow(/^safetensors: maxHeaderBytes must be/);
    rejects(file('', [], 0), /header length 0 is too small/);
  });

  it('strict UTF-8 and JSON', () => {
    const bad = file('{"a":{}}');
    bad[10] = 0xff; // inside the key
    rejects(bad, /header is not valid UTF-8/);
    const overlong = file('{"ab":1}');
    overlong.set([0xc0, 0xaf], 10); // overlong encoding of '/'
    rejects(overlong, /not valid UTF-8/);
    const surrogate = file('{"abc":1}');
    surrogate.set([0xed, 0xa0, 0x80], 10); // UTF-8-encoded lone surrogate U+D800
    rejects(surrogate, /not valid UTF-8/);
    rejects(file('\ufeff{}'), /header must start with '\{'/); // BOM
    rejects(file(' {}'), /header must start with '\{'/);
    rejects(file('[1, 2]'), /must start with '\{'/);
    rejects(file('{"a":'), /invalid header JSON: unexpected end of input/);
    rejects(file('{"a":1,}'), /invalid header JSON: expected a string key/);
    rejects(file("{'a':1}"), /expected a string key/);
    rejects(file('{"a":1} x'), /after the JSON value/);
    rejects(file('{} {}'), /after the JSON value/);
    rejects(file('{"a":01}'), /expected ',' or '}'/);
    rejects(file('{"a":NaN}'), /unexpected character/);
    rejects(file('{"a":"\\x"}'), /invalid escape/);
    rejects(file('{"a":"\t"}'), /unescaped control character/);
    rejects(file('{"a":"\\ud800"}'), /lone high surrogate/);
    rejects(file('{"a":"\\udc00"}'), /lone low surrogate/);
    rejects(file('{"a":"x'), /unterminated string/);
    rejects(file('{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'), /nesting deeper than 64/);
    rejects(file('{"a":tru}'), /invalid literal/);
  });

  it('duplicate keys at any level, including ones spelled differently', () => {
    const e = entry('U8', [1], 0, 1);
    rejects(file(`{"a":${e},"a":${e}}`, [1]), /duplicate key "a"/);
    rejects(file(`{"a\\"b":${e},"a\\u0022b":${e}}`, [1]), /duplicate key "a\\"b"/);
    rejects(file(`{"a":${e},"\\u0061":${e}}`, [1]), /duplicate key "a"/);
    rejects(file(`{"__metadata__":{},"__metadata__":{}}`), /duplicate key "__metadata__"/);
    rejects(file(`{"__metadata__":{"k":"1","k":"2"}}`), /duplicate key "k"/);
    rejects(file('{"a":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}', [1]), /duplicate key "dtype"/);
    // different keys that look alike are fine
    const ok = decodeSafetensors(file(`{"a\\"b":${e.replace('[0,1]', '[0,1]')},"a\\\\b":${entry('U8', [0], 1, 1)}}`, [1]));
    expect([...ok.tensors.keys()]).toEqual(['a"b', 'a\\b']);
  });

  it('root, entry and metadata types', () => {
    rejects(file('{"a":[1]}'), /tensor "a": entry must be an object/);
    rejects(file('{"a":{"dtype":"F32","shape":[]}}'), /tensor "a": missing field data_offsets/);
    rejects(file('{"a":{}}'), /missing fields dtype, shape, data_offsets/);
    rejects(file('{"__metadata__":[]}'), /"__metadata__" must be an object/);
    rejects(file('{"__metadata__":null}'), /"__metadata__" must be an object/);
    rejects(file('{"__metadata__":{"k":1}}'), /metadata value for key "k" must be a string, got 1/);
    rejects(file('{"__metadata__":{"k":null}}'), /metadata value for key "k" must be a string, got null/);
  });

  it('dtypes', () => {
    rejects(file(`{"a":${entry('F33', [1], 0, 4)}}`, [0, 0, 0, 0]), /tensor "a": unknown dtype "F33" \(expected one of F64, I64, F32/);
    rejects(file(`{"a":${entry('f32', [1], 0, 4)}}`, [0, 0, 0, 0]), /unknown dtype "f32"/);
    rejects(file(`{"a":${entry('U16', [1], 0, 2)}}`, [0, 0]), /tensor "a": dtype "U16" is not supported/);
    rejects(file('{"a":{"dtype":4,"shape":[],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /dtype must be a string, got 4/);
    rejects(file(`{"a":${entry('__proto__', [1], 0, 1)}}`, [0]), /unknown dtype "__proto__"/);
    rejects(file(`{"a":${entry('toString', [1], 0, 1)}}`, [0]), /unknown dtype "toString"/);
  });

  it('shapes', () => {
    const f = (shape: string, end = 4) => file(`{"a":{"dtype":"F32","shape":${shape},"data_offsets":[0,${end}]}}`, new Uint8Array(end));
    rejects(f('[-1]'), /tensor "a": shape\[0\] must be a non-negative integer below 2\^53, got -1/);
    rejects(f('[1.5]'), /shape\[0\] .* got 1.5/);
    rejects(f('[1.0]'), /got 1.0/);
    rejects(f('[1e0]'), /got 1e0/);
    rejects(f('[-0]'), /got -0/);
    rejects(f('[9007199254740992]'), /got 9007199254740992/);
    rejects(f('[1e400]'), /got 1e400/);
    rejects(f('["1"]'), /got "1"/);
    rejects(f('[null]'), /got null/);
    rejects(f('[[1]]'), /got \[array\]/);
    rejects(f('1'), /shape must be an array, got 1/);
    rejects(f('{}'), /shape must be an array, got \{object\}/);
    // shape and size disagree
    rejects(f('[2]'), /tensor "a": shape \[2\] of F32 needs 8 bytes but data_offsets \[0, 4\] span 4/);
    rejects(f('[]', 8), /shape \[\] of F32 needs 4 bytes but data_offsets \[0, 8\] span 8/);
    rejects(f('[0]'), /needs 0 bytes/);
    // products that overflow 2^53 or even 2^64 must not wrap around to a matching size
    rejects(f('[4294967296, 4294967296, 1]'), /needs 73786976294838206464 bytes/);
    rejects(f('[9007199254740991, 9007199254740991, 9007199254740991]'), /needs \d{40,} bytes/);
    rejects(f(`[${Array(100).fill(65536).join(',')}]`), /needs an enormous number of bytes/);
    // huge dims with a zero are a legal empty tensor
    const { tensors } = decodeSafetensors(f('[9007199254740991, 0]', 0));
    expect(tensors.get('a')!.shape).toEqual([9007199254740991, 0]);
  });

  it('offsets', () => {
    const f = (off: string, buf = 4) => file(`{"a":{"dtype":"U8","shape":[4],"data_offsets":${off}}}`, new Uint8Array(buf));
    rejects(f('[0, 5]'), /tensor "a": data_offsets \[0, 5\] reach past the end of the 4-byte data buffer/);
    rejects(f('[4, 0]'), /data_offsets \[4, 0\] has begin > end/);
    rejects(f('[-1, 3]'), /data_offsets\[0\] must be a non-negative integer .* got -1/);
    rejects(f('[0, 18446744073709551620]'), /data_offsets\[1\] .* got 18446744073709551620/);
    rejects(f('[0.0, 4]'), /data_offsets\[0\]/);
    rejects(f('[0]'), /data_offsets must be an array \[begin, end\], got an array of length 1/);
    rejects(f('[0, 4, 8]'), /array of length 3/);
    rejects(f('"0,4"'), /data_offsets must be an array/);
    rejects(f('[0, 4]', 6), /data buffer is 6 bytes but the tensors cover only \[0, 4\): 2 trailing bytes/);
    rejects(f('[1, 5]', 5), /hole in the data buffer: bytes \[0, 1\) belong to no tensor \(next is "a" at \[1, 5\]\)/);
  });

  it('overlaps and holes between tensors', () => {
    const two = (a: [number, number], b: [number, number], buf: number) =>
      file(`{"a":${entry('U8', [a[1] - a[0]], a[0], a[1])},"b":${entry('U8', [b[1] - b[0]], b[0], b[1])}}`, new Uint8Array(buf));
    rejects(two([0, 4], [2, 6], 6), /tensor "b" data_offsets \[2, 6\] overlap tensor "a" \[0, 4\]/);
    rejects(two([0, 4], [0, 4], 4), /overlap/);
    rejects(two([0, 4], [1, 2], 4), /overlap/);
    rejects(two([0, 2], [3, 5], 5), /hole in the data buffer: bytes \[2, 3\)/);
    rejects(two([0, 4], [2, 2], 4), /tensor "b" data_offsets \[2, 2\] overlap tensor "a"/); // empty range inside another
    // header order does not matter, the layout does
    expect(decodeSafetensors(two([2, 4], [0, 2], 4)).tensors.size).toBe(2);
    // empty tensors at a boundary are fine
    expect(decodeSafetensors(two([0, 4], [4, 4], 4)).tensors.get('b')!.data.length).toBe(0);
    expect(decodeSafetensors(two([0, 0], [0, 0], 0)).tensors.size).toBe(2);
    // no tensors but data bytes
    rejects(file('{}', [1]), /data buffer is 1 bytes but the tensors cover only \[0, 0\)/);
  });

  it('every truncation of a valid file is rejected', () => {
    for (let k = 0; k < good.length; k++) rejects(good.subarray(0, k), /./);
    expect(decodeSafetensors(good).tensors.size).toBe(2);
  });

  it('big headers decode in linear time', () => {
    // 20,000 tensors
    const input: Record<string, { dtype: DType; shape: number[]; data: ArrayBufferView }> = {};
    for (let i = 0; i < 20_000; i++) input[`layer${i}.weight`] = { dtype: 'F32', shape: [2], data: new Float32Array([i, -i]) };
    const bytes = encodeSafetensors(input);
    let t0 = performance.now();
    const { tensors } = decodeSafetensors(bytes);
    const dt1 = performance.now() - t0;
    expect(tensors.size).toBe(20_000);
    expect(toFloat32(tensors.get('layer19999.weight')!)).toEqual(new Float32Array([19999, -19999]));
    // 20 MB of padding, and a 5 MB metadata string full of escapes
    t0 = performance.now();
    decodeSafetensors(file('{}' + ' '.repeat(20_000_000)));
    decodeSafetensors(file(`{"__metadata__":{"k":"${'\\"\\u00e9'.repeat(625_000)}"}}`));
    const dt2 = performance.now() - t0;
    expect(dt1 + dt2).toBeLessThan(5000);
  });
});

describe('node-files', () => {
  it('saveFile / loadFile round trip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-st-'));
    try {
      const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { format: 'pt' });
      const p = join(dir, 'model.safetensors');
      saveFile(p, bytes);
      saveFile(p, bytes); // overwrite
      const back = loadFile(p);
      expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
      expect(back).toEqual(bytes);
      expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp files left behind
      expect(toFloat32(decodeSafetensors(back).tensors.get('w')!)).toEqual(new Float32Array([1, 2, 3, 4]));
      expect(() => saveFile(join(dir, 'no/such/dir/x'), bytes)).toThrow();
      expect(() => loadFile(join(dir, 'missing'))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
