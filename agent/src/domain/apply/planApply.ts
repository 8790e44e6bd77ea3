/**
 * Plans an Apply: the host's current state against the desired one, as a Transition the application
 * carries out. Pure: the kernel's state comes in the view the application read. Also plans the way back
 * (a rollback), the same way, to the records as they were.
 */
import { ExhaustedError } from '../errors';
import { MAX_ENDPOINTS_PER_HOST } from '../limits';
import type { EndpointRecord, HostAddressing, NetnsRef, NetworkRecord } from '../model';
import type { KernelCapabilities, LinkInfo } from '../ports/LinkDriver';
import type { DesiredState, PlanAction, PlanStep, Transition } from './applyModel';
import { splitByScope } from './applyScope';
import { planEndpoints } from './planEndpoints';
import { planNetworks } from './planNetworks';
import { Problems } from './Problems';

/** The host as an Apply's plan sees it, read by the application before it plans. */
export interface ApplyHostView {
  networks: readonly NetworkRecord[];
  endpoints: readonly EndpointRecord[];
  links: ReadonlyMap<string, LinkInfo>;
  capabilities: KernelCapabilities;
  addressing: HostAddressing;
  hostId: string;
  /** Whether a container's netns exists now (read for every ref the spec names). */
  netnsExists: (ref: NetnsRef) => boolean;
}

/** The host's state an Apply may change, kept to roll back to: every network, and the endpoints in scope. */
export interface HostSnapshot {
  networks: NetworkRecord[];
  endpoints: EndpointRecord[];
}

/** Plans the transition to `desired`; throws every problem found at once (see Problems). */
export function planApply(desired: DesiredState, host: ApplyHostView): Transition {
  return plan(desired, host);
}

/**
 * Plans the way back to `snapshot`: networks and endpoints as they were, leases and MACs included; an
 * endpoint goes back only into the namespace it was in, and one that was LOST stays LOST.
 */
export function planRollback(snapshot: HostSnapshot, host: ApplyHostView): Transition {
  const desired = {
    networks: snapshot.networks.map((n) => n.spec),
    endpoints: snapshot.endpoints.map((e) => e.spec),
  };
  return plan(desired, host, {
    networks: new Map(snapshot.networks.map((n) => [n.spec.name, n])),
    endpoints: new Map(snapshot.endpoints.map((e) => [`${e.spec.network}/${e.spec.name}`, e])),
  });
}

/** What a rollback may change: the host's networks and its endpoints in Apply's scope. */
export function snapshotOf(host: Pick<ApplyHostView, 'networks' | 'endpoints'>): HostSnapshot {
  return { networks: [...host.networks], endpoints: splitByScope(host.endpoints).inScope };
}

function plan(
  desired: DesiredState,
  host: ApplyHostView,
  restoring?: { networks: Map<string, NetworkRecord>; endpoints: Map<string, EndpointRecord> },
): Transition {
  const problems = new Problems();
  const { inScope, outOfScope } = splitByScope(host.endpoints);
  if (desired.endpoints.length + outOfScope.length > MAX_ENDPOINTS_PER_HOST) {
    throw new ExhaustedError(
      `spec.endpoints: ${desired.endpoints.length} endpoints and ${outOfScope.length} of other managers make more than a host keeps (${MAX_ENDPOINTS_PER_HOST})`,
    );
  }
  const networks = planNetworks(desired.networks, {
    current: host.networks,
    outOfScope,
    links: host.links,
    capabilities: host.capabilities,
    addressing: host.addressing,
    hostId: host.hostId,
    problems,
    restoring: restoring?.networks,
  });
  const endpoints = planEndpoints(desired.endpoints, {
    current: inScope,
    outOfScope,
    networks,
    hostId: host.hostId,
    addressing: host.addressing,
    netnsExists: host.netnsExists,
    problems,
    restoring: restoring?.endpoints,
  });
  if (!restoring) problems.throwIfAny();
  return {
    plan: ordered([...networks.steps, ...endpoints.steps]),
    detach: endpoints.detach,
    removeNetworks: networks.removals,
    createNetworks: networks.creations,
    attach: endpoints.attach,
    updateNetworks: networks.updates,
    updateEndpoints: endpoints.updates,
    deletedEndpoints: endpoints.deleted,
    deletedNetworks: networks.deleted,
  };
}

/**
 * The plan in the order a person reads the change: what goes (endpoints, then networks), what is
 * replaced, what comes (networks, then endpoints), what changes in place, then what stays.
 */
const ORDER: [PlanAction, PlanStep['kind']][] = [
  ['DELETE', 'endpoint'],
  ['DELETE', 'network'],
  ['REPLACE', 'network'],
  ['REPLACE', 'endpoint'],
  ['CREATE', 'network'],
  ['CREATE', 'endpoint'],
  ['UPDATE', 'network'],
  ['UPDATE', 'endpoint'],
  ['KEEP', 'network'],
  ['KEEP', 'endpoint'],
];

function ordered(steps: PlanStep[]): PlanStep[] {
  const rank = (s: PlanStep) => ORDER.findIndex(([a, k]) => a === s.action && k === s.kind);
  return steps
    .map((step, i) => ({ step, i }))
    .sort((x, y) => rank(x.step) - rank(y.step) || x.i - y.i)
    .map((x) => x.step);
}
