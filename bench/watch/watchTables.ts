/**
 * The Watch benchmark's tables as rows of cells (shared/formatTable.ts renders them for the console
 * and for BENCHMARKS.md, so that both always say the same), and its summary lines.
 */
import { Table } from '../shared/formatTable';
import { Percentiles, StalledFigures, WatchFigures } from './watchFigures';

const ms = (x: number) => x.toFixed(1);
const n = (x: number) => x.toLocaleString('en-US');

/** Part 1: kernel change → each watcher, in ms. */
export function driftTable(f: WatchFigures): Table {
  return {
    header: [
      'watchers (channels)',
      'samples',
      'p50',
      'p99',
      'max',
      'p50 from spawn',
      'agent: return → event stamped, p50',
      'fan-out: stamped → received, p50 / p99',
      'slowest watcher per round, p50',
    ],
    rows: f.drift.map((d) => [
      `${n(d.watchers)} (${d.channels})`,
      n(d.fromReturn.n),
      ms(d.fromReturn.p50),
      ms(d.fromReturn.p99),
      ms(d.fromReturn.max),
      ms(d.fromSpawn.p50),
      ms(d.agentSide.p50),
      `${ms(d.fanOut.p50)} / ${ms(d.fanOut.p99)}`,
      ms(d.slowest.p50),
    ]),
  };
}

function pairRow(label: string, x: Percentiles | undefined): string[] {
  if (!x) return [label, '0', 'n/a', 'n/a', 'n/a'];
  return [label, n(x.n), ms(x.p50), ms(x.p99), ms(x.max)];
}

/** Part 2: one CreateNetwork + DeleteNetwork pair, in ms. */
export function mutationTable(f: WatchFigures): Table {
  const m = f.mutation;
  return {
    header: ['CreateNetwork + DeleteNetwork pair (ms)', 'pairs', 'p50', 'p99', 'max'],
    rows: [
      pairRow('no watcher', m.none),
      pairRow('one stalled watcher', m.stalled),
      pairRow('↳ while the agent still wrote its stream', m.stalledWritten),
      pairRow("↳ once flow control stopped it: the agent's queue filling", m.stalledQueued),
      pairRow('↳ after its queue overflowed (its events dropped)', m.stalledDropped),
    ],
  };
}

/** The ratios of part 2, stalled / none. */
export function ratioLine(f: WatchFigures): string {
  const m = f.mutation;
  return (
    `stalled watcher / no watcher: p50 ×${m.ratioP50.toFixed(2)}, p99 ×${m.ratioP99.toFixed(2)} ` +
    `(blocks in order: ${m.order.join(', ')})`
  );
}

function stalledLine(s: StalledFigures, i: number): string {
  const where =
    s.overflowRevision === undefined
      ? `its queue did not overflow within the block's ${n(s.pairs)} pairs`
      : `its queue (${n(s.capacity!)} events) overflowed at the commit of revision ${s.overflowRevision}, ` +
        `after ${n(s.pairsBefore)} of the block's ${n(s.pairs)} pairs`;
  return (
    `stalled watcher ${i + 1}: the agent wrote it nothing after revision ${s.stalledAfter} ` +
    `(${n(s.buffered)} events sat in the HTTP/2 windows and stream buffers); ${where}; ` +
    `read again at the block's end, it got those ${n(s.buffered)} events, then ${s.ending}` +
    (s.message ? ` ("${s.message}")` : '')
  );
}

/** What became of each stalled watcher, one line each. */
export function stalledLines(f: WatchFigures): string[] {
  return f.mutation.stalledBlocks.map(stalledLine);
}
