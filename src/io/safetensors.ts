// safetensors reader/writer. Pure TypeScript: no dependency on the rest of wasmgrad.
//
// File layout (https://github.com/huggingface/safetensors):
//   8 bytes   N, little-endian u64: the header length
//   N bytes   UTF-8 JSON object, may be padded at the end with spaces:
//               { "__metadata__"?: {string: string},
//                 "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ... }
//   rest      the byte buffer; offsets are relative to its start; tensors are little-endian, row-major.
//
// The decoder is a security boundary (files come from the internet). It validates every header field
// before allocating or reading anything sized by it, never allocates more than the input's size,
// runs in time linear in the input (plus a sort of the tensor list), and every failure is an Error
// whose message starts with "safetensors:".

export type DType = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface RawTensor {
  dtype: DType;
  shape: number[];
  /** little-endian bytes, row-major; a copy owned by this object */
  data: Uint8Array;
}

export interface TensorInput {
  dtype: DType;
  shape: number[];
  /** little-endian bytes (a Uint8Array / DataView), or a typed array of the host's endianness */
  data: ArrayBufferView;
}

/** Where one tensor lives in a file, as read from its header (see readSafetensorsHeader). */
export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** byte offsets relative to the start of the data buffer (= dataStart in the file) */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** N, the length of the JSON header in bytes */
  headerLength: number;
  /** 8 + N: file offset of the data buffer */
  dataStart: number;
  /** in the order they appear in the header JSON */
  entries: TensorEntry[];
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`safetensors: ${message}`, options);
    this.name = 'SafetensorsError';
  }
}

const fail = (message: string): never => {
  throw new SafetensorsError(message);
};

/** Bytes per element of each supported dtype. */
export const DTYPE_SIZES: Readonly<Record<DType, number>> = Object.freeze({
  F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1,
});

// dtypes the safetensors format defines but wasmgrad does not read (clearer error than "unknown")
const UNSUPPORTED_DTYPES = new Set(['U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64']);

/** The default (and the official implementation's) limit on the header length: 100 MB. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

const isDType = (s: string): s is DType => Object.prototype.hasOwnProperty.call(DTYPE_SIZES, s);

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Short, bounded rendering of an untrusted string or value for error messages. */
function show(x: unknown, max = 64): string {
  let s: string;
  try {
    s = typeof x === 'string' ? JSON.stringify(x) : x instanceof JNum ? x.text : Array.isArray(x) ? '[array]' : x instanceof Map ? '{object}' : String(x);
  } catch {
    s = '?';
  }
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}

// ------------------------------------------------------------------------------------------------
// Strict JSON parser (RFC 8259). Reasons not to use JSON.parse: it silently keeps the last of
// duplicate keys, cannot tell 2 from 2.0 or 2e0, treats "__proto__" specially in some consumers,
// and its errors are SyntaxErrors. Objects become Maps (no prototype pitfalls), numbers keep their
// source text. Linear time; nesting depth is bounded so recursion cannot overflow the stack.

class JNum {
  constructor(readonly text: string, readonly value: number) {}
}
type JValue = null | boolean | string | number | JNum | JValue[] | Map<string, JValue>;

const MAX_JSON_DEPTH = 64;
const INT_TEXT = /^(?:0|[1-9][0-9]*)$/;

class JsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private err(what: string, at = this.i): never {
    return fail(`invalid header JSON: ${what} at character ${at}`);
  }

  parseDocument(): JValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.err(`unexpected ${show(this.s[this.i])} after the JSON value`);
    return v;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
    this.i = i;
  }

  private value(depth: number): JValue {
    this.ws();
    const s = this.s;
    if (this.i >= s.length) this.err('unexpected end of input');
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: return this.object(depth + 1);
      case 0x5b: return this.array(depth + 1);
      case 0x22: return this.string();
      case 0x74: return this.literal('true', true);
      case 0x66: return this.literal('false', false);
      case 0x6e: return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.err(`unexpected character ${show(s[this.i])}`);
    }
  }

  private literal<T extends JValue>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.err('invalid literal');
  }

  private object(depth: number): Map<string, JValue> {
    if (depth > MAX_JSON_DEPTH) this.err(`nesting deeper than ${MAX_JSON_DEPTH}`);
    const start = this.i;
    this.i++; // {
    const m = new Map<string, JValue>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return m;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.err('expected a string key');
      const keyAt = this.i;
      const key = this.string();
      if (m.has(key)) this.err(`duplicate key ${show(key)} in the object starting at character ${start}`, keyAt);
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.err("expected ':'");
      this.i++;
      m.set(key, this.value(depth));
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 0x2c) continue;
      if (c === 0x7d) return m;
      this.err("expected ',' or '}'", this.i - 1);
    }
  }

  private array(depth: number): JValue[] {
    if (depth > MAX_JSON_DEPTH) this.err(`nesting deeper than ${MAX_JSON_DEPTH}`);
    this.i++; // [
    const a: JValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return a;
    }
    for (;;) {
      a.push(this.value(depth));
      this.ws();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return a;
      this.err("expected ',' or ']'", this.i - 1);
    }
  }

  private hex4(at: number): number {
    const s = this.s;
    if (at + 4 > s.length) this.err('truncated \\u escape', at);
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(at + k);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) this.err('invalid \\u escape', at);
      v = (v << 4) | d;
    }
    return v;
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1; // after the opening quote
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= s.length) this.err('unterminated string', this.i);
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(runStart, i);
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) this.err('unescaped control character in string', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(runStart, i);
      const e = s.charCodeAt(i + 1);
      switch (e) {
        case 0x22: out += '"'; i += 2; break;
        case 0x5c: out += '\\'; i += 2; break;
        case 0x2f: out += '/'; i += 2; break;
        case 0x62: out += '\b'; i += 2; break;
        case 0x66: out += '\f'; i += 2; break;
        case 0x6e: out += '\n'; i += 2; break;
        case 0x72: out += '\r'; i += 2; break;
        case 0x74: out += '\t'; i += 2; break;
        case 0x75: {
          const u = this.hex4(i + 2);
          i += 6;
          if (u >= 0xdc00 && u <= 0xdfff) this.err('lone low surrogate in \\u escape', i - 6);
          if (u >= 0xd800 && u <= 0xdbff) {
            // must be followed by an escaped low surrogate (a Rust String cannot hold a lone one)
            if (s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75) this.err('lone high surrogate in \\u escape', i - 6);
            const lo = this.hex4(i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) this.err('lone high surrogate in \\u escape', i - 6);
            i += 6;
            out += String.fromCharCode(u, lo);
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          this.err('invalid escape in string', i);
      }
      runStart = i;
    }
  }

  /**
   * Plain non-negative integers of up to 15 digits (all that valid headers contain) become JS numbers
   * without allocating; anything else keeps its source text in a JNum.
   */
  private number(): number | JNum {
    const s = this.s;
    const start = this.i;
    let i = start;
    let simple = true;
    let value = 0;
    const digits = (): number => {
      const from = i;
      while (i < s.length) {
        const c = s.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        if (simple) value = value * 10 + (c - 0x30);
        i++;
      }
      return i - from;
    };
    if (s.charCodeAt(i) === 0x2d) {
      simple = false;
      i++;
    }
    if (s.charCodeAt(i) === 0x30) i++;
    else if (digits() === 0) this.err('invalid number', start);
    if (s.charCodeAt(i) === 0x2e) {
      simple = false;
      i++;
      if (digits() === 0) this.err('invalid number', start);
    }
    const c = s.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      simple = false;
      i++;
      const sg = s.charCodeAt(i);
      if (sg === 0x2b || sg === 0x2d) i++;
      if (digits() === 0) this.err('invalid number', start);
    }
    this.i = i;
    if (simple && i - start <= 15) return value;
    const text = s.slice(start, i);
    return new JNum(text, Number(text));
  }
}

// ------------------------------------------------------------------------------------------------
// Decoding

/** A non-negative integer field: integer text (no sign, fraction or exponent) and a safe integer. */
function uintField(v: JValue, what: () => string): number {
  if (typeof v === 'number') return v; // the parser's plain-integer fast path: at most 15 digits, exact
  if (!(v instanceof JNum) || !INT_TEXT.test(v.text) || !Number.isSafeInteger(v.value)) {
    return fail(`${what()} must be a non-negative integer below 2^53, got ${show(v)}`);
  }
  return v.value;
}

