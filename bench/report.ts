// Turning benchmark rows into a text table, same-run ratios against peers, and an SVG bar chart.
import type { Row } from './harness.js';

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * One table of every implementation: a peer's row carries the ratio of wasmgrad's speed to the
 * peer's in the same case (throughput ÷ throughput, or time ÷ time inverted: above 1, wasmgrad is
 * faster); a row that could not be measured (a peer not installed, or unable to run the case) says why.
 */
export function renderTable(rows: Row[]): string {
  // Peers measured after wasmgrad (another process) join their case's group: first appearance order.
  const order = new Map<string, number>();
  for (const r of rows) if (!order.has(`${r.workload}\u0000${r.case}`)) order.set(`${r.workload}\u0000${r.case}`, order.size);
  rows = rows.slice().sort((a, b) => order.get(`${a.workload}\u0000${a.case}`)! - order.get(`${b.workload}\u0000${b.case}`)!);
  const head = ['workload', 'case', 'implementation', 'median', 'min', 'max', 'unit', 'wasmgrad/peer'];
  const ratioOf = new Map<Row, number>();
  for (const r of ratios(rows)) ratioOf.set(r.row, r.ratio);
  const body = rows.map((r) => r.stats.runs
    ? [r.workload, r.case, r.impl, fmt(r.stats.median), fmt(r.stats.min), fmt(r.stats.max), r.metric, ratioOf.has(r) ? `${ratioOf.get(r)!.toFixed(2)}x` : '']
    : [r.workload, r.case, r.impl, 'not run', '', '', '', r.note ?? 'not measured']);
  // The last column is not padded: a not-run row's reason can be long.
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...body.map((b) => String(b[i]).length))));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => '-'.repeat((i === head.length - 1 ? head[i].length : w) + 2)).join('|') + '|';
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** For each workload/case: wasmgrad's best figure divided by each peer's (inverted for lower-is-better). */
export function ratios(rows: Row[]): { workload: string; case: string; peer: string; ratio: number; row: Row }[] {
  const out: { workload: string; case: string; peer: string; ratio: number; row: Row }[] = [];
  const groups = new Map<string, Row[]>();
  for (const r of rows) if (r.stats.runs) {
    const key = `${r.workload}\u0000${r.case}\u0000${r.metric}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const list of groups.values()) {
    const ours = list.filter((r) => r.impl.startsWith('wasmgrad'));
    if (!ours.length) continue;
    const best = ours.reduce((a, b) => ((a.higherIsBetter ? a.stats.median >= b.stats.median : a.stats.median <= b.stats.median) ? a : b));
    for (const peer of list.filter((r) => !r.impl.startsWith('wasmgrad'))) {
      const ratio = best.higherIsBetter ? best.stats.median / peer.stats.median : peer.stats.median / best.stats.median;
      out.push({ workload: best.workload, case: best.case, peer: peer.impl, ratio, row: peer });
    }
  }
  return out;
}

/** Below the table: how to read the ratio column, and thread scaling where one case ran on 1 and N threads. */
export function renderRatios(rows: Row[]): string {
  const parts: string[] = [];
  if (ratios(rows).length) parts.push('wasmgrad/peer: wasmgrad\'s best median in the case over the peer\'s (for times, the peer\'s over wasmgrad\'s); above 1x wasmgrad is faster.');
  // Rows of one case measured on 1 and on N threads (impl names ending in x1 / xN, same implementation).
  const scaling: string[] = [];
  const base = (impl: string) => impl.replace(/ x\d+$/, '');
  for (const one of rows.filter((r) => r.stats.runs && / x1$/.test(r.impl))) {
    for (const many of rows.filter((r) => r.stats.runs && r.case === one.case && r.workload === one.workload && / x([2-9]|\d\d+)$/.test(r.impl) && base(r.impl) === base(one.impl))) {
      scaling.push(`  ${one.workload} ${one.case}: ${many.impl.split(' x').pop()} threads ${(many.stats.median / one.stats.median).toFixed(2)}x one thread`);
    }
  }
  if (scaling.length) parts.push('thread scaling (same run, taking turns):\n' + scaling.join('\n'));
  return parts.join('\n\n');
}

export function renderSvg(rows: Row[], title: string): string {
  const data = rows.filter((r) => r.stats.runs);
  const groups = [...new Set(data.map((r) => `${r.workload} ${r.case} (${r.metric})`))];
  const barH = 16, gap = 10, left = 330, width = 900;
  let y = 50;
  const parts: string[] = [];
  for (const g of groups) {
    const list = data.filter((r) => `${r.workload} ${r.case} (${r.metric})` === g);
    const max = Math.max(...list.map((r) => r.stats.median));
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(g)}</text>`);
    y += 18;
    for (const r of list) {
      const w = Math.max(1, ((width - left - 90) * r.stats.median) / max);
      const color = r.impl.startsWith('wasmgrad') ? '#2b7bb9' : '#b0b0b0';
      parts.push(`<text x="20" y="${y + 12}">${esc(r.impl)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"/>`,
        `<text x="${left + w + 6}" y="${y + 12}">${fmt(r.stats.median)}${r.higherIsBetter ? '' : ' (lower is better)'}</text>`);
      y += barH + 4;
    }
    y += gap;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="12">` +
    `<text x="10" y="20" font-size="13">${esc(title.split('\n')[0])}</text><text x="10" y="36" font-size="11">${esc(title.split('\n')[1] ?? '')}</text>${parts.join('')}</svg>\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
