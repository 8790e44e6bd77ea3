import type { AgentClient } from '../AgentClient';
import { readLists } from '../spec/exportSpec';
import type { HostState } from './fleetTypes';

/** How long reading one host may take before it counts as unreachable (ms). */
export const HOST_READ_DEADLINE_MS = 10_000;

/**
 * Reads what the fleet plans against on one host: its interfaces, its networks and endpoints at one
 * revision (readLists), and the Apply it awaits the confirmation of. Never throws: a host that does not answer within the deadline,
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
  // The revision is the lists' (read at one); the interfaces and the pending apply need none.
  const [host, { networks, endpoints, revision }] = await Promise.all([client.getHost(), readLists(client)]);
  return {
    reachable: true,
    revision,
    links: host.host.interfaces.map((i) => i.name),
    networks,
    endpoints,
    ...(host.pendingApply ? { pendingApplyId: host.pendingApply.applyId } : {}),
  };
}
