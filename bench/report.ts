// Turning benchmark rows into a text table, same-run ratios against peers, and an SVG bar chart.
import type { Row } from './harness.js';

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function renderTable(rows: Row[]): string {
  const head = ['workload', 'case', 'implementation', 'median', 'min', 'max', 'unit'];
  const measured = rows.filter((r) => r.stats.runs);
  const body = measured.map((r) => [r.workload, r.case, r.impl, fmt(r.stats.median), fmt(r.stats.min), fmt(r.stats.max), r.metric]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  // Rows that could not be measured (a peer that cannot run a workload) are notes under the table.
  const notes = rows.filter((r) => !r.stats.runs).map((r) => `note: ${r.workload} ${r.case}, ${r.impl}: ${r.note ?? 'not measured'}`);
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** For each workload/case: wasmgrad's best figure divided by each peer's (inverted for lower-is-better). */
export function ratios(rows: Row[]): { workload: string; case: string; peer: string; ratio: number }[] {
  const out: { workload: string; case: string; peer: string; ratio: number }[] = [];
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
      out.push({ workload: best.workload, case: best.case, peer: peer.impl, ratio });
    }
  }
  return out;
}

export function renderRatios(rows: Row[]): string {
  const list = ratios(rows);
  const parts: string[] = [];
  if (list.length) parts.push('speed-up of wasmgrad over peers (same run):\n' + list.map((r) => `  ${r.workload} ${r.case}: ${r.ratio.toFixed(2)}x vs ${r.peer}`).join('\n'));
  // Rows of one case measured on 1 and on N threads (impl names ending in x1 / xN).
  const scaling: string[] = [];
  for (const one of rows.filter((r) => r.stats.runs && / x1$/.test(r.impl))) {
    for (const many of rows.filter((r) => r.stats.runs && r.case === one.case && r.workload === one.workload && / x([2-9]|\d\d+)$/.test(r.impl))) {
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
