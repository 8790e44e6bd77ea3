/**
 * Part 2, a change behind the agent's back → its DRIFT event at one watcher, against a bare rtnetlink
 * listener's receipt of the same change. Each round deletes the endpoint's link by hand inside its
 * container (`ip -n mvbw-c1 link del eth0`); the agent notices, checks the container, re-attaches the
 * link (same MAC and address) and then commits the DRIFT event, so its latency holds the repair, not
 * only the notice. The listener (LinkListener.ts), in the host netns beside the agent and hearing the
 * container through its nsid there, times its RTM_DELLINK of that link. Both are timed from ip's return,
 * and from just before ip's spawn. Before the next round: a pause, and the link is checked back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import { runChecked, runProcess } from '../shared/runProcess';
import type { LinkListener } from './LinkListener';
import type { AgentServiceClient } from './watchAgent';
import type { WatchClients } from './WatchClients';
import {
  DRIFT_ADDRESS,
  DRIFT_ENDPOINT,
  DRIFT_IFNAME,
  DRIFT_NETWORK,
  WATCH_CONTAINER_NETNS,
  WATCH_GATEWAY,
  WATCH_HOST_NETNS,
  WATCH_SUBNET,
} from './watchLayout';
import { stampToMonotonicNs, wallMinusMonotonicNs } from './wallClock';

export interface DriftOptions {
  rounds: number;
  warmup: number;
  settleMs: number;
}

/** The timings of the counted rounds, in ms, one per round. */
export interface DriftSample {
  /** From `ip link del` having returned to the watcher's receipt of the DRIFT event. */
  fromReturn: number[];
  /** The same from just before `ip` was spawned (an upper bound: the deletion is somewhere inside). */
  fromSpawn: number[];
  /** From ip's return to the event's stamp (Date.now() in the agent's commit: the start of its ms). */
  agentSide: number[];
  /** The rtnetlink listener's receipt of the RTM_DELLINK, from ip's return (< 0: heard before ip returned). */
  peerFromReturn: number[];
  peerFromSpawn: number[];
  /** From the listener's receipt to the watcher's: what the agent adds to the kernel's notification. */
  afterPeer: number[];
  /** How long the `ip link del` process took. */
  ipDel: number[];
  /** Events the watcher got besides the awaited DRIFTs (and bookmarks). */
  strays: number;
}

export const DRIFT_FLEET = 'drift';
const ROUND_DEADLINE_MS = 15_000;

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

/** Creates part 2's network on the host's eth0 and its one endpoint in the container. */
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

/**
 * Gives the container's netns an nsid in the host netns (`ip netns set NAME auto`), so that a listener
 * there hears its links: done by the benchmark before the agent starts, whatever the agent does about
 * it. Returns the nsid.
 */
export async function followContainer(): Promise<number> {
  await runChecked(['ip', '-n', WATCH_HOST_NETNS, 'netns', 'set', WATCH_CONTAINER_NETNS, 'auto']);
  const ids = await runChecked(['ip', '-n', WATCH_HOST_NETNS, 'netns', 'list-id']);
  const line = ids.split('\n').find((l) => l.includes(`iproute2 netns name: ${WATCH_CONTAINER_NETNS})`));
  const nsid = Number(/^nsid (\d+) /.exec(line ?? '')?.[1]);
  if (!Number.isInteger(nsid)) throw new Error(`no nsid for ${WATCH_CONTAINER_NETNS}: ${ids.trim()}`);
  return nsid;
}

/** One round: deletes the link, waits for the DRIFT event and the listener's notice; the raw timings. */
async function runRound(clients: WatchClients, listener: LinkListener, nsid: number) {
  const drift = clients.expect(
    DRIFT_FLEET,
    (e) => e.eventType === EventType.EVENT_TYPE_DRIFT && e.kind === 'endpoint' && e.name === DRIFT_ENDPOINT,
    ROUND_DEADLINE_MS,
  );
  const heard = listener.expect(
    (n) => n.type === 'DEL' && n.nsid === nsid && n.ifname === DRIFT_IFNAME,
    ROUND_DEADLINE_MS,
  );
  const offset = wallMinusMonotonicNs();
  const spawnAt = process.hrtime.bigint();
  const del = await runProcess(['ip', '-n', WATCH_CONTAINER_NETNS, 'link', 'del', DRIFT_IFNAME]);
  const returnAt = process.hrtime.bigint();
  if (del.code !== 0) throw new Error(`ip link del failed (${del.code}): ${del.stderr.trim()}`);
  const [event, notice] = await Promise.all([drift, heard]);
  if (!/re-attached/.test(event.message))
    throw new Error(`the agent did not repair the link: ${event.message}`);
  const at = event.arrivals[0];
  return {
    fromReturn: ms(returnAt, at),
    fromSpawn: ms(spawnAt, at),
    agentSide: ms(returnAt, stampToMonotonicNs(event.stampMs, offset)),
    peerFromReturn: ms(returnAt, notice.atNs),
    peerFromSpawn: ms(spawnAt, notice.atNs),
    afterPeer: ms(notice.atNs, at),
    ipDel: del.ms,
  };
}

/** Throws unless the endpoint's link is in the container (the agent re-attached it). */
async function checkLinkBack(): Promise<void> {
  await runChecked(['ip', '-n', WATCH_CONTAINER_NETNS, 'link', 'show', 'dev', DRIFT_IFNAME]);
}

/** Runs part 2: one watcher (in the first client process), `warmup` uncounted rounds, then `rounds`. */
export async function measureDrift(
  x: { clients: WatchClients; agentAddress: string; listener: LinkListener; nsid: number },
  o: DriftOptions,
): Promise<DriftSample> {
  const sample: DriftSample = {
    fromReturn: [],
    fromSpawn: [],
    agentSide: [],
    peerFromReturn: [],
    peerFromSpawn: [],
    afterPeer: [],
    ipDel: [],
    strays: 0,
  };
  await x.clients.open(DRIFT_FLEET, x.agentAddress, 1, 1, 30_000);
  try {
    await sleep(o.settleMs);
    for (let round = 0; round < o.warmup + o.rounds; round++) {
      const r = await runRound(x.clients, x.listener, x.nsid);
      await sleep(o.settleMs);
      await checkLinkBack();
      if (round < o.warmup) continue;
      for (const key of Object.keys(r) as (keyof typeof r)[]) sample[key].push(r[key]);
    }
    sample.strays = x.clients.strays(DRIFT_FLEET);
  } finally {
    await x.clients.close(DRIFT_FLEET);
  }
  return sample;
}
