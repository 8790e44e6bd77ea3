import ipaddr from 'ipaddr.js';
import type { CniRequest } from './cniRequest';
import type { Endpoint, Network } from './agentWire';

/** One address of a result, with its subnet's prefix and gateway. */
interface ResultIp {
  address: string;
  gateway?: string;
  interface: number;
  /** 0.4.0 results only. */
  version?: '4' | '6';
}

/**
 * The CNI result of an ADD (SPEC.md, "Success"): the container's interface, as the kernel has it (the
 * MAC the agent read back after attaching), and its addresses with their subnets' prefixes and
 * gateways. The agent sets the routes itself; they are not repeated here.
 */
export function addResult(
  request: CniRequest,
  endpoint: Endpoint,
  network: Network,
): Record<string, unknown> {
  const version = request.config.cniVersion;
  const ips: ResultIp[] = [];
  for (const address of [endpoint.ipv4Address, endpoint.ipv6Address]) {
    if (address === '') continue;
    const subnet = subnetOf(network, address);
    const ip: ResultIp = {
      address: `${address}/${subnet?.prefix ?? (address.includes(':') ? 128 : 32)}`,
      interface: 0,
    };
    if (subnet?.gateway) ip.gateway = subnet.gateway;
    if (version === '0.4.0') ip.version = address.includes(':') ? '6' : '4';
    ips.push(ip);
  }
  const iface: Record<string, unknown> = {
    name: request.ifname,
    mac: endpoint.macAddress,
    sandbox: request.netns,
  };
  if (version === '1.1.0' && network.mtu > 0) iface.mtu = network.mtu;
  return { cniVersion: version, interfaces: [iface], ips, routes: [], dns: {} };
}

/** The network's subnet holding `address`: its prefix length and gateway. */
export function subnetOf(network: Network, address: string): { prefix: number; gateway: string } | undefined {
  const parsed = ipaddr.parse(address);
  for (const subnet of network.subnets) {
    const [base, prefix] = ipaddr.parseCIDR(subnet.cidr);
    if (base.kind() === parsed.kind() && parsed.match(base, prefix))
      return { prefix, gateway: subnet.gateway };
  }
  return undefined;
}
