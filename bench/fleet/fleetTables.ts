/** The fleet benchmark's tables, for the console and BENCHMARKS.md alike (shared/formatTable.ts). */
import { formatText, type Table } from '../shared/formatTable';
import type { Summary } from '../shared/summarize';
import type { ClientProfile } from './clientProfile';
import type { FleetFigures, KindFigures, SimulatedFigures } from './fleetFigures';
import type { RolloutKind } from './runRounds';

const s = (ms: number) => (ms / 1000).toFixed(2);
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pct = (f: number) => `${Math.round(f * 100)}%`;
const spread = (x: Summary) => `${s(x.min)}–${s(x.max)}`;
const perHost = (x: Summary) => `${ms(x.median)} / ${ms(x.max)}`;

/** Part 1: each fleet size's rollout and removal, how each compares with the smallest fleet, and its CPU. */
export function realTable(f: NonNullable<FleetFigures['real']>): Table {
  const [first] = f.sizes;
  return {
    header: [
      'real agents',
      'apply s (median)',
      'min–max',
      '× smallest',
      'remove s',
      'min–max',
      '× smallest',
      'CPU s (all / client)',
      'CPU busy',
    ],
    rows: f.sizes.map((z) => [
      String(z.hosts),
      s(z.apply.ms.median),
      spread(z.apply.ms),
      `${(z.apply.ms.median / first.apply.ms.median).toFixed(1)}×`,
      s(z.remove.ms.median),
      spread(z.remove.ms),
      `${(z.remove.ms.median / first.remove.ms.median).toFixed(1)}×`,
      `${s(z.apply.cpuMs)} / ${s(z.apply.clientCpuMs)}`,
      pct(z.apply.cpuBusy),
    ]),
  };
}

/**
 * Where a rollout's time goes, one column per fleet size (or kind): the fleet-wide plan, then each
 * host's phases (median / max over hosts and rounds), and the time between a host's calls.
 */
export function phaseTable(columns: { label: string; k: KindFigures }[]): Table {
  const phases = columns[0].k.phases.map((p) => p.phase);
  return {
    header: ['ms', ...columns.map((c) => c.label)],
    rows: [
      ['whole rollout (median)', ...columns.map((c) => ms(c.k.ms.median))],
      ['fleet-wide plan: every host read, then dry-run', ...columns.map((c) => ms(c.k.planMs.median))],
      ...phases.map((phase) => [
        `per host: ${phase}`,
        ...columns.map((c) => {
          const found = c.k.phases.find((p) => p.phase === phase);
          return found ? perHost(found.perHost) : '–';
        }),
      ]),
      ["per host: between its calls (client's thread)", ...columns.map((c) => perHost(c.k.gapMs))],
    ],
  };
}

/** Part 2's rollouts. */
export function simulatedTable(f: SimulatedFigures): Table {
  const row = (label: string, k: KindFigures) => [
    label,
    s(k.ms.median),
    spread(k.ms),
    s(k.planMs.median),
    `${s(k.cpuMs)} / ${s(k.clientCpuMs)}`,
    pct(k.cpuBusy),
  ];
  return {
    header: [
      `${f.hosts} simulated agents`,
      's (median)',
      'min–max',
      'plan s',
      'CPU s (all / client)',
      'CPU busy',
    ],
    rows: [row(`apply, ${f.waves} waves`, f.apply), row(`remove, ${f.waves} waves`, f.remove)],
  };
}

/** Part 2's peaks, per process. */
export function resourceTable(f: SimulatedFigures): Table {
  return {
    header: ['process', 'peak RSS MiB', 'peak open fds'],
    rows: f.peaks.processes.map((p) => [p.role, p.rssMiB.toFixed(0), String(p.fds)]),
  };
}

/**
 * Where the client's thread went in a profiled round, ms: the fleet's functions (callees included),
 * every function's own time by where its code lives, and the hottest functions.
 */
export function profileTable(p: Record<RolloutKind, ClientProfile>): Table {
  const hottest = [...new Set([...p.apply.hottest, ...p.remove.hottest].map((h) => h.label))].slice(0, 8);
  const self = (costs: ClientProfile, label: string) =>
    ms(costs.hottest.find((h) => h.label === label)?.ms ?? 0);
  return {
    header: ["client's thread, ms", 'apply', 'remove'],
    rows: [
      ['the rollout (wall)', ms(p.apply.windowMs), ms(p.remove.windowMs)],
      ...p.apply.rows.map((r, i) => [r.label, ms(r.ms), ms(p.remove.rows[i].ms)]),
      ...p.apply.areas.map((a, i) => [`own time: ${a.label}`, ms(a.ms), ms(p.remove.areas[i].ms)]),
      ...hottest.map((label) => [`hottest: ${label}`, self(p.apply, label), self(p.remove, label)]),
    ],
  };
}

/** Every table, as text, on the console. */
export function printFleetTables(f: FleetFigures, say: (text: string) => void): void {
  const tables: Table[] = [];
  if (f.real) {
    tables.push(realTable(f.real));
    tables.push(phaseTable(f.real.sizes.map((z) => ({ label: `${z.hosts} (apply)`, k: z.apply }))));
    if (f.real.profile) tables.push(profileTable(f.real.profile));
  }
  const sim = f.simulated;
  if (sim) {
    tables.push(simulatedTable(sim));
    tables.push(
      phaseTable([
        { label: 'apply', k: sim.apply },
        { label: 'remove', k: sim.remove },
      ]),
    );
    tables.push(resourceTable(sim));
    if (sim.profile) tables.push(profileTable(sim.profile));
  }
  for (const t of tables) say(`\n${formatText(t)}`);
  say('');
}
