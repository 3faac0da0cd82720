// One-line progress output shared by the examples: a bar, then whatever fields the caller reports.
export function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '[' + '#'.repeat(filled) + '.'.repeat(width - filled) + ']';
}

export function epochLine(epoch: number, epochs: number, fields: Record<string, string | number>, unit = 'epoch'): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`);
  return `${unit} ${String(epoch).padStart(String(epochs).length)}/${epochs} ${bar(epoch / epochs)} ${parts.join('  ')}`;
}
