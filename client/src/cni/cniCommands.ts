import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { AgentConnection, CallError, GrpcStatus } from './agentUnary';
import {
  decodeEndpoints,
  decodeErrorReason,
  decodeNetwork,
  decodeServing,
  encodeCreateEndpoint,
  encodeStrings,
  Paths,
  type Endpoint,
} from './agentWire';
import { CniCode, CniError } from './cniError';
import type { CniRequest } from './cniRequest';
import { addResult, subnetOf } from './cniResult';
import { ERROR_DOMAIN, ErrorReason } from '../errorReasons';

/** Labels of the endpoints the plugin makes: the manager (which keeps Apply and the fleet away), and the attachment. */
export const MANAGED_BY = 'mvnet.io/managed-by';
export const LABEL_CONTAINER_ID = 'cni.mvnet.io/container-id';
export const LABEL_IFNAME = 'cni.mvnet.io/ifname';
export const LABEL_NETWORK = 'cni.mvnet.io/network';

/** How long a call to the agent may take: an attach with address probes takes seconds at most. */
const DEADLINE_MS = 60_000;

/** READY in mvnet.v1.EndpointState. */
const ENDPOINT_READY = 1;

/** The endpoint of one attachment: `cni-` and 20 hex digits of sha256(container id "/" ifname), within the 64-character rule. */
export function endpointName(containerId: string, ifname: string): string {
  return `cni-${createHash('sha256').update(`${containerId}/${ifname}`).digest('hex').slice(0, 20)}`;
}

/** The agent's refusal, or its absence, as a CNI error. */
function cniErrorOf(err: unknown, agent: string): CniError {
  if (err instanceof CniError) return err;
  if (!(err instanceof CallError)) return new CniError(CniCode.IO_FAILURE, (err as Error).message);
  switch (err.status) {
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new CniError(
        CniCode.TRY_AGAIN_LATER,
        `mvnet-agent cannot be reached at ${agent}: try again later`,
        err.details,
      );
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.NOT_FOUND:
      return new CniError(CniCode.INVALID_NETWORK_CONFIG, err.details);
    case GrpcStatus.FAILED_PRECONDITION:
      // An Apply awaiting confirmation refuses every change until it is confirmed or rolled back.
      if (decodeErrorReason(err.statusDetails, ERROR_DOMAIN) === ErrorReason.APPLY_AWAITS_CONFIRMATION)
        return new CniError(
          CniCode.TRY_AGAIN_LATER,
          'mvnet-agent takes no changes while an Apply awaits confirmation: try again later',
          err.details,
        );
      return new CniError(CniCode.AGENT_REFUSED, err.details);
    default:
      return new CniError(CniCode.AGENT_REFUSED, err.details);
  }
}

/** Runs the calls of `work` on one connection to the agent, closed after; the agent's refusals as CNI errors. */
async function withAgent<T>(request: CniRequest, work: (agent: AgentConnection) => Promise<T>): Promise<T> {
  const agent = new AgentConnection(request.config.agent);
  try {
    return await work(agent);
  } catch (err) {
    throw cniErrorOf(err, request.config.agent);
  } finally {
    agent.close();
  }
}

/** Whether the agent answered NOT_FOUND: for a DEL or a GC, the thing is already gone. */
function isGone(err: unknown): boolean {
  return err instanceof CallError && err.status === GrpcStatus.NOT_FOUND;
}

/** Calls, taking NOT_FOUND as "already gone". */
async function unlessGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isGone(err)) throw err;
  }
}

export async function cniAdd(request: CniRequest): Promise<Record<string, unknown>> {
  if (!fs.existsSync(request.netns))
    throw new CniError(CniCode.UNKNOWN_CONTAINER, `the network namespace ${request.netns} does not exist`);
  const { config } = request;
  const asked = config.ips.map((text) => {
    const [address, prefix] = text.split('/');
    return { address, prefix: prefix === undefined ? undefined : Number(prefix), text };
  });
  const endpoint: Endpoint = {
    name: endpointName(request.containerId, request.ifname),
    network: config.network,
    netns: request.netns,
    ifname: request.ifname,
    ipv4Address: asked.find((a) => !a.address.includes(':'))?.address ?? '',
    ipv6Address: asked.find((a) => a.address.includes(':'))?.address ?? '',
    macAddress: config.mac,
    status: undefined,
    labels: {
      [MANAGED_BY]: 'cni',
      [LABEL_CONTAINER_ID]: request.containerId,
      [LABEL_IFNAME]: request.ifname,
      [LABEL_NETWORK]: config.name,
    },
  };
  return withAgent(request, async (agent) => {
    const networkCall = agent.call(Paths.getNetwork, encodeStrings(config.network), DEADLINE_MS);
    // An address given with a prefix must be in the network's subnet of that prefix (the network
    // decides it): checked before anything is made. Without one, both calls go at once.
    if (asked.some((a) => a.prefix !== undefined)) checkPrefixes(asked, await networkCall, config.network);
    const [networkBytes, endpointBytes] = await Promise.all([
      networkCall,
      agent.call(Paths.createEndpoint, encodeCreateEndpoint(endpoint), DEADLINE_MS),
    ]);
    const network = decodeNetwork(networkBytes);
    const [made] = decodeEndpoints(endpointBytes);
    if (!network || !made)
      throw new CniError(CniCode.AGENT_REFUSED, 'the agent answered without the network or the endpoint');
    return addResult(request, made, network);
  });
}

