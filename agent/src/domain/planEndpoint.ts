/**
 * Planning an endpoint's creation, under the host mutex: the checks, and the holds (name, addresses from
 * IPAM, interface name, default route) that keep concurrent creations apart until the commit.
 */
import type { LinkDriver } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';
import { endpointsInNetns, getsDefaultRoute, tempLinkName } from './endpointLinks';
import { deriveMac } from './endpointMac';
import { AlreadyExistsError, ConflictError, NotFoundError, PreconditionError } from './errors';
import { LeaseLookup, reserveAddress } from './ipam';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';
import { netnsKey } from './netnsRef';
import type { EndpointRequest } from './normalizeEndpoint';
import type { Reservations } from './Reservations';
import { diffSpecFields } from './specDiff';

export interface PlanDeps {
  store: Store;
  driver: LinkDriver;
  reservations: Reservations;
}

/** A creation planned under the mutex: what to attach, and how to release its holds. */
export interface PlannedAttach {
  spec: EndpointSpec;
  network: NetworkRecord;
  reattach: boolean;
  /** The caller left ifname to the agent: on a clash with a foreign link, the next free one is taken. */
  ifnameChosen: boolean;
  /** This attachment carries the container's default routes (its first on a non-internal network). */
  withDefaultRoute: boolean;
  /** The link's name in the container before its rename (recorded with the pending change). */
  tmpName: string;
  release: () => void;
}

/**
 * Plans a creation: a new endpoint gets its addresses (requested, checked, or allocated), MAC and
 * interface name, all held until released; the same endpoint again is returned as it is, or planned
 * for a re-attach when LOST or FAILED. Refusals change nothing.
 */
export async function planAttach(
  deps: PlanDeps,
  request: EndpointRequest,
): Promise<PlannedAttach | { endpoint: EndpointRecord; revision: number }> {
  const { store, driver, reservations } = deps;
  const network = store.getNetwork(request.network);
  if (!network) throw new NotFoundError(`network ${request.network} not found`);
  if (reservations.isBusy(request.network, request.name)) throw busy(request.network, request.name);
  const existing = store.getEndpoint(request.network, request.name);
  if (existing) return planExisting(deps, request, existing, network);
  if (!(await driver.netnsExists(request.ref))) {
    throw new PreconditionError(
      `endpoint.netns: network namespace ${request.netns} does not exist: start the container first`,
    );
  }
  const key = netnsKey(request.ref);
  const inNetns = endpointsInNetns(store, request.ref);
  const ifname = request.ifname || freeIfname(inNetns, (n) => reservations.isIfnameHeld(key, n));
  const clash = inNetns.find((e) => e.spec.ifname === ifname);
  if (clash || reservations.isIfnameHeld(key, ifname)) {
    const holder = clash
      ? `endpoint ${clash.spec.name} of network ${clash.spec.network}`
      : 'an endpoint being created';
    throw new PreconditionError(`endpoint.ifname: ${ifname} in ${request.netns} is used by ${holder}`);
  }
  const leases = new LeaseLookup(store, request.network, new Map(reservations.addressesOf(request.network)));
  const spec: EndpointSpec = {
    name: request.name,
    network: request.network,
    netns: request.netns,
    ifname,
    ipv4Address: reserveAddress(network.spec, 4, request.ipv4Address, leases, 'endpoint.ipv4_address'),
    ipv6Address: reserveAddress(network.spec, 6, request.ipv6Address, leases, 'endpoint.ipv6_address'),
    macAddress: request.macAddress || deriveMac(request.network, request.name, store.hostId()),
  };
  const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean);
  const withDefaultRoute =
    !network.spec.internal && !reservations.isDefaultRouteHeld(key) && getsDefaultRoute(spec, store, inNetns);
  const release = reservations.hold({
    network: spec.network,
    name: spec.name,
    addresses,
    netnsKey: key,
    ifname,
    defaultRoute: withDefaultRoute,
  });
  const ifnameChosen = request.ifname === '';
  return {
    spec,
    network,
    reattach: false,
    ifnameChosen,
    withDefaultRoute,
    tmpName: tempLinkName(),
    release,
  };
}

/** The same endpoint again: returned as it is, or re-attached when LOST or FAILED (same lease, same MAC). */
function planExisting(
  deps: PlanDeps,
  request: EndpointRequest,
  existing: EndpointRecord,
  network: NetworkRecord,
): PlannedAttach | { endpoint: EndpointRecord; revision: number } {
  const asked: Partial<EndpointSpec> = { netns: request.netns };
  for (const field of ['ifname', 'ipv4Address', 'ipv6Address', 'macAddress'] as const) {
    if (request[field] !== '') asked[field] = request[field];
  }
  const differs = diffSpecFields(asked, pick(existing.spec, Object.keys(asked) as (keyof EndpointSpec)[]));
  if (differs.length > 0) {
    throw new AlreadyExistsError(
      `endpoint ${request.name} already exists on network ${request.network} with another ${differs.join(', ')}: disconnect it first or use another name`,
    );
  }
  if (existing.status.state === 'ready') return { endpoint: existing, revision: deps.store.revision() };
  const release = deps.reservations.hold({ network: request.network, name: request.name });
  const withDefaultRoute = getsDefaultRoute(existing.spec, deps.store);
  const tmpName = tempLinkName();
  return {
    spec: existing.spec,
    network,
    reattach: true,
    ifnameChosen: false,
    withDefaultRoute,
    tmpName,
    release,
  };
}

export function busy(network: string, name: string): ConflictError {
  return new ConflictError(
    `endpoint ${name} of network ${network} is being changed by another request: retry`,
  );
}

/** Docker's naming: eth0 for a container's first attachment, then the next free ethN. */
function freeIfname(inNetns: EndpointRecord[], held: (name: string) => boolean): string {
  const used = new Set(inNetns.map((e) => e.spec.ifname));
  return nextFreeIfname((name) => used.has(name) || held(name));
}

export function nextFreeIfname(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) if (!taken(`eth${i}`)) return `eth${i}`;
}

function pick<T extends object>(object: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, object[k]])) as Partial<T>;
}
