/**
 * A benchmark's table as rows of cells, and its two renderings: aligned text for the console and
 * markdown for BENCHMARKS.md, so that both always say the same.
 */

export type Table = { header: string[]; rows: string[][] };

/** A table as aligned text, for the console. */
export function formatText(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, c) => Math.max(...all.map((r) => [...r[c]].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(t.header), ...t.rows.map(line)].join('\n');
}

/** A table as markdown. */
export function formatMarkdown(t: Table): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const rule = `|${t.header.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(t.header), rule, ...t.rows.map(line)].join('\n');
}
