import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { Network, Subnet } from '../../../proto/gen/mvnet/v1/network';
import { parseCidr, withPrefixLength } from './cidr';
import { compareText, endpointStateName, modeName, stateName } from './format';

/** One entry of `IPAM.Config`, with Docker's names; empty fields are left out, as Docker's omitempty does. */
function ipamConfig(subnet: Subnet): Record<string, unknown> {
  const config: Record<string, unknown> = { Subnet: subnet.cidr, Gateway: subnet.gateway };
  if (subnet.ipRange !== '') config.IPRange = subnet.ipRange;
  if (Object.keys(subnet.auxAddresses).length > 0) config.AuxiliaryAddresses = { ...subnet.auxAddresses };
  return config;
}

/** The driver options as Docker shows them: strings, and only those that are set. */
function driverOptions(network: Network): Record<string, string> {
  const options: Record<string, string> = {};
  if (network.parent !== '') options.parent = network.parent;
  options.macvlan_mode = modeName(network.mode);
  if (network.mtu !== 0) options.mtu = String(network.mtu);
  if (network.promiscuous) options.promiscuous = 'true';
  if (network.hostAccess) options.host_access = 'true';
  return options;
}

/**
 * One endpoint as an entry of Docker's `Containers`: addresses with their subnet's prefix length, as
 * Docker shows them, "" when the endpoint has none of a family. Docker's fields first, then what it
 * has no field for: the container's netns, the interface name inside it, the observed state.
 */
export function dockerContainerView(endpoint: Endpoint, network: Network): Record<string, string> {
  const cidrs = network.subnets.map((s) => s.cidr);
  return {
    Name: endpoint.name,
    EndpointID: `${endpoint.network}/${endpoint.name}`,
    MacAddress: endpoint.macAddress,
    IPv4Address: withPrefixLength(endpoint.ipv4Address, cidrs),
    IPv6Address: withPrefixLength(endpoint.ipv6Address, cidrs),
    Netns: endpoint.netns,
    Ifname: endpoint.ifname,
    State: endpointStateName(endpoint.status?.state),
  };
}

/**
 * A network shaped like one element of `docker network inspect`, so that tools reading Docker's output
 * read ours: the name serves as Id, and `Containers` is keyed by endpoint name (Docker keys it by
 * container id; here an endpoint is named after its container). What Docker has no field for (the
 * VLAN, the observed state) is under the `Mvnet` key.
 */
export function dockerNetworkView(
  network: Network,
  endpoints: readonly Endpoint[] = [],
): Record<string, unknown> {
  const containers = Object.fromEntries(
    [...endpoints]
      .sort((a, b) => compareText(a.name, b.name))
      .map((e) => [e.name, dockerContainerView(e, network)]),
  );
  const status = network.status;
  return {
    Name: network.name,
    Id: network.name,
    Scope: 'local',
    Driver: 'macvlan',
    EnableIPv6: network.subnets.some((s) => parseCidr(s.cidr)?.family === 6),
    IPAM: { Driver: 'default', Options: {}, Config: network.subnets.map(ipamConfig) },
    Internal: network.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: driverOptions(network),
    Labels: { ...network.labels },
    Mvnet: {
      vlan_id: network.vlanId,
      status: {
        state: stateName(status?.state),
        message: status?.message ?? '',
        parent_link: status?.parentLink ?? '',
        parent_link_owned: status?.parentLinkOwned ?? false,
        revision: status?.revision ?? 0,
        endpoint_count: status?.endpointCount ?? 0,
        ...(status?.hostLink ? { host_link: status.hostLink, host_addresses: status.hostAddresses } : {}),
      },
    },
  };
}
