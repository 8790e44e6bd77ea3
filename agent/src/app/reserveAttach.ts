/**
 * An attachment's reservation: what the plan needs of the kernel is read first (whether the container's
 * netns exists, the host's own addressing), then, under the host mutex, of the state and of what is in
 * flight; the domain plans it, and what the plan takes (name, addresses, interface name, default route)
 * is held until the commit releases it.
 */
import { randomBytes } from 'node:crypto';
import { hostClaims } from '../domain/hostClaims';
import { LeaseLookup } from '../domain/ipam';
import type { EndpointRecord, EndpointSpec, HostAddressing, NetworkRecord } from '../domain/model';
import { netnsIdentity } from '../domain/netnsIdentity';
import type { EndpointRequest } from '../domain/normalizeEndpoint';
import { planAttach } from '../domain/planAttach';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import type { Reservations } from './Reservations';

/** A creation reserved under the mutex: what to attach, and how to release its holds. */
export interface ReservedAttach {
  spec: EndpointSpec;
  network: NetworkRecord;
  reattach: boolean;
  /** The caller left ifname to the agent: on a clash with a foreign link, the next free one is taken. */
  ifnameChosen: boolean;
  /** This attachment carries the container's default routes. */
  withDefaultRoute: boolean;
  /** The link's name in the container before its rename (recorded with the pending change). */
  tmpName: string;
  release: () => void;
}

/** A name for an endpoint's link before its rename: random, so it is nobody else's, at most 15 bytes. */
export function tempLinkName(): string {
  return `mve${randomBytes(5).toString('hex')}`;
}

/** The host links the agent made that carry addresses and routes of its own: the networks' shims. */
function ownLinks(state: HostState): Set<string> {
  return new Set(state.listNetworks().flatMap((n) => (n.status.hostLink ? [n.status.hostLink] : [])));
}

/** What an attachment's plan needs of the kernel: read before the host mutex is taken. */
export interface KernelLook {
  netnsExists: boolean;
  addressing: HostAddressing;
}

/**
 * Reads what the plan needs of the kernel, outside the host mutex, so that attaches side by side do not
 * queue for it: the kernel is not the agent's to hold still (the host's addressing may change behind it
 * at any time, mutex or not), and the attach checks the namespace again on the fd it attaches with.
 */
export async function lookBeforeReserving(driver: LinkDriver, request: EndpointRequest): Promise<KernelLook> {
  const [netnsExists, addressing] = await Promise.all([
    driver.netnsExists(request.netnsRef),
    driver.readHostAddressing(),
  ]);
  return { netnsExists, addressing };
}

/**
 * Plans a creation and holds what it takes, under the host mutex; an endpoint that is there and ready
 * comes back as it is.
 */
export function reserveAttach(
  deps: { state: HostState; reservations: Reservations },
  request: EndpointRequest,
  look: KernelLook,
): ReservedAttach | { endpoint: EndpointRecord; revision: number } {
  const { state, reservations } = deps;
  const network = state.getNetwork(request.network);
  const inFlight = new Map(reservations.addressesOf(request.network));
  const claims = network && hostClaims(network.spec, look.addressing, ownLinks(state));
  const plan = planAttach(request, {
    network,
    existing: state.getEndpoint(request.network, request.name),
    netnsExists: look.netnsExists,
    inNetns: state.endpointsInNetns(request.netnsRef),
    leases: new LeaseLookup(state, request.network, inFlight, claims),
    endpointsOnHost: state.countEndpoints() + reservations.creating(),
    hostId: state.hostId(),
    isInternal: (network) => state.getNetwork(network)?.spec.internal ?? false,
    held: reservations,
  });
  if (plan.kind === 'ready') return { endpoint: plan.endpoint, revision: state.revision() };
  const { spec } = plan;
  const release =
    plan.kind === 'reattach'
      ? reservations.hold({ network: spec.network, name: spec.name })
      : reservations.hold({
          network: spec.network,
          name: spec.name,
          addresses: [spec.ipv4Address, spec.ipv6Address].filter(Boolean),
          netnsKey: netnsIdentity(spec.netnsRef),
          ifname: spec.ifname,
          defaultRoute: plan.withDefaultRoute,
          creating: true,
        });
  return { ...plan, reattach: plan.kind === 'reattach', tmpName: tempLinkName(), release };
}
