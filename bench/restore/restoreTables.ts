/** The restore benchmark's tables and verdicts, the same for the console and for BENCHMARKS.md. */
import type { Table } from '../shared/formatTable';
import type { Summary } from '../shared/summarize';
import { PHASES, type PhaseKey } from './agentPhases';
import { REBOOT_TARGET_MS, RESTART_TARGET_MS, type RestoreFigures } from './restoreFigures';

const s = (ms: number) => (ms / 1000).toFixed(2);
const row = (label: string, x: Summary) => [label, s(x.median), `${s(x.min)}–${s(x.max)}`, String(x.n)];

export function sidesTable(f: RestoreFigures): Table {
  const { networks, endpoints, containers } = f.layout;
  const vlans = f.layout.networks.filter((n) => n.parent !== 'eth0').length;
  const hostLinks = `${networks.length} shims${vlans > 0 ? ` and ${vlans} sub-interfaces` : ''}`;
  return {
    header: ['spawn to restored, as a client sees it (s)', 'median', 'min–max', 'runs'],
    rows: [
      row(
        `restart: same state, ${networks.length} networks and ${endpoints.length} endpoints READY`,
        f.sides.restart,
      ),
      row('↳ peer: the same agent on an empty state', f.sides.empty),
      row(`reboot: ${hostLinks} made again, ${endpoints.length} endpoints LOST`, f.sides.reboot),
      row(`↳ peer: one ip -batch making the same host links and ${endpoints.length} routes`, f.sides.floor),
      row(
        `after a reboot: ${containers.length} containers back, one Apply re-attaching every endpoint`,
        f.reattach,
      ),
      row('setup: one Apply of the whole host (once, for scale)', { ...summaryOf(f.setup.ms) }),
    ],
  };
}

function summaryOf(ms: number): Summary {
  return { n: 1, median: ms, p90: ms, min: ms, max: ms };
}

export function phaseTable(f: RestoreFigures): Table {
  const keys: { key: PhaseKey; label: string }[] = [
    ...PHASES.map((p) => ({ key: p.key as PhaseKey, label: p.label })),
    { key: 'answer', label: 'first answers: health, ListNetworks and ListEndpoints' },
  ];
  const cell = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms.toFixed(0));
  return {
    header: ['stage of a start (median ms, from the agent log)', 'restart', 'empty state', 'reboot'],
    rows: keys.map(({ key, label }) => [
      label,
      cell(f.phases.restart[key]),
      cell(f.phases.empty[key]),
      cell(f.phases.reboot[key]),
    ]),
  };
}

/** What the agent's `endpoints restored` line says it read, in a few words. */
export function readsLine(counts: Record<string, number> | undefined): string {
  if (!counts) return 'not logged by this agent';
  const { endpoints, namespaces, netnsReads } = counts;
  if (namespaces === 0) return `${endpoints} endpoints, no namespace read (all LOST without a look)`;
  return `${endpoints} endpoints in ${namespaces} namespaces: ${netnsReads} reads (LinkDriver.inspectNetns: one open, one RTM_GETLINK dump each)`;
}

export function verdictLines(f: RestoreFigures): string[] {
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const { restart, empty, reboot, floor } = f.sides;
  const reads = f.counts.restart;
  const oneDump = reads !== undefined && reads.netnsReads <= reads.namespaces;
  return [
    `restart to serving: ${s(restart.median)} s (target ≤ ${s(RESTART_TARGET_MS)} s): ${met(restart.median <= RESTART_TARGET_MS)}; ` +
      `${(restart.median / empty.median).toFixed(2)}× the same agent on an empty state (${s(empty.median)} s)`,
    `everything back after a reboot: ${s(reboot.median)} s (target ≤ ${s(REBOOT_TARGET_MS)} s): ${met(reboot.median <= REBOOT_TARGET_MS)}; ` +
      `${(reboot.median / floor.median).toFixed(2)}× the ip -batch floor (${s(floor.median)} s)`,
    `one dump per namespace at a restart: ${readsLine(reads)}: ${met(oneDump)}`,
  ];
}
