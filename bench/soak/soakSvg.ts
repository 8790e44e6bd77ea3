/**
 * The soak's plot, as a small hand-written SVG (a polyline per series; no charting library is worth a
 * dependency for three lines): one panel each for the agent's RSS, its open descriptors and its child
 * processes over the run, with the least-squares line of the second half dashed over it.
 */
import type { SoakSample } from './SoakSampler';
import type { Trend } from './trend';

const WIDTH = 760;
const PANEL = 150;
const LEFT = 64;
const RIGHT = 16;
const TOP = 36;
const GAP = 44;

interface Panel {
  title: string;
  unit: string;
  values: number[];
  trend: Trend;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panelSvg(p: Panel, times: number[], top: number): string {
  const end = Math.max(times.at(-1) ?? 1, 1);
  const lo = Math.min(...p.values);
  const hi = Math.max(...p.values);
  const pad = Math.max((hi - lo) * 0.1, 1);
  const [y0, y1] = [Math.max(0, lo - pad), hi + pad];
  const x = (t: number) => LEFT + ((WIDTH - LEFT - RIGHT) * t) / end;
  const y = (v: number) => top + PANEL - (PANEL * (v - y0)) / (y1 - y0);
  const points = p.values.map((v, i) => `${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const fit = (t: number) => p.trend.intercept + (p.trend.slopePerMin / 60) * t;
  const minutes = Math.floor(end / 60);
  const step = Math.max(1, Math.ceil(minutes / 10));
  const ticks = Array.from({ length: Math.floor(minutes / step) + 1 }, (_, i) => i * step * 60);
  const verdict = p.trend.flat ? 'flat' : 'NOT flat';
  return [
    `<text x="${LEFT}" y="${top - 8}" font-weight="bold">${esc(p.title)} (${esc(p.unit)}): ${verdict}, ` +
      `${p.trend.slopePerMin.toFixed(3)} ${esc(p.unit)}/min over the second half</text>`,
    `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#999"/>`,
    `<rect x="${x(p.trend.from).toFixed(1)}" y="${top}" width="${(x(p.trend.to) - x(p.trend.from)).toFixed(1)}" height="${PANEL}" fill="#f2f2f2"/>`,
    ...[y0, (y0 + y1) / 2, y1].map(
      (v) =>
        `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>`,
    ),
    ...ticks.map(
      (t) => `<text x="${x(t).toFixed(1)}" y="${top + PANEL + 14}" text-anchor="middle">${t / 60}</text>`,
    ),
    `<polyline fill="none" stroke="#1f5fa8" stroke-width="1.2" points="${points}"/>`,
    `<line x1="${x(p.trend.from).toFixed(1)}" y1="${y(fit(p.trend.from)).toFixed(1)}" x2="${x(p.trend.to).toFixed(1)}" ` +
      `y2="${y(fit(p.trend.to)).toFixed(1)}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  ].join('\n');
}

/** The plot of `samples`, with the trends fitted to each series. */
export function soakSvg(
  samples: SoakSample[],
  trends: { rss: Trend; fds: Trend; children: Trend },
  caption: string,
): string {
  const times = samples.map((s) => s.t);
  const panels: Panel[] = [
    { title: 'agent RSS', unit: 'MiB', values: samples.map((s) => s.rssMiB), trend: trends.rss },
    { title: 'open file descriptors', unit: 'fds', values: samples.map((s) => s.fds), trend: trends.fds },
    {
      title: 'child processes',
      unit: 'processes',
      values: samples.map((s) => s.children),
      trend: trends.children,
    },
  ];
  const height = TOP + panels.length * (PANEL + GAP) + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="16" font-size="12">${esc(caption)}</text>`,
    ...panels.map((p, i) => panelSvg(p, times, TOP + 14 + i * (PANEL + GAP))),
    `<text x="${WIDTH - RIGHT}" y="${height - 4}" text-anchor="end">minutes; shaded: the half fitted (dashed)</text>`,
    '</svg>',
    '',
  ].join('\n');
}
