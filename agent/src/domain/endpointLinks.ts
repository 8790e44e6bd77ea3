import type { AttachEndpointOptions } from './ports/LinkDriver';
import { gatewayOf, prefixLengthOf } from './ipam';
import { endpointMark } from './marks';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';

/**
 * The kernel's view of an endpoint: a macvlan of the network's parent link, in the network's mode and
 * MTU, with the endpoint's MAC and addresses, and default routes via the subnets' gateways (none on an
 * internal network, as in Docker). `tmpName`: the link's name in the container before its rename.
 */
export function attachOptionsFor(
  spec: EndpointSpec,
  network: NetworkRecord,
  withDefaultRoute: boolean,
  tmpName: string,
): AttachEndpointOptions {
  const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean);
  return {
    tmpName,
    parent: network.status.parentLink,
    mode: network.spec.mode,
    mac: spec.macAddress,
    mtu: network.spec.mtu || undefined,
    alias: endpointMark(spec.network, spec.name),
    netns: spec.netnsRef,
    ifname: spec.ifname,
    addresses: addresses.map((a) => `${a}/${prefixLengthOf(network.spec, a)}`),
    gateways:
      network.spec.internal || !withDefaultRoute ? [] : addresses.map((a) => gatewayOf(network.spec, a)),
    // Only into the namespace the endpoint was attached into (absent: a client's first attach).
    netnsInstance: spec.netnsInstance,
  };
}

/**
 * A container has one default route per family, as in Docker: it goes to its first attachment (by
 * interface number) on a network that is not internal; later attachments get none (the kernel would
 * refuse a second default route anyway). `inNetns`: the container's endpoints; `isInternal` tells
 * whether a network is internal.
 */
export function getsDefaultRoute(
  spec: EndpointSpec,
  inNetns: readonly EndpointRecord[],
  isInternal: (network: string) => boolean,
): boolean {
  const index = (ifname: string) => Number(/(\d+)$/.exec(ifname)?.[1] ?? Infinity);
  return !inNetns.some(
    (other) =>
      !(other.spec.network === spec.network && other.spec.name === spec.name) &&
      !isInternal(other.spec.network) &&
      index(other.spec.ifname) < index(spec.ifname),
  );
}
