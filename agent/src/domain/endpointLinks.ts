import type { AttachEndpointOptions, NetnsRef } from '../kernel/LinkDriver';
import { randomBytes } from 'node:crypto';
import { gatewayOf, prefixLengthOf } from './ipam';
import { endpointMark } from './marks';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';
import type { Store } from '../store/Store';
import { netnsKey, parseNetnsRef } from './netnsRef';

/** A name for an endpoint's link before its rename: random, so it is nobody else's, at most 15 bytes. */
export function tempLinkName(): string {
  return `mve${randomBytes(5).toString('hex')}`;
}

/**
 * The kernel's view of an endpoint: a macvlan of the network's parent link, in the network's mode and
 * MTU, with the endpoint's MAC and addresses, and default routes via the subnets' gateways (none on an
 * internal network, as in Docker).
 */
export function attachOptionsFor(
  spec: EndpointSpec,
  network: NetworkRecord,
  withDefaultRoute = true,
  tmpName = tempLinkName(),
): AttachEndpointOptions {
  const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean);
  return {
    tmpName,
    parent: network.status.parentLink,
    mode: network.spec.mode,
    mac: spec.macAddress,
    mtu: network.spec.mtu || undefined,
    alias: endpointMark(spec.network, spec.name),
    netns: parseNetnsRef(spec.netns),
    ifname: spec.ifname,
    addresses: addresses.map((a) => `${a}/${prefixLengthOf(network.spec, a)}`),
    gateways:
      network.spec.internal || !withDefaultRoute ? [] : addresses.map((a) => gatewayOf(network.spec, a)),
  };
}

/**
 * The endpoints of the container whose netns is `ref`, however their netns is written (a name, its
 * path under /var/run/netns or /run/netns, a pid, /proc/PID/ns/net): the store narrows by the texts
 * that can name it, and parseNetnsRef decides.
 */
export function endpointsInNetns(store: Store, ref: NetnsRef): EndpointRecord[] {
  const key = netnsKey(ref);
  // parseNetnsRef reads pid:N with leading zeros too: those are matched exactly below.
  const candidates =
    'name' in ref
      ? store.listEndpointsByNetnsText([ref.name, `/var/run/netns/${ref.name}`, `/run/netns/${ref.name}`])
      : 'pid' in ref
        ? store.listEndpointsByNetnsText([], true)
        : store.listEndpointsByNetnsText([ref.path]);
  return candidates.filter((e) => netnsKey(parseNetnsRef(e.spec.netns)) === key);
}

/**
 * A container has one default route per family, as in Docker: it goes to its first attachment (by
 * interface number) on a network that is not internal; later attachments get none (the kernel would
 * refuse a second default route anyway). `inNetns`: the container's endpoints, when the caller has
 * read them already (endpointsInNetns).
 */
export function getsDefaultRoute(
  spec: EndpointSpec,
  store: Store,
  inNetns: EndpointRecord[] = endpointsInNetns(store, parseNetnsRef(spec.netns)),
): boolean {
  const index = (ifname: string) => Number(/(\d+)$/.exec(ifname)?.[1] ?? Infinity);
  return !inNetns.some(
    (other) =>
      !(other.spec.network === spec.network && other.spec.name === spec.name) &&
      !store.getNetwork(other.spec.network)?.spec.internal &&
      index(other.spec.ifname) < index(spec.ifname),
  );
}
