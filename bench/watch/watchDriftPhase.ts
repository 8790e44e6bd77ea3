/**
 * Part 1, a change behind the agent's back → every watcher: with `count` watchers open, the
 * endpoint's link is deleted by hand inside its container (`ip -n mvbw-c1 link del eth0`), and each
 * watcher's receipt of the DRIFT event for that endpoint is timed. The agent sees the deletion through
 * `ip monitor`, gathers a burst for 50 ms, checks the container, re-attaches the link (same MAC and
 * address), and only then commits the DRIFT event: so the latency holds the repair, not only the
 * notice. Before the next round the benchmark waits for the DRIFT at every watcher, then a pause, so
 * that the agent's follow-up work (its own link moving into the container) is over.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { runChecked, runProcess } from '../shared/runProcess';
import { AgentServiceClient } from './watchAgent';
import { WatchFleet } from './watchFleet';
import {
  DRIFT_ADDRESS,
  DRIFT_ENDPOINT,
  DRIFT_IFNAME,
  DRIFT_NETWORK,
  WATCH_CONTAINER_NETNS,
  WATCH_GATEWAY,
  WATCH_SUBNET,
} from './watchLayout';

export interface DriftOptions {
  watcherCounts: number[];
  rounds: number;
  warmup: number;
  perChannel: number;
  settleMs: number;
}

/** The timings of one watcher count, in ms, over its counted rounds. */
export interface DriftSample {
  watchers: number;
  channels: number;
  /** Every watcher × round: from `ip link del` having returned to that watcher's receipt. */
  fromReturn: number[];
  /** The same from just before `ip` was spawned (an upper bound: the deletion is somewhere inside). */
  fromSpawn: number[];
  /** Per round: from ip's return to the agent's time stamp of the DRIFT event (1 ms resolution). */
  agentSide: number[];
  /** Every watcher × round: from the agent's time stamp to the receipt (1 ms resolution). */
  fanOut: number[];
  /** Per round: the slowest watcher, from ip's return. */
  slowest: number[];
  /** Per round: how long the `ip link del` process took. */
  ipDel: number[];
  strayEvents: number;
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

/** Creates part 1's network on the host's eth0 and its one endpoint in the container. */
export async function createDriftEndpoint(client: AgentServiceClient): Promise<void> {
  await client.createNetwork({
    network: {
      name: DRIFT_NETWORK,
      parent: 'eth0',
      mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
      subnets: [{ cidr: WATCH_SUBNET, gateway: WATCH_GATEWAY }],
    },
  });
  await client.createEndpoint({
    endpoint: {
      name: DRIFT_ENDPOINT,
      network: DRIFT_NETWORK,
      netns: WATCH_CONTAINER_NETNS,
      ifname: DRIFT_IFNAME,
      ipv4Address: DRIFT_ADDRESS,
    },
  });
}

/** One round: deletes the link, waits for every watcher's DRIFT; returns the raw timings. */
async function runRound(fleet: WatchFleet) {
  const expecting = fleet.expectDrift(DRIFT_ENDPOINT, 15_000);
  const spawnAt = process.hrtime.bigint();
  const del = await runProcess(['ip', '-n', WATCH_CONTAINER_NETNS, 'link', 'del', DRIFT_IFNAME]);
  const returnAt = process.hrtime.bigint();
  const returnWallMs = Date.now();
  if (del.code !== 0) throw new Error(`ip link del failed (${del.code}): ${del.stderr.trim()}`);
  const got = await expecting;
  if (!/re-attached/.test(got.message)) throw new Error(`the agent did not repair the link: ${got.message}`);
  const agentSide = got.stampedMs - returnWallMs;
  return {
    fromReturn: got.arrivals.map((at) => ms(returnAt, at)),
    fromSpawn: got.arrivals.map((at) => ms(spawnAt, at)),
    fanOut: got.arrivals.map((at) => ms(returnAt, at) - agentSide),
    agentSide,
    ipDel: del.ms,
  };
}

/** Throws unless the endpoint's link is in the container (the agent re-attached it). */
async function checkLinkBack(): Promise<void> {
  await runChecked(['ip', '-n', WATCH_CONTAINER_NETNS, 'link', 'show', 'dev', DRIFT_IFNAME]);
}

/** Rounds with `count` watchers open; the first `warmup` are not counted. */
async function measureCount(address: string, count: number, o: DriftOptions): Promise<DriftSample> {
  const fleet = await WatchFleet.open(address, count, o.perChannel, 60_000);
  const sample: DriftSample = {
    watchers: count,
    channels: Math.ceil(count / o.perChannel),
    fromReturn: [],
    fromSpawn: [],
    agentSide: [],
    fanOut: [],
    slowest: [],
    ipDel: [],
    strayEvents: 0,
  };
  try {
    await sleep(o.settleMs);
    for (let round = 0; round < o.warmup + o.rounds; round++) {
      const r = await runRound(fleet);
      await sleep(o.settleMs);
      await checkLinkBack();
      if (round < o.warmup) continue;
      sample.fromReturn.push(...r.fromReturn);
      sample.fromSpawn.push(...r.fromSpawn);
      sample.fanOut.push(...r.fanOut);
      sample.agentSide.push(r.agentSide);
      sample.slowest.push(Math.max(...r.fromReturn));
      sample.ipDel.push(r.ipDel);
    }
    sample.strayEvents = fleet.strayEvents;
  } finally {
    fleet.close();
  }
  return sample;
}

/** Runs part 1 for every watcher count, in the order given. */
export async function measureDrift(
  address: string,
  o: DriftOptions,
  progress: (line: string) => void,
): Promise<DriftSample[]> {
  const samples: DriftSample[] = [];
  for (const count of o.watcherCounts) {
    progress(`  ${count} watcher(s): ${o.warmup} + ${o.rounds} rounds...`);
    samples.push(await measureCount(address, count, o));
  }
  return samples;
}
