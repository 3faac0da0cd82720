// Printing tensors the way PyTorch does: tensor([[1.0000, 2.5000], ...], requires_grad=True).
import type { Tensor } from './tensor.js';

const EDGE = 3, THRESHOLD = 1000;

export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed>, shape=[${t.shape}])`;
  const vals = t.data();
  const isInt = t.dtype === 'int32';
  const summarize = vals.length > THRESHOLD;
  let finite = Array.from(vals).filter((v) => Number.isFinite(v));
  const allInts = finite.every((v) => Number.isInteger(v));
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.reduce((m, v) => (v !== 0 ? Math.min(m, Math.abs(v)) : m), Infinity);
  const sci = !isInt && !allInts && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || maxAbs / minAbs > 1e3 && maxAbs >= 1e4);
  const fmt = (v: number): string => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (isInt) return String(v);
    if (allInts && maxAbs < 1e8) return `${v}.`;
    return sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4);
  };
  const strs = Array.from(vals, fmt);
  const width = strs.reduce((m, s) => Math.max(m, s.length), 0);
  const pad = (s: string) => s.padStart(width);
  const indent = 'tensor('.length;
  const rec = (d: number, off: number): string => {
    if (t.ndim === 0) return strs[0];
    const n = t.shape[d];
    const step = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const idx = summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    if (d === t.ndim - 1) return '[' + idx.map((i) => (i < 0 ? '...' : pad(strs[off + i]))).join(', ') + ']';
    const sep = ',' + '\n'.repeat(t.ndim - 1 - d) + ' '.repeat(indent + d + 1);
    return '[' + idx.map((i) => (i < 0 ? '...' : rec(d + 1, off + i * step))).join(sep) + ']';
  };
  const extras: string[] = [];
  if (t.size === 0) extras.push(`size=(${t.shape.join(', ')})`);
  if (isInt) extras.push('dtype=int32');
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${rec(0, 0)}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