function shapeText(shape: number[]): string {
  return shape.length > 16 ? `[${shape.slice(0, 16).join(', ')}, …(${shape.length} dims)]` : `[${shape.join(', ')}]`;
}

/** Exact byte size of shape x itemsize, as a string, for error messages only. */
function exactBytes(shape: number[], itemsize: number): string {
  if (shape.length > 64) return 'an enormous number of';
  let p = BigInt(itemsize);
  for (const d of shape) p *= BigInt(d);
  return p.toString();
}

function headerFromBytes(bytes: Uint8Array, maxHeaderBytes: number): SafetensorsHeader {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // may be inexact above 2^53, but then it is over every limit anyway
  const nText = () => dv.getBigUint64(0, true).toString();
  if (n > maxHeaderBytes) fail(`header length ${nText()} exceeds the limit of ${maxHeaderBytes} bytes (maxHeaderBytes)`);
  if (n > bytes.length - 8) fail(`header length ${nText()} exceeds the ${bytes.length - 8} bytes that follow it in the file`);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  const dataStart = 8 + n;
  const bufferLength = bytes.length - dataStart;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (text.charCodeAt(0) !== 0x7b) fail(`header must start with '{', got ${show(text[0])}`);
  const root = new JsonParser(text).parseDocument();
  if (!(root instanceof Map)) return fail('header JSON is not an object');

  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of root) {
    if (name === METADATA_KEY) {
      if (!(v instanceof Map)) fail(`"__metadata__" must be an object of strings, got ${show(v)}`);
      const m = v as Map<string, JValue>;
      for (const [k, val] of m) {
        if (typeof val !== 'string') fail(`metadata value for key ${show(k)} must be a string, got ${show(val)}`);
      }
      // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key
      metadata = Object.fromEntries(m as Map<string, string>);
      continue;
    }
    let whatText: string | undefined;
    const what = () => (whatText ??= `tensor ${show(name)}`);
    if (!(v instanceof Map)) return fail(`${what()}: entry must be an object {dtype, shape, data_offsets}, got ${show(v)}`);
    const dt = v.get('dtype');
    const sh = v.get('shape');
    const off = v.get('data_offsets');
    if (dt === undefined || sh === undefined || off === undefined) {
      const missing = ['dtype', 'shape', 'data_offsets'].filter((k) => !v.has(k));
      fail(`${what()}: missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    }
    if (typeof dt !== 'string') return fail(`${what()}: dtype must be a string, got ${show(dt)}`);
    if (!isDType(dt)) {
      return fail(UNSUPPORTED_DTYPES.has(dt)
        ? `${what()}: dtype ${show(dt)} is not supported (supported: ${Object.keys(DTYPE_SIZES).join(', ')})`
        : `${what()}: unknown dtype ${show(dt)} (expected one of ${Object.keys(DTYPE_SIZES).join(', ')})`);
    }
    if (!Array.isArray(sh)) return fail(`${what()}: shape must be an array, got ${show(sh)}`);
    const shape = sh.map((d, k) => uintField(d, () => `${what()}: shape[${k}]`));
    if (!Array.isArray(off) || off.length !== 2) {
      return fail(`${what()}: data_offsets must be an array [begin, end], got ${Array.isArray(off) ? `an array of length ${off.length}` : show(off)}`);
    }
    const begin = uintField(off[0], () => `${what()}: data_offsets[0]`);
    const end = uintField(off[1], () => `${what()}: data_offsets[1]`);
    if (begin > end) fail(`${what()}: data_offsets [${begin}, ${end}] has begin > end`);
    if (end > bufferLength) fail(`${what()}: data_offsets [${begin}, ${end}] reach past the end of the ${bufferLength}-byte data buffer`);
    const span = end - begin;
    const itemsize = DTYPE_SIZES[dt];
    // element count, stopping as soon as it provably exceeds the span (no overflow, no BigInt)
    let numel = shape.includes(0) ? 0 : 1;
    for (let k = 0; k < shape.length && numel !== 0 && numel <= span; k++) numel *= shape[k];
    if (numel > span || numel * itemsize !== span) {
      fail(`${what()}: shape ${shapeText(shape)} of ${dt} needs ${exactBytes(shape, itemsize)} bytes but data_offsets [${begin}, ${end}] span ${span}`);
    }
    entries.push({ name, dtype: dt, shape, begin, end });
  }

  // The tensors must tile the buffer exactly: no overlaps, no holes, nothing left over.
  const order = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev: TensorEntry | undefined;
  for (const e of order) {
    if (e.begin < cursor) {
      fail(`tensor ${show(e.name)} data_offsets [${e.begin}, ${e.end}] overlap tensor ${show(prev!.name)} [${prev!.begin}, ${prev!.end}]`);
    }
    if (e.begin > cursor) {
      fail(`hole in the data buffer: bytes [${cursor}, ${e.begin}) belong to no tensor (next is ${show(e.name)} at [${e.begin}, ${e.end}])`);
    }
    cursor = e.end;
    prev = e;
  }
  if (cursor !== bufferLength) {
    fail(`the data buffer is ${bufferLength} bytes but the tensors cover only [0, ${cursor}): ${bufferLength - cursor} trailing bytes`);
  }
  return { headerLength: n, dataStart, entries, metadata };
}

function checkMaxHeader(opts: { maxHeaderBytes?: number } | undefined): number {
  // The one option; anything else is a mistake to report, not to ignore (as src/options.ts does elsewhere).
  for (const key of Object.keys(opts ?? {})) {
    if (key !== 'maxHeaderBytes') fail(`unknown option '${key}' (${key === 'max_header_bytes' ? "did you mean 'maxHeaderBytes'? options are camelCase" : 'expected maxHeaderBytes'})`);
  }
  const m = opts?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(m) || m < 0) fail(`maxHeaderBytes must be a non-negative integer, got ${show(m)}`);
  return m;
}

function checkInput(bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name ?? 'object' : typeof bytes}`);
  return bytes as Uint8Array;
}

/** Runs fn, turning any exception that is not already a safetensors error into one. */
function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(`${what} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : show(e)}`, { cause: e });
  }
}