function checkPrefixes(
  asked: { address: string; prefix?: number; text: string }[],
  networkBytes: Uint8Array,
  name: string,
): void {
  const network = decodeNetwork(networkBytes);
  if (!network) throw new CniError(CniCode.AGENT_REFUSED, `the agent sent no network ${name}`);
  for (const { address, prefix, text } of asked) {
    if (prefix === undefined || subnetOf(network, address)?.prefix === prefix) continue;
    throw new CniError(
      CniCode.INVALID_NETWORK_CONFIG,
      `ips: ${text} is not in a /${prefix} subnet of network ${name} (${network.subnets.map((s) => s.cidr).join(', ')})`,
    );
  }
}

export async function cniDel(request: CniRequest): Promise<void> {
  const name = endpointName(request.containerId, request.ifname);
  await withAgent(request, (agent) =>
    unlessGone(agent.call(Paths.deleteEndpoint, encodeStrings(request.config.network, name), DEADLINE_MS)),
  );
}

export async function cniCheck(request: CniRequest): Promise<void> {
  const name = endpointName(request.containerId, request.ifname);
  const [endpoint] = await withAgent(request, async (agent) =>
    decodeEndpoints(
      await agent.call(Paths.getEndpoint, encodeStrings(request.config.network, name), DEADLINE_MS),
    ),
  );
  const failed = (why: string) =>
    new CniError(CniCode.CHECK_FAILED, `${request.ifname} of container ${request.containerId}: ${why}`);
  if (!endpoint) throw failed('the agent has no such endpoint');
  if (endpoint.status?.state !== ENDPOINT_READY)
    throw failed(`endpoint ${name} is not ready: ${endpoint.status?.message || 'LOST or FAILED'}`);
  if (endpoint.netns !== request.netns)
    throw failed(`the endpoint is in ${endpoint.netns}, not ${request.netns}`);
  const prev = request.config.prevResult;
  if (!prev) return;
  const interfaces = Array.isArray(prev.interfaces)
    ? (prev.interfaces as { name?: unknown; mac?: unknown }[])
    : [];
  const iface = interfaces.find((i) => i.name === request.ifname);
  if (iface && iface.mac !== endpoint.macAddress)
    throw failed(`its MAC is ${endpoint.macAddress}, the previous result says ${String(iface.mac)}`);
  const had = (Array.isArray(prev.ips) ? (prev.ips as { address?: unknown }[]) : []).map(
    (ip) => String(ip.address).split('/')[0],
  );
  const has = [endpoint.ipv4Address, endpoint.ipv6Address].filter(Boolean);
  if (had.length > 0 && (had.length !== has.length || had.some((a) => !has.includes(a))))
    throw failed(`its addresses are ${has.join(', ') || 'none'}, the previous result says ${had.join(', ')}`);
}

export async function cniStatus(request: CniRequest): Promise<void> {
  const agent = new AgentConnection(request.config.agent);
  let serving: boolean;
  try {
    serving = decodeServing(
      await agent.call(Paths.healthCheck, encodeStrings('mvnet.v1.AgentService'), 5000),
    );
  } catch (err) {
    throw new CniError(
      CniCode.PLUGIN_NOT_AVAILABLE,
      `mvnet-agent cannot be reached at ${request.config.agent}`,
      (err as Error).message,
    );
  } finally {
    agent.close();
  }
  if (!serving)
    throw new CniError(CniCode.PLUGIN_NOT_AVAILABLE, `mvnet-agent at ${request.config.agent} is not serving`);
}

/**
 * GC: this CNI network's endpoints (made by this plugin, labelled with the config's name) whose
 * attachment the runtime no longer lists are deleted; nothing else is touched.
 */
export async function cniGc(request: CniRequest): Promise<void> {
  const { config } = request;
  if (!config.validAttachments)
    throw new CniError(
      CniCode.INVALID_NETWORK_CONFIG,
      'cni.dev/valid-attachments: GC needs the attachments the runtime still has',
    );
  const valid = new Set(config.validAttachments.map((a) => endpointName(a.containerID, a.ifname)));
  await withAgent(request, async (agent) => {
    let endpoints: Endpoint[];
    try {
      endpoints = decodeEndpoints(
        await agent.call(Paths.listEndpoints, encodeStrings(config.network), DEADLINE_MS),
      );
    } catch (err) {
      if (isGone(err)) return; // no network: nothing of ours
      throw err;
    }
    const stale = endpoints.filter(
      (e) =>
        e.labels[MANAGED_BY] === 'cni' &&
        e.labels[LABEL_NETWORK] === config.name &&
        e.name === endpointName(e.labels[LABEL_CONTAINER_ID] ?? '', e.labels[LABEL_IFNAME] ?? '') &&
        !valid.has(e.name),
    );
    for (const e of stale)
      await unlessGone(agent.call(Paths.deleteEndpoint, encodeStrings(e.network, e.name), DEADLINE_MS));
  });
}
