import type { AgentClient } from '../AgentClient';
import type { HostState } from './fleetTypes';

/** How long reading one host may take before it counts as unreachable (ms). */
export const HOST_READ_DEADLINE_MS = 10_000;

/**
 * Reads what the fleet plans against on one host: its revision, interfaces, networks and endpoints
 * (the lists read again when the host changed between them, so that they hold together), and the
 * Apply it awaits the confirmation of. Never throws: a host that does not answer within the deadline,
 * or refuses, is unreachable, with why.
 */
export async function readHost(client: AgentClient, deadlineMs = HOST_READ_DEADLINE_MS): Promise<HostState> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs / 1000} s`)), deadlineMs);
  });
  try {
    return await Promise.race([read(client), late]);
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function read(client: AgentClient): Promise<HostState> {
  for (let attempt = 1; ; attempt++) {
    const [host, networks, endpoints] = await Promise.all([
      client.getHost(),
      client.listNetworks(),
      client.listEndpoints(),
    ]);
    const revisions = new Set([host.revision, networks.revision, endpoints.revision]);
    if (revisions.size > 1 && attempt < 5) continue;
    if (revisions.size > 1) throw new Error('the host kept changing while it was read: try again');
    return {
      reachable: true,
      revision: host.revision,
      links: host.host.interfaces.map((i) => i.name),
      networks: networks.networks,
      endpoints: endpoints.endpoints,
      ...(host.pendingApply ? { pendingApplyId: host.pendingApply.applyId } : {}),
    };
  }
}