/**
 * Parses and fully validates a file's header without copying any tensor data. Useful to inspect a
 * file or load tensors lazily: tensor `e`'s bytes are bytes[dataStart + e.begin, dataStart + e.end).
 */
export function readSafetensorsHeader(bytes: Uint8Array, opts?: { maxHeaderBytes?: number }): SafetensorsHeader {
  return guarded('reading the header', () => headerFromBytes(checkInput(bytes), checkMaxHeader(opts)));
}

/**
 * Decodes a safetensors file. Throws a SafetensorsError (message "safetensors: ...") on anything
 * malformed. Tensors are in header order; each `data` is a fresh copy.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  opts?: { maxHeaderBytes?: number },
): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  return guarded('decoding', () => {
    const input = checkInput(bytes);
    const h = headerFromBytes(input, checkMaxHeader(opts));
    const tensors = new Map<string, RawTensor>();
    for (const e of h.entries) {
      // copy via set(): a Node Buffer's slice() would return a view, not a copy
      const data = new Uint8Array(e.end - e.begin);
      data.set(input.subarray(h.dataStart + e.begin, h.dataStart + e.end));
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
    }
    return { tensors, metadata: h.metadata };
  });
}

// ------------------------------------------------------------------------------------------------
// Encoding

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape)) return fail(`${what}: shape must be an array of non-negative integers, got ${show(shape)}`);
  shape.forEach((d, k) => {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${what}: shape[${k}] must be a non-negative safe integer, got ${show(d)}`);
  });
  return (shape as number[]).map((d) => d + 0); // normalises -0
}

function numelOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Deterministic: names are
 * sorted (UTF-16 code-unit order), data is laid out in that order, the buffer starts 8-byte aligned.
 */
