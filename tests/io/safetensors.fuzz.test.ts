import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type DType,
  type RawTensor,
  DTYPE_SIZES,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsHeader,
} from '../../src/io/safetensors.js';

const RUNS = 5000;
const DTYPES = Object.keys(DTYPE_SIZES) as DType[];
const enc = new TextEncoder();

// vitest's deep equality is slow on typed arrays; these keep 5,000-case runs fast
function assertSameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length || Buffer.compare(a, b) !== 0) throw new Error(`${what}: bytes differ`);
}
function assertSameTensor(a: RawTensor | undefined, b: { dtype: string; shape: number[]; data: Uint8Array } | undefined, what: string): void {
  if (!a || !b) throw new Error(`${what}: missing`);
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: ${a.dtype}${JSON.stringify(a.shape)} != ${b.dtype}${JSON.stringify(b.shape)}`);
  }
  assertSameBytes(a.data, b.data, what);
}

/**
 * The property every input must satisfy: decoding either succeeds with tensors that are exactly the
 * bytes their header entries point at (inside the input, sized by shape x itemsize, tiling the data
 * buffer), or throws an Error whose message starts with "safetensors:" and is one of our deliberate
 * checks, not a wrapped internal exception (RangeError, SyntaxError, ...).
 */
const STATS = new Map<string, number>();
function checkDecode(bytes: Uint8Array): 'ok' | 'rejected' {
  let result: ReturnType<typeof decodeSafetensors>;
  try {
    result = decodeSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
    if (!e.message.startsWith('safetensors: ')) throw new Error(`error without the safetensors: prefix: ${e.name}: ${e.message}`);
    if (/ failed: /.test(e.message)) throw new Error(`internal exception leaked through: ${e.message}`);
    if (process.env.ST_FUZZ_STATS) {
      const k = e.message.replace(/"(?:[^"\\]|\\.)*"|\d+|\[[^\]]*\]|\{[^}]*\}|got .*|at character.*/g, '_').slice(0, 70);
      STATS.set(k, (STATS.get(k) ?? 0) + 1);
    }
    return 'rejected';
  }
  const h = readSafetensorsHeader(bytes);
  expect(h.entries.length).toBe(result.tensors.size);
  let covered = 0;
  for (const e of h.entries) {
    const t = result.tensors.get(e.name)!;
    expect(t.dtype).toBe(e.dtype);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    expect(t.data.length).toBe(numel * DTYPE_SIZES[t.dtype]);
    expect(t.data.length).toBe(e.end - e.begin);
    expect(h.dataStart + e.end).toBeLessThanOrEqual(bytes.length);
    assertSameBytes(t.data, bytes.subarray(h.dataStart + e.begin, h.dataStart + e.end), e.name);
    covered += e.end - e.begin;
  }
  expect(covered).toBe(bytes.length - h.dataStart);
  // what we accept, we can write back, and it reads the same
  const again = decodeSafetensors(encodeSafetensors(result.tensors, result.metadata));
  expect(again.metadata).toEqual(result.metadata);
  expect(again.tensors.size).toBe(result.tensors.size);
  for (const [k, t] of result.tensors) assertSameTensor(again.tensors.get(k), t, `re-encoded ${k}`);
  return 'ok';
}

function withHeaderLength(bytes: Uint8Array, n: bigint): Uint8Array {
  const out = bytes.length >= 8 ? bytes.slice() : new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return out;
}

/** A file from raw header text (or bytes) and a buffer; header length is the real one unless given. */
function build(header: string | Uint8Array, buffer: Uint8Array): Uint8Array {
  const h = typeof header === 'string' ? enc.encode(header) : header;
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

// ---- valid files --------------------------------------------------------------------------------

const nameArb = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('weight', 'bias', '0.weight', '__proto__', 'constructor', 'a"b', '\\', 'é', '😀'),
);
const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) =>
    fc.uint8Array({
      minLength: shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[dtype],
      maxLength: shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[dtype],
    }).map((data) => ({ dtype, shape, data })),
  );
const validArb = fc
  .tuple(
    fc.uniqueArray(fc.tuple(nameArb, tensorArb), { maxLength: 5, selector: ([n]) => n }),
    fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), { nil: undefined }),
  )
  .filter(([list]) => list.every(([n]) => n !== '__metadata__'))
  .map(([list, metadata]) => ({ tensors: new Map(list), metadata }));

const validFileArb = validArb.map(({ tensors, metadata }) => encodeSafetensors(tensors, metadata));

// ---- hostile headers built from parts (so they get past the length and UTF-8 checks) --------------

const hostileNumber = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.integer({ min: -5, max: -1 }).map(String),
  fc.constantFrom('-0', '0.0', '1.5', '1e0', '1e400', '-1e400', '9007199254740991', '9007199254740992', '9007199254740993',
    '18446744073709551615', '18446744073709551616', '4294967296', '4294967297', '00', '1.', '.5', '+1', '0x10', 'NaN',
    'Infinity', 'null', 'true', '"4"', '[]', '{}', '[4]'),
);
const dtypeText = fc.oneof(
  fc.constantFrom(...DTYPES).map((d) => JSON.stringify(d)),
  fc.constantFrom('"f32"', '"U16"', '"F8_E4M3"', '"__proto__"', '"toString"', '""', '4', 'null', '["F32"]', '"F32\\u0000"'),
);
const shapeText = fc.oneof(
  fc.array(hostileNumber, { maxLength: 4 }).map((a) => `[${a.join(',')}]`),
  fc.constantFrom('[9007199254740991,9007199254740991,9007199254740991]', '[4294967296,4294967296]', '[0,9007199254740991]', '4', 'null', '"[1]"', '{}'),
);
const offsetsText = fc.oneof(
  fc.array(hostileNumber, { minLength: 0, maxLength: 3 }).map((a) => `[${a.join(',')}]`),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })).map(([a, b]) => `[${a},${b}]`),
  fc.constantFrom('null', '"0,4"', '{}'),
);
const keyText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('"a"', '"b"', '"c"', '"d"') },
  { weight: 2, arbitrary: fc.constantFrom('"a"', '"\\u0061"', '"a\\"b"', '"a\\u0022b"', '"__metadata__"', '"dtype"', '"\\ud83d\\ude00"') },
  { weight: 1, arbitrary: fc.constantFrom('"\\ud800"', '"\\udc00x"', '"\\x"', '"', '"\\u12"', 'a') },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }).map((s) => JSON.stringify(s)) },
);
const fieldText = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('"dtype"'), dtypeText) },
  { weight: 6, arbitrary: fc.tuple(fc.constant('"shape"'), shapeText) },
  { weight: 6, arbitrary: fc.tuple(fc.constant('"data_offsets"'), offsetsText) },
  { weight: 1, arbitrary: fc.tuple(keyText, fc.oneof(hostileNumber, fc.json({ maxDepth: 2 }))) },
);
// mostly-plausible entries: all three fields, usually valid values; laid out one after another with
// occasional gaps/overlaps (begin is nudged by a small delta from where the previous tensor ended)
type Part = (cursor: number) => { text: string; end: number };
const plausibleEntry: fc.Arbitrary<Part> = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...DTYPES) }, { weight: 1, arbitrary: fc.constantFrom('f32', 'U16', '') }),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }) }),
    fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -4, max: 4 }) }),
    fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('"extra"', '"dtype"', '"shape"'), hostileNumber) }),
  )
  .map(([dt, shape, dBegin, dSize, extra]) => (cursor: number) => {
    const size = shape.reduce((x, y) => x * y, 1) * (DTYPE_SIZES[dt as DType] ?? 1);
    const begin = Math.max(0, cursor + dBegin);
    const end = Math.max(0, begin + size + dSize);
    const fields = [`"dtype":"${dt}"`, `"shape":[${shape.join(',')}]`, `"data_offsets":[${begin},${end}]`];
    if (extra) fields.push(`${extra[0]}:${extra[1]}`);
    return { text: `{${fields.join(',')}}`, end };
  });
const otherEntry: fc.Arbitrary<Part> = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(fieldText, { maxLength: 4 }).map((fs) => `{${fs.map(([k, v]) => `${k}:${v}`).join(',')}}`) },
    { weight: 1, arbitrary: fc.constantFrom('[]', '"x"', '1', 'null', '{"a":"b"}', '{"k":1}') },
  )
  .map((text) => (cursor: number) => ({ text, end: cursor }));
const entryPart = fc.oneof({ weight: 6, arbitrary: plausibleEntry }, { weight: 1, arbitrary: otherEntry });
const metadataPart = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }).map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: fc.constantFrom('{"k":1}', '{"k":null}', '[]', 'null', '"x"', '{"k":"a","k":"b"}', '{"\\u006b":"a","k":"b"}') },
);

/** Structured header + a buffer usually sized to what the entries claim, so deep checks get exercised. */
const hostileFileArb = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: keyText }), entryPart), { maxLength: 5 }),
    fc.option(metadataPart, { freq: 3, nil: undefined }),
    fc.integer({ min: -3, max: 3 }),
    fc.nat(7),
  )
  .map(([parts, md, dLen, pad]) => {
    let cursor = 0;
    let maxEnd = 0;
    const items = parts.map(([key, part], i) => {
      const { text, end } = part(cursor);
      cursor = end;
      maxEnd = Math.max(maxEnd, end);
      return `${key ?? `"t${i}"`}:${text}`;
    });
    if (md !== undefined) items.splice(items.length >> 1, 0, `"__metadata__":${md}`);
    const header = `{${items.join(',')}}` + ' '.repeat(pad);
    return build(header, new Uint8Array(Math.max(0, maxEnd + (dLen > 1 ? dLen : 0) - (dLen < -1 ? 1 : 0))).map((_, i) => i));
  });

// ---- mutations of valid files ---------------------------------------------------------------------

type Mutation = (b: Uint8Array) => Uint8Array;
const headerLen = (b: Uint8Array) => (b.length >= 8 ? new DataView(b.buffer, b.byteOffset).getBigUint64(0, true) : 0n);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  // flip / overwrite bytes anywhere, biased to the header
  fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }).map((edits) => (b: Uint8Array) => {
    const out = b.slice();
    const n = Math.min(out.length, 8 + Number(headerLen(b)));
    for (const [p, v] of edits) out[p % (p % 3 === 0 ? out.length : n)] = v;
    return out;
  }),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 3 }).map((edits) => (b: Uint8Array) => {
    const out = b.slice();
    for (const [p, bit] of edits) out[p % out.length] ^= 1 << bit;
    return out;
  }),
  // truncate / extend
  fc.nat().map((k) => (b: Uint8Array) => b.slice(0, k % (b.length + 1))),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => (b: Uint8Array) => {
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return out;
  }),
  // splice the header length: small deltas, arbitrary u64, > 100 MB, > file size
  fc.oneof(
    fc.integer({ min: -9, max: 9 }).map((d) => (b: Uint8Array) => withHeaderLength(b, headerLen(b) + BigInt(d))),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => (b: Uint8Array) => withHeaderLength(b, n)),
    fc.bigInt({ min: 100_000_001n, max: 2n ** 40n }).map((n) => (b: Uint8Array) => withHeaderLength(b, n)),
    fc.constant((b: Uint8Array) => withHeaderLength(b, BigInt(b.length))),
  ),
  // rewrite the header text and re-frame the file with a correct length
  fc.tuple(hostileNumber, fc.nat(), fc.constantFrom('data_offsets', 'shape')).map(([num, k, field]) => (b: Uint8Array) =>
    reframe(b, (h) => {
      const re = field === 'data_offsets' ? /"data_offsets":\[(\d+),(\d+)\]/g : /"shape":\[([\d,]*)\]/g;
      const ms = [...h.matchAll(re)];
      if (!ms.length) return h;
      const m = ms[k % ms.length];
      const nums = m[0].slice(m[0].indexOf('[') + 1, -1).split(',');
      nums[k % Math.max(1, nums.length)] = num;
      return h.slice(0, m.index!) + `"${field}":[${nums.join(',')}]` + h.slice(m.index! + m[0].length);
    }),
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([i, j, swapBegin]) => (b: Uint8Array) =>
    reframe(b, (h) => {
      // make one tensor's offsets equal to / overlap another's
      const ms = [...h.matchAll(/"data_offsets":\[(\d+),(\d+)\]/g)];
      if (ms.length < 2) return h;
      const a = ms[i % ms.length], c = ms[j % ms.length];
      const repl = swapBegin ? `"data_offsets":[${c[1]},${a[2]}]` : `"data_offsets":[${c[1]},${c[2]}]`;
      return h.slice(0, a.index!) + repl + h.slice(a.index! + a[0].length);
    }),
  ),
  fc.tuple(fc.nat(), dtypeText).map(([k, dt]) => (b: Uint8Array) =>
    reframe(b, (h) => {
      const ms = [...h.matchAll(/"dtype":"\w+"/g)];
      if (!ms.length) return h;
      const m = ms[k % ms.length];
      return h.slice(0, m.index!) + `"dtype":${dt}` + h.slice(m.index! + m[0].length);
    }),
  ),
  fc.nat().map((k) => (b: Uint8Array) =>
    reframe(b, (h) => {
      // duplicate one top-level entry (same key, possibly spelled with an escape)
      const ms = [...h.matchAll(/("(?:[^"\\]|\\.)*"):(\{"dtype"[^}]*\})/g)];
      if (!ms.length) return h.replace(/^\{/, '{"__metadata__":{},"__metadata__":{},');
      const m = ms[k % ms.length];
      const key = k % 2 ? m[1] : m[1].replace(/^"(.)/, (_, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return `${h.slice(0, -1)},${key}:${m[2]}}`;
    }),
  ),
  fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0x00], [0x22], [0x5c])).map(
    ([k, junk]) => (b: Uint8Array) => reframeBytes(b, (h) => {
      const p = Math.min(h.length, 1 + (k % Math.max(1, h.length - 1)));
      const out = new Uint8Array(h.length + junk.length);
      out.set(h.subarray(0, p));
      out.set(junk, p);
      out.set(h.subarray(p), p + junk.length);
      return out;
    }),
  ),
);

function reframeBytes(b: Uint8Array, f: (header: Uint8Array) => Uint8Array): Uint8Array {
  if (b.length < 8) return b;
  const n = Math.min(Number(headerLen(b)), b.length - 8);
  return build(f(b.subarray(8, 8 + n)), b.subarray(8 + n));
}
function reframe(b: Uint8Array, f: (header: string) => string): Uint8Array {
  return reframeBytes(b, (h) => enc.encode(f(new TextDecoder().decode(h).trimEnd())));
}

// ---- properties ---------------------------------------------------------------------------------

function run<T>(name: string, arb: fc.Arbitrary<T>, toBytes: (x: T) => Uint8Array, seed?: number) {
  const tally = { ok: 0, rejected: 0 };
  fc.assert(
    fc.property(arb, (x) => {
      tally[checkDecode(toBytes(x))]++;
    }),
    { numRuns: RUNS, seed },
  );
  if (process.env.ST_FUZZ_STATS) {
    console.log([...STATS].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join('\n'));
    STATS.clear();
  }
  console.log(`fuzz ${name}: ${tally.ok + tally.rejected} cases (${tally.ok} decoded, ${tally.rejected} rejected with safetensors: errors)`);
  return tally;
}

describe('safetensors fuzz', () => {
  it('valid files round-trip exactly', () => {
    let n = 0;
    fc.assert(
      fc.property(validArb, ({ tensors, metadata }) => {
        n++;
        const bytes = encodeSafetensors(tensors, metadata);
        expect(Number(headerLen(bytes)) % 8).toBe(0);
        const out = decodeSafetensors(bytes);
        expect(out.metadata).toEqual(metadata ?? {});
        expect(out.tensors.size).toBe(tensors.size);
        for (const [k, t] of tensors) assertSameTensor(out.tensors.get(k), t, k);
        assertSameBytes(encodeSafetensors(out.tensors, metadata === undefined ? undefined : out.metadata), bytes, 're-encoded file');
      }),
      { numRuns: RUNS },
    );
    console.log(`fuzz round-trip: ${n} cases`);
  });

  it('(a) random byte arrays', () => {
    run('random bytes', fc.uint8Array({ maxLength: 300 }), (b) => b);
    // random bytes behind a header length that fits, so they reach the UTF-8 / JSON checks
    const t = run('random bytes, plausible length', fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 300 }), fc.nat(300)),
      ([b, k]) => withHeaderLength(b, BigInt(Math.max(0, b.length - 8 - (k % (b.length - 7))))));
    expect(t.rejected).toBeGreaterThan(0);
  });

  it('(a) random JSON-ish headers', () => {
    const jsonChars = fc.constantFrom(...'{}[]":,0123456789-+.eE \\uabcdtrlsnFI_'.split(''), '"dtype"', '"shape"', '"data_offsets"', '"F32"', '"U8"', '[0,4]', '[4]');
    run('JSON-ish text', fc.tuple(fc.array(jsonChars, { maxLength: 60 }), fc.nat(8)), ([cs, n]) => build(cs.join(''), new Uint8Array(n)));
    run('fc.json headers', fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(8)), ([j, n]) => build(j, new Uint8Array(n)));
  });

  it('(b) hostile headers assembled from parts', () => {
    const t = run('hostile headers', hostileFileArb, (b) => b);
    expect(t.rejected).toBeGreaterThan(RUNS / 2);
    expect(t.ok).toBeGreaterThan(0);
  });

  it('(b) mutations of valid files', () => {
    const t = run('mutations', fc.tuple(validFileArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 })),
      ([b, ms]) => ms.reduce((acc, m) => m(acc), b));
    expect(t.rejected).toBeGreaterThan(RUNS / 2);
    expect(t.ok).toBeGreaterThan(0); // e.g. a flipped data byte is still a valid file
  });
});
