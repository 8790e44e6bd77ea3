/**
 * Part 3's tables as rows of cells (shared/formatTable.ts renders them for the console and for
 * BENCHMARKS.md, so that both always say the same), and its verdict lines.
 */
import type { Table } from '../shared/formatTable';
import type { Summary } from '../shared/summarize';
import { FLOOR_TARGET, type ApplyFigures } from './applyFigures';
import type { ProfileCosts } from './cpuProfileCosts';

const s = (ms: number) => (ms / 1000).toFixed(2);
const ms = (x: number) => x.toFixed(1);

/** The attach, wall time: the three sides, with their CPU time and against the floor. */
export function attachTable(f: ApplyFigures): Table {
  const { endpoints, parallel, rounds } = f.settings;
  const floor = f.wall['ip -batch'].median;
  const row = (label: string, x: Summary, cpu: Summary) => [
    label,
    s(x.median),
    `${s(x.min)}–${s(x.max)}`,
    ms(x.median / endpoints),
    ms(cpu.median),
    `${(x.median / floor).toFixed(2)}×`,
  ];
  return {
    header: [
      `${endpoints} endpoints, ${rounds} rounds (wall s)`,
      'median',
      'min–max',
      'ms/endpoint',
      'CPU ms/endpoint',
      '÷ floor',
    ],
    rows: [
      row(
        'Apply: one call, 1 network + the endpoints, gRPC → agent → kernel → reply',
        f.wall.Apply,
        f.cpuPerEndpoint.Apply,
      ),
      row(`CNI: macvlan ADD processes, ${parallel} in flight`, f.wall.CNI, f.cpuPerEndpoint.CNI),
      row(
        `floor: 1 \`ip -batch\` for the links, then 1 per container, ${parallel} in flight`,
        f.wall['ip -batch'],
        f.cpuPerEndpoint['ip -batch'],
      ),
    ],
  };
}

/** The detach, wall time. */
export function detachTable(f: ApplyFigures): Table {
  const { endpoints, parallel } = f.settings;
  const row = (label: string, x: Summary) => [
    label,
    s(x.median),
    `${s(x.min)}–${s(x.max)}`,
    ms(x.median / endpoints),
  ];
  return {
    header: [`detaching the ${endpoints} again (wall s)`, 'median', 'min–max', 'ms/endpoint'],
    rows: [
      row('Apply of the empty spec: every endpoint off, the network removed', f.detach.Apply),
      row(
        `ip: 1 \`ip -n <container> link del dev eth0\` per container, ${parallel} in flight`,
        f.detach['ip -batch'],
      ),
    ],
  };
}

/** Where the agent's thread spent one Apply of the endpoints, and one of the empty spec (profiled run). */
export function profileTable(f: ApplyFigures): Table {
  const { apply, clear } = f.profile;
  const cell = (c: ProfileCosts, x: number) => `${ms(x)} (${((100 * x) / c.windowMs).toFixed(0)} %)`;
  return {
    header: [
      "the agent's thread, profiled run (ms, % of the call)",
      `Apply of ${f.settings.endpoints}`,
      'empty spec',
    ],
    rows: [
      ['the whole call, as the benchmark timed it', ms(apply.windowMs), ms(clear.windowMs)],
      ...apply.rows.map((r, i) => [r.label, cell(apply, r.ms), cell(clear, clear.rows[i].ms)]),
    ],
  };
}

/** The functions that took the most time themselves in the profiled Apply of the endpoints. */
export function hottestTable(f: ApplyFigures): Table {
  const { apply } = f.profile;
  return {
    header: [`hottest functions, Apply of ${f.settings.endpoints} (self time)`, 'ms', '% of the call'],
    rows: apply.hottest.map((h) => [`\`${h.label}\``, ms(h.ms), ((100 * h.ms) / apply.windowMs).toFixed(0)]),
  };
}

/** The ratios, one line each, the target's first. */
export function verdictLines(f: ApplyFigures): string[] {
  const n = f.settings.endpoints;
  return [
    `one Apply of ${n} endpoints takes ${f.overFloor.toFixed(2)}× the ip -batch floor (medians; target ≤ ${FLOOR_TARGET}×): ` +
      `${f.met ? 'met' : 'NOT met'}`,
    `one Apply of ${n} endpoints takes ${f.overCni.toFixed(2)}× the time of ${n} CNI ADDs (${(1 / f.overCni).toFixed(1)}× as fast)`,
    `detaching them, the empty spec's Apply takes ${f.detachOverFloor.toFixed(2)}× the time of ${n} \`ip link del\` (no target)`,
  ];
}
