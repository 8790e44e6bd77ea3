/**
 * Planning an endpoint's attachment, from a view of the host the application hands it (read under the
 * host mutex): the checks, the addresses from IPAM, the MAC, the interface name, whether it carries the
 * container's default routes. Nothing here reads the kernel or the state by itself; what is in flight
 * (other creations' names, addresses, interface names) comes in the view too.
 */
import { getsDefaultRoute } from './endpointLinks';
import { deriveMac, checkPassthruMac } from './endpointMac';
import {
  AlreadyExistsError,
  ConflictError,
  ExhaustedError,
  NotFoundError,
  PreconditionError,
} from './errors';
import { reserveAddress, type Leases } from './ipam';
import { MAX_ENDPOINTS_PER_HOST } from './limits';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';
import { netnsIdentity } from './netnsIdentity';
import type { EndpointRequest } from './normalizeEndpoint';
import { diffSpecFields } from './specDiff';

/** What other creations in flight hold (the application's reservations), as planning reads it. */
export interface HeldInFlight {
  isBusy(network: string, name: string): boolean;
  isIfnameHeld(netnsIdentity: string, ifname: string): boolean;
  isDefaultRouteHeld(netnsIdentity: string): boolean;
}

/** The host as an attachment's plan sees it. */
export interface AttachView {
  network: NetworkRecord | undefined;
  /** The endpoint of that network and name, when it exists. */
  existing: EndpointRecord | undefined;
  netnsExists: boolean;
  /** The endpoints already in the container's netns. */
  inNetns: readonly EndpointRecord[];
  /** The network's leases, those in flight included. */
  leases: Leases;
  /** The endpoints on the host, all networks, those being created included. */
  endpointsOnHost: number;
  hostId: string;
  isInternal(network: string): boolean;
  held: HeldInFlight;
}

/** What to do: nothing (the endpoint is there, ready), attach anew, or attach again (LOST or FAILED). */
export type AttachPlan =
  | { kind: 'ready'; endpoint: EndpointRecord }
  | {
      kind: 'new' | 'reattach';
      spec: EndpointSpec;
      network: NetworkRecord;
      /** The caller left ifname to the agent: on a clash with a foreign link, the next free one is taken. */
      ifnameChosen: boolean;
      /** This attachment carries the container's default routes (its first on a non-internal network). */
      withDefaultRoute: boolean;
    };

/**
 * Plans a creation: a new endpoint gets its addresses (requested, checked, or allocated), MAC and
 * interface name; the same endpoint again is returned as it is, or planned for a re-attach when LOST or
 * FAILED. Refusals are thrown, naming the field.
 */
export function planAttach(request: EndpointRequest, view: AttachView): AttachPlan {
  const { network, held } = view;
  if (!network) throw new NotFoundError(`network ${request.network} not found`);
  if (held.isBusy(request.network, request.name)) throw busy(request.network, request.name);
  if (view.existing) return planExisting(request, view.existing, network, view);
  checkPassthruMac(network.spec.mode, request.macAddress, request.network);
  if (view.endpointsOnHost >= MAX_ENDPOINTS_PER_HOST) {
    throw new ExhaustedError(
      `endpoint: this host has ${view.endpointsOnHost} endpoints, the most one agent keeps (a full ListEndpoints is one message): delete one first`,
    );
  }
  if (!view.netnsExists) {
    throw new PreconditionError(
      `endpoint.netns: network namespace ${request.netns} does not exist: start the container first`,
    );
  }
  const key = netnsIdentity(request.netnsRef);
  const used = new Set(view.inNetns.map((e) => e.spec.ifname));
  const ifname = request.ifname || nextFreeIfname((n) => used.has(n) || held.isIfnameHeld(key, n));
  const clash = view.inNetns.find((e) => e.spec.ifname === ifname);
  if (clash || held.isIfnameHeld(key, ifname)) {
    const holder = clash
      ? `endpoint ${clash.spec.name} of network ${clash.spec.network}`
      : 'an endpoint being created';
    throw new PreconditionError(`endpoint.ifname: ${ifname} in ${request.netns} is used by ${holder}`);
  }
  const spec: EndpointSpec = {
    name: request.name,
    network: request.network,
    netns: request.netns,
    netnsRef: request.netnsRef,
    ifname,
    ipv4Address: reserveAddress(network.spec, 4, request.ipv4Address, view.leases, 'endpoint.ipv4_address'),
    ipv6Address: reserveAddress(network.spec, 6, request.ipv6Address, view.leases, 'endpoint.ipv6_address'),
    macAddress: request.macAddress || deriveMac(request.network, request.name, view.hostId),
    labels: request.labels,
  };
  const withDefaultRoute =
    !network.spec.internal &&
    !held.isDefaultRouteHeld(key) &&
    getsDefaultRoute(spec, view.inNetns, view.isInternal);
  return { kind: 'new', spec, network, ifnameChosen: request.ifname === '', withDefaultRoute };
}

/** The same endpoint again: returned as it is, or re-attached when LOST or FAILED (same lease, same MAC). */
function planExisting(
  request: EndpointRequest,
  existing: EndpointRecord,
  network: NetworkRecord,
  view: AttachView,
): AttachPlan {
  const asked: Partial<EndpointSpec> = { netns: request.netns };
  for (const field of ['ifname', 'ipv4Address', 'ipv6Address', 'macAddress'] as const) {
    if (request[field] !== '') asked[field] = request[field];
  }
  if (Object.keys(request.labels).length > 0) asked.labels = request.labels;
  const differs = diffSpecFields(asked, pick(existing.spec, Object.keys(asked) as (keyof EndpointSpec)[]));
  if (differs.length > 0) {
    throw new AlreadyExistsError(
      `endpoint ${request.name} already exists on network ${request.network} with another ${differs.join(', ')}: disconnect it first or use another name`,
    );
  }
  if (existing.status.state === 'ready') return { kind: 'ready', endpoint: existing };
  return {
    kind: 'reattach',
    spec: existing.spec,
    network,
    ifnameChosen: false,
    withDefaultRoute: getsDefaultRoute(existing.spec, view.inNetns, view.isInternal),
  };
}

/** The refusal of a change to an endpoint that another request is changing. */
export function busy(network: string, name: string): ConflictError {
  return new ConflictError(
    `endpoint ${name} of network ${network} is being changed by another request: retry`,
  );
}

/** Docker's naming: eth0 for a container's first attachment, then the next free ethN. */
export function nextFreeIfname(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) if (!taken(`eth${i}`)) return `eth${i}`;
}

function pick<T extends object>(object: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, object[k]])) as Partial<T>;
}
