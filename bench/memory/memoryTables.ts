/** The memory benchmark's tables, for the console and BENCHMARKS.md alike (shared/formatTable.ts). */
import type { Table } from '../shared/formatTable';
import { EARLY_MS, type MemoryFigures } from './memoryFigures';
import { SCALE_STAGES } from './scalePhase';

const mib = (v: number) => v.toFixed(1);

export function idleTable(f: MemoryFigures): Table {
  const settleS = (f.idleSettings?.settleMs ?? 0) / 1000;
  return {
    header: [
      'idle, MiB (median of rounds)',
      `RSS at ${EARLY_MS / 1000} s`,
      `RSS at ${settleS} s`,
      'min–max',
      'anon',
      'file',
      'peak (HWM)',
      'fds',
      'children',
    ],
    rows: (f.idle ?? []).map((i) => [
      i.side,
      mib(i.early.median),
      mib(i.settled.median),
      `${mib(i.settled.min)}–${mib(i.settled.max)}`,
      mib(i.anonMiB),
      mib(i.fileMiB),
      mib(i.hwmMiB),
      String(i.fds),
      i.side.startsWith('agent') ? String(i.children) : '-',
    ]),
  };
}

export function scaleTable(f: MemoryFigures): Table {
  const s = f.scaleSettings!;
  const labels: Record<(typeof SCALE_STAGES)[number], string> = {
    started: 'started, empty',
    endpoints: `${s.endpoints} endpoints`,
    'endpoints and watchers': `${s.endpoints} endpoints, ${s.watchers} watchers`,
    'watchers gone': 'watchers closed',
  };
  return {
    header: ['agent, MiB', 'RSS', 'anon', 'file', 'peak (HWM)', 'fds', 'children'],
    rows: SCALE_STAGES.map((stage) => {
      const r = f.scale!.readings[stage];
      return [
        labels[stage],
        mib(r.rssMiB),
        mib(r.anonMiB),
        mib(r.fileMiB),
        mib(r.hwmMiB),
        String(r.fds),
        String(r.children),
      ];
    }),
  };
}
