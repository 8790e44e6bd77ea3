/**
 * The Watch benchmark's figures, computed once from the raw timings, for the console and
 * BENCHMARKS.md alike; and issue 14's targets 3a and 3b, judged against them.
 */
import type { MachineFacts } from '../shared/machineFacts';
import type { CommitAloneSample } from './commitAlone';
import type { FanOutOptions, FanOutSample } from './fanOutPhase';
import type { MutationFigures } from './mutationFigures';
import { percentiles, type Percentiles } from './percentiles';
import type { DriftOptions, DriftSample } from './watchDriftPhase';
import type { MutationOptions } from './watchMutationPhase';

/** Target 3a: p99 from the commit to the receipt, with 1,000 watchers over 2 client processes. */
export const FANOUT_TARGET = { watchers: 1000, p99Ms: 10 };
/** Target 3b: p99 from the return of the `ip` command to the DRIFT event, with 1 watcher. */
export const DRIFT_TARGET = { p99Ms: 25 };

export interface FanOutFigures {
  watchers: number;
  rounds: number;
  mvnet: {
    upper: Percentiles;
    lower: Percentiles;
    bracket: Percentiles;
    slowest: Percentiles;
    bytes: Percentiles;
    call: Percentiles;
    fromLogLine: number;
  };
  peer: { fromWrite: Percentiles; writeLoop: Percentiles; slowest: Percentiles; bytes: Percentiles };
  strays: { mvnet: number; peer: number };
}

export interface DriftFigures {
  rounds: number;
  fromReturn: Percentiles;
  fromSpawn: Percentiles;
  agentSide: Percentiles;
  peerFromReturn: Percentiles;
  peerFromSpawn: Percentiles;
  afterPeer: Percentiles;
  ipDel: Percentiles;
  strays: number;
}

export interface WatchSettings {
  fanOut: FanOutOptions;
  drift: DriftOptions;
  mutation: MutationOptions;
  agentLogLevel: string;
}

export interface WatchFigures {
  date: string;
  elapsedS: number;
  machine: MachineFacts;
  /** The rtnetlink listener's Python. */
  python: string;
  settings: WatchSettings;
  /** Part 1's mutations with no watcher open. */
  commitAlone: { call: Percentiles; stampToReply: Percentiles };
  fanOut: FanOutFigures[];
  drift: DriftFigures;
  mutation: MutationFigures;
}

export function computeCommitAloneFigures(s: CommitAloneSample): WatchFigures['commitAlone'] {
  return { call: percentiles(s.call), stampToReply: percentiles(s.stampToReply) };
}

export function computeFanOutFigures(s: FanOutSample): FanOutFigures {
  return {
    watchers: s.watchers,
    rounds: s.mvnet.bracket.length,
    mvnet: {
      upper: percentiles(s.mvnet.upper),
      lower: percentiles(s.mvnet.lower),
      bracket: percentiles(s.mvnet.bracket),
      slowest: percentiles(s.mvnet.slowest),
      bytes: percentiles(s.mvnet.bytes),
      call: percentiles(s.mvnet.call),
      fromLogLine: s.mvnet.fromLogLine,
    },
    peer: {
      fromWrite: percentiles(s.peer.fromWrite),
      writeLoop: percentiles(s.peer.writeLoop),
      slowest: percentiles(s.peer.slowest),
      bytes: percentiles(s.peer.bytes),
    },
    strays: s.strays,
  };
}

export function computeDriftFigures(s: DriftSample): DriftFigures {
  return {
    rounds: s.fromReturn.length,
    fromReturn: percentiles(s.fromReturn),
    fromSpawn: percentiles(s.fromSpawn),
    agentSide: percentiles(s.agentSide),
    peerFromReturn: percentiles(s.peerFromReturn),
    peerFromSpawn: percentiles(s.peerFromSpawn),
    afterPeer: percentiles(s.afterPeer),
    ipDel: percentiles(s.ipDel),
    strays: s.strays,
  };
}

/**
 * One target, judged: mvnet's p99 against its limit; and mvnet's p99 as a ratio to its peer's, both
 * on one clock (the target's own, or, where the peer's p99 is not above 0 on it, an earlier start).
 */
export interface TargetVerdict {
  p99: number;
  limit: number;
  met: boolean;
  ratio: { mine: number; peer: number };
}

/** Target 3a, on the row of 1,000 watchers (or the largest count measured, if that was not). */
export function fanOutVerdict(f: WatchFigures): (TargetVerdict & { watchers: number }) | undefined {
  const row =
    f.fanOut.find((r) => r.watchers === FANOUT_TARGET.watchers) ??
    f.fanOut.reduce<FanOutFigures | undefined>((a, r) => (!a || r.watchers > a.watchers ? r : a), undefined);
  if (!row) return undefined;
  const p99 = row.mvnet.upper.p99;
  return {
    watchers: row.watchers,
    p99,
    limit: FANOUT_TARGET.p99Ms,
    met: p99 <= FANOUT_TARGET.p99Ms,
    ratio: { mine: p99, peer: row.peer.fromWrite.p99 },
  };
}

/**
 * Target 3b, from ip's return. The ratio is taken from ip's spawn: the kernel sends the deletion's
 * notification while ip still waits for the deletion to finish, so the listener's receipt comes before
 * ip's return, and a ratio to a figure below 0 would mean nothing.
 */
export function driftVerdict(f: WatchFigures): TargetVerdict {
  const d = f.drift;
  const p99 = d.fromReturn.p99;
  return {
    p99,
    limit: DRIFT_TARGET.p99Ms,
    met: p99 <= DRIFT_TARGET.p99Ms,
    ratio: { mine: d.fromSpawn.p99, peer: d.peerFromSpawn.p99 },
  };
}
