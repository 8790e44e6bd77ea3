import type { Spec } from '../../../proto/gen/mvnet/v1/apply';
import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { Network } from '../../../proto/gen/mvnet/v1/network';
import type { AgentClient } from '../AgentClient';
import { isOutsideApply } from './applyScope';

/** The host's state as a spec, the revision it was read at, and the endpoints left out. */
export interface ExportedSpec {
  spec: Spec;
  revision: number;
  /** Endpoints outside Apply's scope (mvnet.io/managed-by other than `apply`), not in `spec`. */
  outOfScope: Endpoint[];
}

/** How often the two lists are read again when the host changed between them. */
const ATTEMPTS = 5;

/**
 * The host's current state as a spec that Apply takes back unchanged: its networks, and its endpoints
 * with their netns, interface, addresses and MAC (so that applying it keeps every lease), sorted by
 * name; status left for the agent. The two lists are read at one revision (read again, a few times,
 * when the host changed in between), so that no endpoint names a network the spec lacks.
 */
export async function exportSpec(client: AgentClient): Promise<ExportedSpec> {
  const { networks, endpoints, revision } = await readLists(client);
  return { spec: specFromLists(networks, endpoints), revision, outOfScope: endpoints.filter(isOutsideApply) };
}

/**
 * The host's networks and endpoints at one revision: read again, a few times, when the host changed
 * between the two lists.
 */
export async function readLists(
  client: AgentClient,
): Promise<{ networks: Network[]; endpoints: Endpoint[]; revision: number }> {
  for (let attempt = 1; ; attempt++) {
    const [{ networks, revision }, { endpoints, revision: endpointsRevision }] = await Promise.all([
      client.listNetworks(),
      client.listEndpoints(),
    ]);
    if (endpointsRevision === revision) return { networks, endpoints, revision };
    if (attempt >= ATTEMPTS)
      throw new Error(`the host kept changing while it was read (${ATTEMPTS} times): try again`);
  }
}

/**
 * A host's networks and endpoints, as read at one revision, as the spec Apply takes back unchanged:
 * status left out, endpoints outside Apply's scope left out, sorted by name.
 */
export function specFromLists(networks: readonly Network[], endpoints: readonly Endpoint[]): Spec {
  const byName = (a: { name: string }, b: { name: string }) => compare(a.name, b.name);
  return {
    networks: networks.map((n) => ({ ...n, status: undefined })).sort(byName),
    endpoints: endpoints
      .filter((e) => !isOutsideApply(e))
      .map((e) => ({ ...e, status: undefined }))
      .sort((a, b) => compare(a.network, b.network) || byName(a, b)),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
