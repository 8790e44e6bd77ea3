/**
 * What "restored" means, as a client and as the kernel see it. The client checks are the end of a
 * timed start (RestoreAgent.start's `ready`): each says what is still missing, or undefined. The kernel
 * check runs after the clock stopped: the host links a reboot took are there again, up, with their
 * addresses and a route to every endpoint.
 */
import type { AgentClient } from '../../client/src/AgentClient';
import { EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { NetworkState } from '../../proto/gen/mvnet/v1/network';
import { runChecked } from '../shared/runProcess';
import type { RestorePlan } from './restoreLayout';

type Check = (client: AgentClient) => Promise<string | undefined>;

/** Every network READY, every endpoint in `state`; what is not, else undefined. */
function everything(plan: RestorePlan, state: EndpointState): Check {
  return async (client) => {
    const [{ networks }, { endpoints }] = await Promise.all([client.listNetworks(), client.listEndpoints()]);
    const notReady = networks.filter((n) => n.status?.state !== NetworkState.NETWORK_STATE_READY);
    if (networks.length !== plan.networks.length || notReady.length > 0)
      return `${networks.length - notReady.length} of ${plan.networks.length} networks are READY`;
    const inState = endpoints.filter((e) => e.status?.state === state).length;
    if (endpoints.length !== plan.endpoints.length || inState !== plan.endpoints.length)
      return `${inState} of ${plan.endpoints.length} endpoints are ${EndpointState[state]}`;
    return undefined;
  };
}

/** After a restart: every network and every endpoint READY. */
export const restartedCheck = (plan: RestorePlan): Check =>
  everything(plan, EndpointState.ENDPOINT_STATE_READY);

/** After a reboot: every network READY (its host links made again), every endpoint LOST, its lease kept. */
export const rebootedCheck = (plan: RestorePlan): Check =>
  everything(plan, EndpointState.ENDPOINT_STATE_LOST);

/** An agent on an empty state: nothing at all. */
export const emptyCheck: Check = async (client) => {
  const [{ networks }, { endpoints }] = await Promise.all([client.listNetworks(), client.listEndpoints()]);
  return networks.length + endpoints.length === 0
    ? undefined
    : `${networks.length} networks, ${endpoints.length} endpoints`;
};

interface LinkJson {
  ifname: string;
  flags?: string[];
  ifalias?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/**
 * Throws unless `netns` has a macvlan carrying the agent's mark for every network, up, with one /32
 * address in the network's subnet, and a host route to every endpoint's address through one of them.
 */
export async function verifyHostLinks(netns: string, plan: RestorePlan, what: string): Promise<void> {
  const out = await runChecked(['ip', '-n', netns, '-j', '-d', '-batch', '-'], {
    input: 'addr show\nroute show\n',
  });
  const [links, routes] = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown[]);
  const problems: string[] = [];
  const shims = new Map<string, LinkJson>();
  for (const link of links as LinkJson[]) {
    const network = /^mvnet:(.+)$/.exec(link.ifalias ?? '')?.[1];
    if (network && link.linkinfo?.info_kind === 'macvlan') shims.set(network, link);
  }
  for (const n of plan.networks) {
    const shim = shims.get(n.name);
    const prefix = n.cidr.replace(/\.0\/24$/, '.');
    const v4 = (shim?.addr_info ?? []).filter((a) => a.family === 'inet');
    if (!shim) problems.push(`no shim of ${n.name}`);
    else if (!shim.flags?.includes('UP')) problems.push(`${shim.ifname} is down`);
    else if (v4.length !== 1 || !v4[0].local.startsWith(prefix) || v4[0].prefixlen !== 32)
      problems.push(
        `${shim.ifname} has ${v4.map((a) => `${a.local}/${a.prefixlen}`).join(', ') || 'no address'}`,
      );
  }
  const shimNames = new Set([...shims.values()].map((l) => l.ifname));
  const routed = new Set(
    (routes as { dst?: string; dev?: string }[]).filter((r) => shimNames.has(r.dev ?? '')).map((r) => r.dst),
  );
  const unrouted = plan.endpoints.filter((e) => !routed.has(e.address));
  if (unrouted.length > 0)
    problems.push(`${unrouted.length} endpoints without a host route (${unrouted[0].address}...)`);
  if (problems.length > 0)
    throw new Error(`${what}: ${problems.length} problems: ${problems.slice(0, 5).join('; ')}`);
}
