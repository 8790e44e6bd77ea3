/**
 * The Watch benchmark's tables as rows of cells (shared/formatTable.ts renders them for the console
 * and for BENCHMARKS.md, so that both always say the same), and its one-line summaries: the targets,
 * part 3's ratio, and each stalled watcher's story.
 */
import { Table } from '../shared/formatTable';
import type { StalledFigures } from './mutationFigures';
import type { Percentiles } from './percentiles';
import {
  driftVerdict,
  FANOUT_TARGET,
  fanOutVerdict,
  type TargetVerdict,
  type WatchFigures,
} from './watchFigures';

const ms = (x: number) => x.toFixed(1);
const n = (x: number) => x.toLocaleString('en-US');

function latencyCells(x: Percentiles): string[] {
  return [n(x.n), ms(x.p50), ms(x.p99), ms(x.max)];
}

/** Part 1: from the commit (or the peer's first write) to each watcher's receipt, in ms. */
export function fanOutTable(f: WatchFigures): Table {
  const { processes, perChannel } = f.settings.fanOut;
  const spread = (watchers: number) => {
    const holders = Math.min(processes, watchers);
    return `${holders} × ${Math.ceil(Math.ceil(watchers / holders) / perChannel)}`;
  };
  return {
    header: [
      'watchers (processes × channels)',
      'server, clock from',
      'rounds',
      'receipts',
      'p50',
      'p99',
      'max',
      'last watcher per round, p50',
      'message bytes, p50',
    ],
    rows: f.fanOut.flatMap((r) => {
      const who = `${n(r.watchers)} (${spread(r.watchers)})`;
      return [
        [
          who,
          'mvnet-agent, from the commit: upper bound',
          n(r.rounds),
          ...latencyCells(r.mvnet.upper),
          ms(r.mvnet.slowest.p50),
          n(r.mvnet.bytes.p50),
        ],
        [
          who,
          'mvnet-agent, from the commit: lower bound',
          n(r.rounds),
          ...latencyCells(r.mvnet.lower),
          '',
          '',
        ],
        [
          who,
          'peer: raw grpc-js, from its first write',
          n(r.rounds),
          ...latencyCells(r.peer.fromWrite),
          ms(r.peer.slowest.p50),
          n(r.peer.bytes.p50),
        ],
      ];
    }),
  };
}

/** Part 1's reference, no watcher open: how much of "from the commit" is the commit itself. */
export function commitAloneLine(f: WatchFigures): string {
  const c = f.commitAlone;
  return (
    `With no watcher open, ${n(c.call.n)} of the same mutations through the SDK took p50 ${ms(c.call.p50)} / ` +
    `p99 ${ms(c.call.p99)} ms from send to reply, and p50 ${ms(c.stampToReply.p50)} / p99 ` +
    `${ms(c.stampToReply.p99)} ms from the event's stamp to the reply: that much of "from the commit" is the ` +
    "commit itself (SQLite's COMMIT and its disk sync come after the stamp) and the reply, not the fan-out."
  );
}

/** Part 2: from the return of `ip link del` to the receipt, in ms. */
export function driftTable(f: WatchFigures): Table {
  const d = f.drift;
  return {
    header: ['received by', 'rounds', 'p50', 'p99', 'max', 'from ip spawn: p50 / p99'],
    rows: [
      [
        'mvnet: the DRIFT event, at 1 watcher',
        n(d.rounds),
        ms(d.fromReturn.p50),
        ms(d.fromReturn.p99),
        ms(d.fromReturn.max),
        `${ms(d.fromSpawn.p50)} / ${ms(d.fromSpawn.p99)}`,
      ],
      [
        'peer: RTM_DELLINK, at a bare rtnetlink listener',
        n(d.rounds),
        ms(d.peerFromReturn.p50),
        ms(d.peerFromReturn.p99),
        ms(d.peerFromReturn.max),
        `${ms(d.peerFromSpawn.p50)} / ${ms(d.peerFromSpawn.p99)}`,
      ],
    ],
  };
}

function pairRow(label: string, x: Percentiles | undefined): string[] {
  if (!x) return [label, '0', 'n/a', 'n/a', 'n/a'];
  return [label, n(x.n), ms(x.p50), ms(x.p99), ms(x.max)];
}

/** Part 3: one CreateNetwork + DeleteNetwork pair, in ms. */
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

function verdictWords(v: TargetVerdict): string {
  return `${v.met ? 'met' : 'NOT met'}: p99 ${ms(v.p99)} ms, target ≤ ${v.limit} ms`;
}

const ratio = (v: TargetVerdict) => `${(v.ratio.mine / v.ratio.peer).toFixed(2)}×`;

/** "Against the targets": issue 14's 3a and 3b, each met or NOT met, and as a ratio to its peer. */
export function targetLines(f: WatchFigures): string[] {
  const lines: string[] = [];
  const fan = fanOutVerdict(f);
  if (fan) {
    lines.push(
      `3a fan-out, ${n(fan.watchers)} watchers over ${f.settings.fanOut.processes} client processes, from the ` +
        `commit to each receipt: ${verdictWords(fan)}. Against its peer: ${ratio(fan)} the p99 of a raw ` +
        `grpc-js server writing the same bytes to as many streams (${ms(fan.ratio.peer)} ms from its first write).` +
        (fan.watchers === FANOUT_TARGET.watchers
          ? ''
          : ` (The target is set at ${n(FANOUT_TARGET.watchers)} watchers: this run did not measure them.)`),
    );
  }
  const drift = driftVerdict(f);
  lines.push(
    `3b kernel change → DRIFT event at 1 watcher, from ip's return: ${verdictWords(drift)}. Against its ` +
      `peer, both from ip's spawn: ${ratio(drift)} the p99 of a bare rtnetlink listener's RTM_DELLINK ` +
      `(${ms(drift.ratio.mine)} ms against ${ms(drift.ratio.peer)} ms; from ip's return the listener's p99 is ` +
      `${ms(f.drift.peerFromReturn.p99)} ms: it hears the deletion before ip returns). The DRIFT event ` +
      `came p50 ${ms(f.drift.afterPeer.p50)} / p99 ${ms(f.drift.afterPeer.p99)} ms after the listener had the change.`,
  );
  return lines;
}

/** The ratios of part 3, stalled / none. */
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
