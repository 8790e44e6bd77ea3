/**
 * The Watch benchmark's section of BENCHMARKS.md (bench/shared/writeBenchmarksMd.ts places it): date,
 * machine, method, figures, the targets met or not against their peers, what the figures say, how to
 * reproduce.
 */
import { formatMarkdown } from '../shared/formatTable';
import { machineLines } from '../shared/machineLines';
import { watchMethodLines } from './watchMethod';
import type { WatchFigures } from './watchFigures';
import { watchFindings } from './watchFindings';
import {
  commitAloneLine,
  driftTable,
  fanOutTable,
  mutationTable,
  ratioLine,
  stalledLines,
  targetLines,
} from './watchTables';

const n = (x: number) => x.toLocaleString('en-US');

function figureLines(f: WatchFigures): string[] {
  const d = f.drift;
  const strays = f.fanOut.map((r) => `${r.strays.mvnet} / ${r.strays.peer} with ${n(r.watchers)}`).join(', ');
  return [
    '### Figures',
    '',
    "Part 1, fan-out: from the commit (mvnet) or the first write (peer) to each watcher's receipt, in ms",
    '(receipts: watchers × rounds, all pooled):',
    '',
    formatMarkdown(fanOutTable(f)),
    '',
    `${commitAloneLine(f)} Events besides the awaited ones, mvnet / peer: ${strays}.`,
    '',
    'Part 2, kernel change: from the return of `ip link del` to the receipt, in ms (one per round; below 0: before ip returned):',
    '',
    formatMarkdown(driftTable(f)),
    '',
    `The \`ip link del\` process took ${d.ipDel.p50.toFixed(1)} ms (p50). From ip's return to the DRIFT ` +
      `event's stamp: p50 ${d.agentSide.p50.toFixed(1)} ms. Events the watcher got besides the DRIFTs: ${d.strays}.`,
    '',
    'Part 3, mutations beside a stalled watcher:',
    '',
    formatMarkdown(mutationTable(f)),
    '',
    `- ${ratioLine(f)}`,
    ...stalledLines(f).map((l) => `- ${l}`),
  ];
}

/** The section, without its markers. */
export function formatWatchSection(f: WatchFigures): string {
  const o = f.settings;
  return [
    '## Watch',
    '',
    `Written by \`npm run bench:watch\` (bench/watch/watchBench.ts) on ${f.date}, in ${f.elapsedS.toFixed(0)} s. It`,
    'rewrites only this section.',
    '',
    ...machineLines(f.machine, {
      software: `${f.python} (the rtnetlink listener)`,
      noise:
        'work runs beside the benchmark and adds noise; the agent, the peer server, the client processes and the benchmark share the CPUs',
    }),
    '',
    '### Method',
    '',
    ...watchMethodLines(f),
    '',
    ...figureLines(f),
    '',
    '### Against the targets (issue 14, target 3)',
    '',
    ...targetLines(f).map((l) => `- ${l}`),
    '',
    '### Reading the figures',
    '',
    ...watchFindings(f).map((l) => `- ${l}`),
    '',
    '### Reproduce',
    '',
    '```sh',
    'npm run bench:watch',
    `npm run bench:watch -- --watchers ${o.fanOut.watcherCounts.join(',')} --rounds ${o.fanOut.rounds} ` +
      `--processes ${o.fanOut.processes} --drift-rounds ${o.drift.rounds} --pairs-per-block ${o.mutation.pairsPerBlock} ` +
      `--blocks ${o.mutation.blocks}   # this run's settings`,
    '```',
    '',
    'As root, with `/usr/bin/python3`; it finishes by itself in a few minutes and leaves nothing behind: its',
    'namespaces are named `mvbw-*` and removed at the start (leftovers of a killed run) and at the end, also on',
    'Ctrl-C; its client processes and peer server end with its IPC channel, the listener with its stdin.',
  ].join('\n');
}
