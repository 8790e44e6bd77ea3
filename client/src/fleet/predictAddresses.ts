import { canonicalIp, formatIp, ipPrefix, prefixLast, type Family, type IpPrefix } from './ipNumbers';

/** A subnet as a host's share gives it: its pool is ipRange (a host's block) when set. */
export interface PoolSubnet {
  cidr: string;
  gateway: string;
  ipRange: string;
  auxAddresses: { [name: string]: string };
}

/**
 * The addresses a new host-access shim takes, one per subnet, as the agent picks them
 * (agent/src/domain/ipam.ts hostShimAddresses): the highest address of the pool (ipRange, else the
 * subnet) below the subnet's top (its broadcast address for IPv4), walking down past the gateway and
 * aux addresses. The agent also passes over addresses the host itself holds (its own addresses and
 * routes in the subnet), which GetHost does not tell: the prediction assumes there are none. A subnet
 * with no address left (or not a CIDR) gives none.
 */
export function predictShimAddresses(subnets: readonly PoolSubnet[]): string[] {
  return subnets.flatMap((subnet) => {
    const pools = poolOf(subnet);
    if (!pools) return [];
    const { prefix, pool } = pools;
    const top = prefix.family === 4 ? prefixLast(prefix) - 1n : prefixLast(prefix);
    const reserved = reservedAddresses(subnet);
    for (let value = prefixLast(pool) < top ? prefixLast(pool) : top; value > prefix.base; value--) {
      const text = formatIp({ family: prefix.family, value });
      if (!reserved.has(text)) return [text];
    }
    return [];
  });
}

/**
 * The addresses the agent allocates to `count` endpoints of one family that ask for none
 * (agent/src/domain/ipam.ts reserveAddress): the lowest free ones of the subnets' pools, subnet after
 * subnet, never the subnet's own address, an IPv4 broadcast address, the gateway, an aux address or
 * one `held` already (canonical text: the addresses given, kept, and the shim's). Fewer than `count`
 * when the pools run out.
 */
export function predictAllocations(
  subnets: readonly PoolSubnet[],
  family: Family,
  held: ReadonlySet<string>,
  count: number,
): string[] {
  const picked: string[] = [];
  for (const subnet of subnets) {
    const pools = poolOf(subnet);
    if (!pools || pools.prefix.family !== family) continue;
    const { prefix, pool } = pools;
    const first = pool.base > prefix.base ? pool.base : prefix.base + 1n;
    const subnetLast = family === 4 ? prefixLast(prefix) - 1n : prefixLast(prefix);
    const last = prefixLast(pool) < subnetLast ? prefixLast(pool) : subnetLast;
    const reserved = reservedAddresses(subnet);
    for (let value = first; value <= last && picked.length < count; value++) {
      const text = formatIp({ family, value });
      if (!reserved.has(text) && !held.has(text)) picked.push(text);
    }
  }
  return picked;
}

/** The subnet and its pool, when both are CIDR prefixes. */
function poolOf(subnet: PoolSubnet): { prefix: IpPrefix; pool: IpPrefix } | undefined {
  const prefix = ipPrefix(subnet.cidr)?.prefix;
  const pool = subnet.ipRange ? ipPrefix(subnet.ipRange)?.prefix : prefix;
  return prefix && pool && pool.family === prefix.family ? { prefix, pool } : undefined;
}

/** The gateway and aux addresses, in canonical text (the agent stores them so). */
function reservedAddresses(subnet: PoolSubnet): Set<string> {
  return new Set([subnet.gateway, ...Object.values(subnet.auxAddresses)].map(canonicalIp));
}
