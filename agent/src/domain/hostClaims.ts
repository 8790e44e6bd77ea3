import {
  formatAddress,
  lastAddress,
  parseAddress,
  parsePrefix,
  prefixContains,
  type Address,
  type Prefix,
} from './ip';
import type { HostAddressing, HostRoute, NetworkSpec } from './model';

/** What the host holds of a network's addresses, beyond the network's leases. */
export interface HostClaims {
  /** Who holds an address (canonical text); undefined when nobody does. */
  holderOf(address: string): string | undefined;
  /**
   * The range of the host routes that cover `address`, so that a walk over a pool jumps over it at once
   * (a /17 inside a /16 would otherwise be 32K steps); undefined when none does.
   */
  routeSpan(address: Address): { first: bigint; last: bigint } | undefined;
}

/**
 * What the host itself holds in a network's subnets: its own addresses, and the addresses that one of
 * its routes, more specific than the subnet, sends elsewhere. An endpoint there would take an address
 * from the host, or be one the host cannot reach: asked for, it is refused naming the address or the
 * route; allocation passes over it. The links the agent made (`ownLinks`: host-access shims) carry its
 * own leases and routes, which the state accounts for: they are left out.
 */
export function hostClaims(
  network: NetworkSpec,
  host: HostAddressing,
  ownLinks: ReadonlySet<string>,
): HostClaims {
  const addresses = new Map<string, string>();
  for (const { dev, cidr } of host.addresses) {
    const parsed = parseAddress(cidr.split('/')[0]);
    if (parsed && !ownLinks.has(dev)) addresses.set(formatAddress(parsed), `the host (${cidr} on ${dev})`);
  }
  const subnets = network.subnets.map((s) => parsePrefix(s.cidr)!.prefix);
  const routes = host.routes.flatMap((route) => {
    const prefix = route.destination === 'default' ? undefined : parsePrefix(route.destination)?.prefix;
    if (!prefix || (route.dev !== undefined && ownLinks.has(route.dev))) return [];
    const within = subnets.some(
      (s) => s.family === prefix.family && prefix.bits > s.bits && overlaps(s, prefix),
    );
    return within ? [{ prefix, holder: `the host's route ${describeRoute(route)}` }] : [];
  });
  return {
    holderOf: (text) => {
      // The walks ask for every address they pass, in canonical text: a map lookup, and no parsing
      // unless there is a route to look in.
      const exact = addresses.get(text);
      if (exact !== undefined || routes.length === 0) return exact;
      const address = parseAddress(text);
      if (!address) return undefined;
      return (
        addresses.get(formatAddress(address)) ?? routes.find((r) => prefixContains(r.prefix, address))?.holder
      );
    },
    routeSpan: (address) => {
      const covering = routes.filter((r) => prefixContains(r.prefix, address)).map((r) => r.prefix);
      if (covering.length === 0) return undefined;
      const first = covering.map((p) => p.base).reduce((a, b) => (a < b ? a : b));
      const last = covering.map(lastAddress).reduce((a, b) => (a > b ? a : b));
      return { first, last };
    },
  };
}

function overlaps(subnet: Prefix, route: Prefix): boolean {
  return prefixContains(subnet, { family: route.family, value: route.base });
}

function describeRoute(route: HostRoute): string {
  const via = route.gateway ? ` via ${route.gateway}` : '';
  return `${route.destination}${via}${route.dev ? ` dev ${route.dev}` : ''}`;
}
