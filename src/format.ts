// Printing tensors the way PyTorch does (torch/_tensor_str.py with the default print options:
// precision 4, threshold 1000, edgeitems 3, linewidth 80):
// tensor([[1.0000, 2.5000], ...], requires_grad=True).
import type { Tensor } from './tensor.js';

const PRECISION = 4, THRESHOLD = 1000, EDGE = 3, LINEWIDTH = 80;
const INDENT = 'tensor('.length;

// Python's '{:.4e}': two-digit exponent at least.
function expStr(v: number): string {
  return v.toExponential(PRECISION).replace(/e([+-])(\d)$/, 'e$10$2');
}
function fixedStr(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return Object.is(v, -0) || (v < 0 && !s.startsWith('-')) ? '-' + s : s;
}

// torch's _Formatter: one width and style (int-like, fixed or scientific) for all printed values.
class Formatter {
  intMode = true;
  sciMode = false;
  width = 1;
  constructor(readonly isFloat: boolean, values: ArrayLike<number>) {
    if (!isFloat) {
      for (let i = 0; i < values.length; i++) this.width = Math.max(this.width, String(values[i]).length);
      return;
    }
    const nz = Array.from(values).filter((v) => Number.isFinite(v) && v !== 0);
    if (!nz.length) return;
    const abs = nz.map(Math.abs);
    const min = Math.min(...abs), max = Math.max(...abs);
    this.intMode = nz.every((v) => Number.isInteger(v));
    if (this.intMode) {
      this.sciMode = max / min > 1000 || max > 1e8;
      for (const v of nz) this.width = Math.max(this.width, this.sciMode ? expStr(v).length : fixedStr(v, 0).length + 1);
    } else {
      this.sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
      for (const v of nz) this.width = Math.max(this.width, (this.sciMode ? expStr(v) : fixedStr(v, PRECISION)).length);
    }
  }
  format(v: number): string {
    let s: string;
    if (!this.isFloat) s = String(v);
    else if (Number.isNaN(v)) s = 'nan';
    else if (!Number.isFinite(v)) s = v > 0 ? 'inf' : '-inf';
    else if (this.sciMode) s = expStr(v);
    else if (this.intMode) s = fixedStr(v, 0) + '.';
    else s = fixedStr(v, PRECISION);
    return s.padStart(this.width);
  }
}

// The indices printed along a dim of size n: all, or the edges around an ellipsis (-1).
function shown(n: number, summarize: boolean): number[] {
  if (summarize && n > 2 * EDGE) return [0, 1, 2, -1, n - 3, n - 2, n - 1];
  return [...Array(n).keys()];
}

export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed>, shape=[${t.shape}])`;
  const vals = t.data();
  const isFloat = t.dtype === 'float32';
  const summarize = vals.length > THRESHOLD;
  const shape = t.shape;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));

  // Widths come from the printed values only (torch's get_summarized_data).
  const printed: number[] = [];
  const collect = (d: number, off: number): void => {
    if (d === shape.length) { printed.push(vals[off]); return; }
    for (const i of shown(shape[d], summarize)) if (i >= 0) collect(d + 1, off + i * strides[d]);
  };
  collect(0, 0);
  const fmt = new Formatter(isFloat, printed);

  const vector = (off: number, indent: number): string => {
    const n = shape[shape.length - 1];
    const items = shown(n, summarize).map((i) => (i < 0 ? ' ...' : fmt.format(vals[off + i])));
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (fmt.width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
  };
  const rec = (d: number, off: number, indent: number): string => {
    if (d === shape.length - 1) return vector(off, indent);
    const parts = shown(shape[d], summarize).map((i) => (i < 0 ? '...' : rec(d + 1, off + i * strides[d], indent + 1)));
    return '[' + parts.join(',' + '\n'.repeat(shape.length - 1 - d) + ' '.repeat(indent + 1)) + ']';
  };
  let body: string;
  if (t.numel() === 0) body = '[]';
  else if (t.ndim === 0) body = fmt.format(vals[0]).trim();
  else body = rec(0, 0, INDENT);

  const suffixes: string[] = [];
  if (t.numel() === 0 && t.ndim !== 1) suffixes.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
  if (!isFloat) suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  // Suffixes go on the last line while it stays within the line width (torch's _add_suffixes).
  let out = 'tensor(' + body;
  let lastLine = out.length - out.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) { out += ',\n' + ' '.repeat(INDENT) + s; lastLine = INDENT + s.length; }
    else { out += ', ' + s; lastLine += s.length + 2; }
  }
  return out + ')';
}
