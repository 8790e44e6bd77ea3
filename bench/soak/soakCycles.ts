/**
 * The soak's mutations and drift, one cycle after another until the time is up. A cycle makes a
 * network never used before, attaches `endpoints` endpoints to it (one per container netns of the
 * pool, 8 in flight), deletes the links of `drifts` of them inside their containers behind the
 * agent's back (`ip -n mvbs-cN link del eth0`) and waits until the agent has reported and repaired
 * each (a DRIFT event), then deletes half the endpoints one by one and the network with the rest
 * (force). Every name is new, so that anything the agent kept per name would pile up.
 */
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { runPool } from '../attach/runPool';
import type { AgentClient } from '../memory/agentClient';
import { runChecked } from '../shared/runProcess';
import type { DriftMonitor } from './DriftMonitor';
import { soakContainer, soakEndpoint, soakNetwork } from './soakLayout';

export interface CycleSettings {
  endpoints: number;
  drifts: number;
  /** Pause between cycles. */
  pauseMs: number;
}

/** What the cycles did, all told. */
export interface CycleCounts {
  cycles: number;
  networks: number;
  attached: number;
  drifted: number;
  deleted: number;
  /** The host's revision after the last cycle. */
  revision: number;
}

const PARALLEL = 8;
const DRIFT_TIMEOUT_MS = 20_000;

async function runCycle(
  cycle: number,
  s: CycleSettings,
  agent: AgentClient,
  monitor: DriftMonitor,
  counts: CycleCounts,
): Promise<void> {
  const { client } = agent;
  const { name, cidr, gateway } = soakNetwork(cycle);
  await client.createNetwork({
    network: { name, parent: 'eth0', mode: MacvlanMode.MACVLAN_MODE_BRIDGE, subnets: [{ cidr, gateway }] },
  });
  counts.networks++;
  const slots = Array.from({ length: s.endpoints }, (_, slot) => slot);
  await runPool(slots, PARALLEL, (slot) =>
    client.createEndpoint({
      endpoint: { name: soakEndpoint(cycle, slot), network: name, netns: soakContainer(slot) },
    }),
  );
  counts.attached += s.endpoints;
  const drifted = slots.slice(0, s.drifts);
  for (const slot of drifted) await runChecked(['ip', '-n', soakContainer(slot), 'link', 'del', 'eth0']);
  await monitor.waitFor(
    drifted.map((slot) => soakEndpoint(cycle, slot)),
    DRIFT_TIMEOUT_MS,
  );
  counts.drifted += drifted.length;
  const oneByOne = slots.slice(0, Math.ceil(s.endpoints / 2));
  await runPool(oneByOne, PARALLEL, (slot) =>
    client.deleteEndpoint({ network: name, name: soakEndpoint(cycle, slot) }),
  );
  const { revision } = await client.deleteNetwork({ name, force: true });
  counts.deleted += s.endpoints;
  counts.revision = revision;
  counts.cycles++;
}

/** Runs cycles until `until()` says stop (checked between cycles); the counts, as they grow. */
export async function runCycles(
  s: CycleSettings,
  agent: AgentClient,
  monitor: DriftMonitor,
  counts: CycleCounts,
  until: () => boolean,
): Promise<void> {
  for (let cycle = 0; !until(); cycle++) {
    await runCycle(cycle, s, agent, monitor, counts);
    await new Promise((resolve) => setTimeout(resolve, s.pauseMs));
  }
}
