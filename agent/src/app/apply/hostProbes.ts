/**
 * The probes of a commit-confirmed Apply, as nmstate and kubernetes-nmstate run them: the links the
 * networks hang off are up, and each network's gateway answers an ARP probe on its link. Before the
 * change the agent records which pass; after it, only those must pass again (a probe that cannot pass on
 * a network must not block every change there), plus, with probe_gateways, every gateway of the spec.
 */
import type { Logger } from 'pino';
import { parseAddress } from '../../domain/ip';
import type { NetworkRecord } from '../../domain/model';
import { isLinkUp } from '../../domain/networkStatus';
import { splitSubInterface } from '../../domain/normalizeNetwork';
import type { LinkDriver } from '../../domain/ports/LinkDriver';

/** A probe, named so that the one before the change and the one after it are the same probe. */
export interface Probe {
  id: string;
  run(): Promise<boolean>;
}

/** How hard each probe tries: a few ARP probes over about three seconds. */
export const PROBE_TRIES = 3;
export const PROBE_INTERVAL_MS = 1000;
/** Probes run at once at most (each ARP probe makes a namespace and a link of its own). */
const PROBES_AT_ONCE = 16;

/**
 * The probes of networks, on their links as the records say: each parent link and its lower up, and
 * each IPv4 gateway answering ARP on the parent link (IPv6 gateways are not probed: ARP is IPv4's).
 */
export function probesOf(networks: readonly NetworkRecord[], driver: LinkDriver): Probe[] {
  const probes = new Map<string, Probe>();
  for (const network of networks) {
    if (network.spec.internal) continue;
    const { parentLink } = network.status;
    const sub = splitSubInterface(network.spec);
    const links = [parentLink, ...(sub ? [sub.lower] : [])];
    for (const link of links) {
      probes.set(`link ${link} is up`, {
        id: `link ${link} is up`,
        run: async () => {
          const info = await driver.getLink(link);
          return info !== undefined && isLinkUp(info);
        },
      });
    }
    for (const { gateway } of network.spec.subnets) {
      if (!gateway || parseAddress(gateway)?.family !== 4) continue;
      const id = gatewayProbeId(gateway, network.spec.name);
      probes.set(id, {
        id,
        run: () =>
          driver.probeArp(parentLink, gateway, { tries: PROBE_TRIES, intervalMs: PROBE_INTERVAL_MS }),
      });
    }
  }
  return [...probes.values()];
}

/** A gateway's probe is the network's, whatever link it hangs off: moved to another VLAN, it is the same probe. */
export function gatewayProbeId(gateway: string, network: string): string {
  return `gateway ${gateway} of network ${network} answers ARP`;
}

/** Runs probes, some at once; returns the ids of those that passed. A probe that throws fails. */
export async function passingProbes(probes: readonly Probe[], logger: Logger): Promise<Set<string>> {
  const passed = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const probe = probes[next++];
      const ok = await probe.run().catch((err: unknown) => {
        logger.debug({ err, probe: probe.id }, 'probe failed');
        return false;
      });
      if (ok) passed.add(probe.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, probes.length) }, worker));
  return passed;
}
