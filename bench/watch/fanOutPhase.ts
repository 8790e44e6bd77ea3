/**
 * Part 1, fan-out: one event to many watchers spread over the client processes, mvnet against its
 * peer, interleaved round by round (M P P M M P...): at each watcher count both fleets are open at
 * once, in the same client processes, and each round is one event to one of them (FanOutRounds.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FanOutRounds, type FanOutParts } from './FanOutRounds';

export interface FanOutOptions {
  watcherCounts: number[];
  rounds: number;
  warmup: number;
  perChannel: number;
  settleMs: number;
  processes: number;
}

/** One watcher count's timings, in ms: every watcher × counted round, or one per round. */
export interface FanOutSample {
  watchers: number;
  mvnet: {
    /** From the commit's earliest bound to each receipt: an upper bound of its delay. */
    upper: number[];
    /** From the commit's latest bound to each receipt: a lower bound (below 0 when it came earlier). */
    lower: number[];
    /** Per round: from the commit's earliest bound to its latest. */
    bracket: number[];
    /** Per round: the last watcher's receipt, from the commit's earliest bound. */
    slowest: number[];
    /** Per round and client process: the event's encoded size. */
    bytes: number[];
    /** Per round: the mutation, from its send to its reply. */
    call: number[];
    /** Rounds whose latest bound was the agent's log line, not the reply. */
    fromLogLine: number;
  };
  peer: {
    /** From the server's first write to each receipt. */
    fromWrite: number[];
    /** Per round: the server's write loop over every stream. */
    writeLoop: number[];
    slowest: number[];
    bytes: number[];
  };
  strays: { mvnet: number; peer: number };
}

const OPEN_DEADLINE_MS = 120_000;
/** After a fleet closes, for the agent to end its streams before the next fleet opens (1,000 at most). */
const FLEET_GONE_MS = 500;

/** Runs part 1 for every watcher count: both fleets open, then the interleaved rounds. */
export async function measureFanOut(
  x: FanOutParts & { agentAddress: string },
  o: FanOutOptions,
  progress: (line: string) => void,
): Promise<FanOutSample[]> {
  const samples: FanOutSample[] = [];
  for (const count of o.watcherCounts) {
    const fleets = { mvnet: `mvnet-${count}`, peer: `peer-${count}` };
    progress(`  ${count} watchers on each side: ${o.warmup} + ${o.rounds} rounds each, interleaved...`);
    const rounds = new FanOutRounds(x, fleets, count);
    try {
      await x.clients.open(fleets.mvnet, x.agentAddress, count, o.perChannel, OPEN_DEADLINE_MS);
      await x.clients.open(fleets.peer, x.peer.address, count, o.perChannel, OPEN_DEADLINE_MS);
      for (let i = 0; i < o.warmup + o.rounds; i++) {
        const counted = i >= o.warmup;
        const order = i % 2 === 0 ? (['mvnet', 'peer'] as const) : (['peer', 'mvnet'] as const);
        for (const side of order) {
          await sleep(o.settleMs);
          await (side === 'mvnet' ? rounds.mvnetRound(counted) : rounds.peerRound(counted));
        }
      }
      // Counted before finish(), whose deletion of the network is one more event nobody awaits.
      rounds.sample.strays = { mvnet: x.clients.strays(fleets.mvnet), peer: x.clients.strays(fleets.peer) };
      await rounds.finish();
    } finally {
      await x.clients.close(fleets.mvnet);
      await x.clients.close(fleets.peer);
      await sleep(FLEET_GONE_MS);
    }
    samples.push(rounds.sample);
  }
  return samples;
}
