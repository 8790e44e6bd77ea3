/**
 * What a benchmark and its watchers process (watchersProcess.ts) say to each other over fork's IPC
 * channel. The process holds many Watch streams on one agent, in a process of their own so that the
 * benchmark's measurements of the agent are not disturbed by the clients' work; the memory and the
 * soak benchmarks both use it.
 */

/** The process's arguments: whom to watch, how many streams, and how many per channel (connection). */
export interface WatchersArgs {
  address: string;
  perChannel: number;
}

export function watchersArgv(a: WatchersArgs): string[] {
  return [a.address, String(a.perChannel)];
}

export function parseWatchersArgv(argv: readonly string[]): WatchersArgs {
  const [address, perChannel] = argv;
  return { address, perChannel: Number(perChannel) };
}

/** Benchmark → process. */
export type WatchersCommand =
  /**
   * Open `count` more streams from `sinceRevision` (0: the state first), a channel at a time. A
   * stalled stream reads up to SYNCED, then nothing more (the agent should end it once its queue is
   * full); open stalled streams alone, on a channel of their own.
   */
  | { type: 'open'; count: number; sinceRevision: number; stall?: boolean }
  /** Close the `count` oldest streams, stalled or not as `stalled` says (their channels go once empty). */
  | { type: 'close'; count: number; stalled: boolean }
  /** Say when every open stream has had an ADDED event of the network `network`. */
  | { type: 'expect'; network: string }
  | { type: 'stop' };

/** Process → benchmark. */
export type WatchersReport =
  /** Every stream asked for is open (from 0: past SYNCED); `open` streams in all. */
  | { type: 'opened'; open: number; ms: number }
  | { type: 'closed'; open: number }
  /** Every open stream had the ADDED event of `network`. */
  | { type: 'saw'; network: string; watchers: number; ms: number }
  /** A stream ended or failed on its own: the agent's status, said once per kind. */
  | { type: 'ended'; message: string; count: number }
  | { type: 'failed'; message: string };
