/**
 * The benchmark's namespaces, and its simulated reboot. A host is a netns whose `eth0` is a veth
 * plugged into the switch's bridge (bench/shared/benchNamespaces.ts makes the first host and the
 * switch; the peers' hosts are plugged in beside it). A reboot takes every link away: the host netns
 * is deleted with everything in it (the agent's shims, sub-interfaces and routes) and so are the
 * containers' (their endpoints with them: no container outlives a reboot); then the host comes back
 * as a machine boots, with its eth0 alone.
 */
import { addNamespaces, deleteNamespaces, ipBatch } from '../shared/benchNamespaces';
import { EMPTY_HOST_NETNS, FLOOR_HOST_NETNS, HOST_NETNS, RESTORE_HOST } from './restoreLayout';

/** The switch port each host's eth0 is plugged into. */
const PORTS: Record<string, string> = {
  [HOST_NETNS]: 'port1',
  [EMPTY_HOST_NETNS]: 'port2',
  [FLOOR_HOST_NETNS]: 'port3',
};

/** Makes `host` with its eth0 up, a veth whose peer is a port of the switch's bridge. */
export async function plugHost(host: string): Promise<void> {
  const port = PORTS[host];
  await addNamespaces([host]);
  await ipBatch(
    [
      `link add eth0 type veth peer name ${port} netns ${RESTORE_HOST.switch}`,
      'link set dev eth0 up',
      'link set dev lo up',
    ],
    host,
  );
  await ipBatch([`link set dev ${port} master br0 up`], RESTORE_HOST.switch);
}

/** Makes the container namespaces (lo up is not needed: the agent's links are all they hold). */
export async function addContainers(containers: readonly string[]): Promise<void> {
  await addNamespaces([...containers]);
}

/**
 * A reboot as the kernel sees it: `host` and every container netns deleted with all their links,
 * the kernel left to free them, then `host` made again with its eth0 alone.
 */
export async function rebootHost(host: string, containers: readonly string[]): Promise<void> {
  await deleteNamespaces([host, ...containers]);
  await plugHost(host);
}