export function encodeSafetensors(
  tensors: Record<string, TensorInput> | Map<string, TensorInput>,
  metadata?: Record<string, string>,
): Uint8Array {
  return guarded('encoding', () => {
    if (tensors === null || typeof tensors !== 'object') fail(`expected an object of tensors, got ${show(tensors)}`);
    const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
    list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    const header: string[] = [];
    if (metadata !== undefined) {
      if (metadata === null || typeof metadata !== 'object') fail(`metadata must be an object of strings, got ${show(metadata)}`);
      const md = Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const parts = md.map(([k, v]) => {
        if (typeof v !== 'string') fail(`metadata value for key ${show(k)} must be a string, got ${show(typeof v)}`);
        if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) fail(`metadata entry ${show(k)} contains a lone surrogate (not encodable as UTF-8)`);
        return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      });
      header.push(`"${METADATA_KEY}":{${parts.join(',')}}`);
    }

    const views: Uint8Array[] = [];
    let offset = 0;
    for (const [name, t] of list) {
      const what = `tensor ${show(name)}`;
      if (name === METADATA_KEY) fail(`a tensor cannot be named "${METADATA_KEY}"`);
      if (LONE_SURROGATE.test(name)) fail(`${what}: name contains a lone surrogate (not encodable as UTF-8)`);
      if (t === null || typeof t !== 'object') fail(`${what}: expected {dtype, shape, data}, got ${show(t)}`);
      if (typeof t.dtype !== 'string' || !isDType(t.dtype)) fail(`${what}: unknown dtype ${show(t.dtype)} (expected one of ${Object.keys(DTYPE_SIZES).join(', ')})`);
      const shape = checkShape(t.shape, what);
      if (!ArrayBuffer.isView(t.data)) fail(`${what}: data must be a typed array, DataView or Uint8Array of bytes`);
      const itemsize = DTYPE_SIZES[t.dtype];
      const nbytes = numelOf(shape) * itemsize;
      if (t.data.byteLength !== nbytes) {
        fail(`${what}: shape ${shapeText(shape)} of ${t.dtype} needs ${exactBytes(shape, itemsize)} bytes but data has ${t.data.byteLength}`);
      }
      let bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const elementSize = (t.data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      if (!HOST_LITTLE_ENDIAN && elementSize > 1) bytes = swapBytes(bytes, elementSize);
      views.push(bytes);
      header.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${offset + nbytes}]}`);
      offset += nbytes;
    }

    const json = new TextEncoder().encode(`{${header.join(',')}}`);
    const n = Math.ceil(json.length / 8) * 8; // pad so the data buffer starts 8-byte aligned
    const out = new Uint8Array(8 + n + offset);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, n % 2 ** 32, true);
    dv.setUint32(4, Math.floor(n / 2 ** 32), true);
    out.set(json, 8);
    out.fill(0x20, 8 + json.length, 8 + n);
    let at = 8 + n;
    for (const v of views) {
      out.set(v, at);
      at += v.length;
    }
    return out;
  });
}

function swapBytes(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += size) for (let k = 0; k < size; k++) out[i + k] = src[i + size - 1 - k];
  return out;
}

// ------------------------------------------------------------------------------------------------
// Conversions

function checkRaw(t: RawTensor, fn: string): number {
  if (t === null || typeof t !== 'object') return fail(`${fn}: expected a RawTensor, got ${show(t)}`);
  if (typeof t.dtype !== 'string' || !isDType(t.dtype)) return fail(`${fn}: unknown dtype ${show(t.dtype)}`);
  if (!(t.data instanceof Uint8Array)) return fail(`${fn}: data must be a Uint8Array`);
  const shape = checkShape(t.shape, fn);
  const n = numelOf(shape);
  if (n * DTYPE_SIZES[t.dtype] !== t.data.length) {
    fail(`${fn}: shape ${shapeText(shape)} of ${t.dtype} needs ${exactBytes(shape, DTYPE_SIZES[t.dtype])} bytes but data has ${t.data.length}`);
  }
  return n;
}

/** An aligned copy of the bytes (so they can be viewed as any typed array). */
function alignedCopy(b: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(b.length);
  new Uint8Array(buf).set(b);
  return buf;
}

/** The little-endian int32 at byte p (also each half of an I64). */
function int32At(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

/**
 * Decodes the integer dtypes both converters treat alike (I32, I16, I8, U8, BOOL) into `out`;
 * false for any other dtype. A Float32Array rounds I32 to nearest; the rest are exact in either.
 */
function decodeSmallInts(dtype: DType, b: Uint8Array, n: number, out: Float32Array | Int32Array): boolean {
  switch (dtype) {
    case 'I32':
      if (HOST_LITTLE_ENDIAN) out.set(new Int32Array(alignedCopy(b)));
      else for (let i = 0; i < n; i++) out[i] = int32At(b, 4 * i);
      return true;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = ((b[2 * i] | (b[2 * i + 1] << 8)) << 16) >> 16;
      return true;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = (b[i] << 24) >> 24;
      return true;
    case 'U8':
      out.set(b);
      return true;
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = b[i] !== 0 ? 1 : 0;
      return true;
  }
  return false;
}

/** Rounds an int64 (hi signed 32 bits, lo unsigned 32 bits) to the nearest float32, ties to even. */
function i64ToF32(hi: number, lo: number): number {
  const v = hi * 4294967296 + lo;
  if (Math.abs(v) < 2 ** 53) return v; // exact in a double; storing into a Float32Array rounds once
  // Beyond 2^53 the double above was already rounded: round to odd at 26 bits, then once to f32.
  let a = (BigInt(hi) << 32n) | BigInt(lo);
  const neg = a < 0n;
  if (neg) a = -a;
  const shift = BigInt(a.toString(2).length - 26);
  let top = a >> shift;
  if ((top << shift) !== a) top |= 1n;
  const r = Number(top) * 2 ** Number(shift);
  return neg ? -r : r;
}

/**
 * Converts any supported dtype to float32 (F64, I32 and I64 round to nearest; F16 and BF16 are exact;
 * BOOL is 0 or 1 (any non-zero byte is true)).
 */
export function toFloat32(t: RawTensor): Float32Array {
  return guarded('toFloat32', () => {
    const n = checkRaw(t, 'toFloat32');
    const b = t.data;
    if (t.dtype === 'F32' && HOST_LITTLE_ENDIAN) return new Float32Array(alignedCopy(b));
    const out = new Float32Array(n);
    if (decodeSmallInts(t.dtype, b, n, out)) return out;
    switch (t.dtype) {
      case 'F32':
        { const dv = new DataView(b.buffer, b.byteOffset, b.byteLength); for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true); }
        break;
      case 'F64':
        if (HOST_LITTLE_ENDIAN) out.set(new Float64Array(alignedCopy(b)));
        else { const dv = new DataView(b.buffer, b.byteOffset, b.byteLength); for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true); }
        break;
      case 'F16': {
        const bits = new Uint32Array(out.buffer); // same host endianness as out: writes the float's bits
        for (let i = 0; i < n; i++) bits[i] = f16BitsToF32Bits(b[2 * i] | (b[2 * i + 1] << 8));
        break;
      }
      case 'BF16': {
        const bits = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) bits[i] = ((b[2 * i] << 16) | (b[2 * i + 1] << 24)) >>> 0;
        break;
      }
      case 'I64':
        for (let i = 0, p = 0; i < n; i++, p += 8) {
          out[i] = i64ToF32(int32At(b, p + 4), int32At(b, p) >>> 0);
        }
        break;
    }
    return out;
  });
}

/** IEEE binary16 bits -> binary32 bits (exact; NaN payloads kept). */
function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  let m = h & 0x3ff;
  if (e === 0x1f) return (sign | 0x7f800000 | (m << 13)) >>> 0;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  // subnormal half: normalise
  let ex = 113;
  while ((m & 0x400) === 0) {
    m <<= 1;
    ex--;
  }
  return (sign | (ex << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/**
 * Converts an integer tensor (I64, I32, I16, I8, U8, BOOL) to int32, e.g. for class-index targets.
 * I64 values outside the int32 range are an error; float dtypes are an error.
 */
export function toInt32(t: RawTensor): Int32Array {
  return guarded('toInt32', () => {
    const n = checkRaw(t, 'toInt32');
    const b = t.data;
    const out = new Int32Array(n);
    if (decodeSmallInts(t.dtype, b, n, out)) return out;
    switch (t.dtype) {
      case 'I64':
        for (let i = 0, p = 0; i < n; i++, p += 8) {
          const lo = int32At(b, p), hi = int32At(b, p + 4);
          // in range iff the high word is the sign extension of the low word
          if (hi !== lo >> 31) {
            const v = new DataView(b.buffer, b.byteOffset + p, 8).getBigInt64(0, true);
            fail(`toInt32: element ${i} of an I64 tensor of shape ${shapeText(t.shape)} is ${v}, outside the int32 range [-2147483648, 2147483647]`);
          }
          out[i] = lo;
        }
        break;
      default:
        fail(`toInt32: expected an integer dtype (I64, I32, I16, I8, U8, BOOL), got ${t.dtype}; use toFloat32`);
    }
    return out;
  });
}
