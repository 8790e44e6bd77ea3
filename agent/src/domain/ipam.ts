import { quoteText } from './clientText';
import { ExhaustedError, InvalidSpecError, PreconditionError } from './errors';
import {
  formatAddress,
  lastAddress,
  parseAddress,
  parsePrefix,
  prefixContains,
  type Address,
  type Family,
  type Prefix,
} from './ip';
import type { HostClaims } from './hostClaims';
import type { NetworkSpec, SubnetSpec } from './model';

/** Addresses held in a network: canonical address text → who holds it ("endpoint c1"). */
export interface Leases {
  get(address: string): string | undefined;
  has(address: string): boolean;
  /** The last address of a range held as a whole that covers `address` (a host route), if any. */
  heldUntil?(address: Address): bigint | undefined;
}

/**
 * A network's leases read as they are needed: the addresses `inFlight` holds first, then what the host
 * itself holds (`claims`: hostClaims), then a few single reads (a requested address costs one), and past
 * those all of them at once (an allocation's walk).
 */
export class LeaseLookup implements Leases {
  private all?: ReadonlyMap<string, string>;
  private reads = 0;

  constructor(
    private readonly store: {
      leaseHolder(network: string, address: string): string | undefined;
      leases(network: string): ReadonlyMap<string, string>;
    },
    private readonly network: string,
    private readonly inFlight: ReadonlyMap<string, string>,
    private readonly claims?: HostClaims,
  ) {}

  get(address: string): string | undefined {
    const held = this.inFlight.get(address) ?? this.claims?.holderOf(address);
    if (held !== undefined) return held;
    if (!this.all && ++this.reads > 4) this.all = this.store.leases(this.network);
    return this.all ? this.all.get(address) : this.store.leaseHolder(this.network, address);
  }

  has(address: string): boolean {
    return this.get(address) !== undefined;
  }

  heldUntil(address: Address): bigint | undefined {
    return this.claims?.routeSpan(address)?.last;
  }
}

/**
 * Takes an address of one family for an endpoint of `network`: the requested one, checked, or the first
 * free one of the subnets' pools (ip_range, else the subnet), never the subnet's own address, its
 * broadcast address, the gateway or an aux address. "" when the network has no subnet of that family
 * and none was requested.
 */
export function reserveAddress(
  network: NetworkSpec,
  family: Family,
  requested: string,
  leases: Leases,
  field: string,
): string {
  const subnets = network.subnets.filter((s) => parsePrefix(s.cidr)!.prefix.family === family);
  if (requested === '') return subnets.length === 0 ? '' : allocate(network, subnets, family, leases);
  if (subnets.length === 0)
    throw new InvalidSpecError(field, `network ${network.name} has no IPv${family} subnet`);
  const address = parseAddress(requested);
  if (!address || address.family !== family)
    throw new InvalidSpecError(field, `${quoteText(requested)} is not an IPv${family} address`);
  const text = formatAddress(address);
  const subnet = subnets.find((s) => prefixContains(parsePrefix(s.cidr)!.prefix, address));
  if (!subnet) {
    throw new InvalidSpecError(
      field,
      `${text} is not inside any IPv${family} subnet of network ${network.name} (${subnets.map((s) => s.cidr).join(', ')})`,
    );
  }
  const prefix = parsePrefix(subnet.cidr)!.prefix;
  if (address.value === prefix.base || (family === 4 && address.value === lastAddress(prefix))) {
    throw new InvalidSpecError(field, `${text} is the network or broadcast address of ${subnet.cidr}`);
  }
  const holder = reservedBy(subnet, text) ?? leases.get(text);
  if (holder) throw new PreconditionError(`${field}: ${text} is taken by ${holder}`);
  return text;
}

function allocate(network: NetworkSpec, subnets: SubnetSpec[], family: Family, leases: Leases): string {
  for (const subnet of subnets) {
    const free = firstFree(subnet, leases);
    if (free !== undefined) return formatAddress({ family, value: free });
  }
  throw new ExhaustedError(
    `no free IPv${family} address left in network ${network.name} (${subnets.map(describePool).join(', ')}): delete endpoints or add a subnet`,
  );
}

/**
 * The lowest address of the subnet's pool that nobody holds and its spec does not reserve. The walk
 * stops at the first gap, so it is at most as long as the leases and reserved addresses are many, and
 * each step is one lookup in a map or a set: linear in what is taken (looking each address up among
 * the aux addresses made it O(leases * aux)).
 */
function firstFree(subnet: SubnetSpec, leases: Leases): bigint | undefined {
  const prefix = parsePrefix(subnet.cidr)!.prefix;
  const pool: Prefix = subnet.ipRange ? parsePrefix(subnet.ipRange)!.prefix : prefix;
  const first = pool.base > prefix.base ? pool.base : prefix.base + 1n;
  const subnetLast = prefix.family === 4 ? lastAddress(prefix) - 1n : lastAddress(prefix);
  const last = lastAddress(pool) < subnetLast ? lastAddress(pool) : subnetLast;
  const reserved = reservedAddresses(subnet);
  for (let value = first; value <= last; value++) {
    const end = leases.heldUntil?.({ family: prefix.family, value });
    if (end !== undefined) {
      value = end; // the whole range of a host route is the host's: the walk jumps over it
      continue;
    }
    const text = formatAddress({ family: prefix.family, value });
    if (!reserved.has(text) && !leases.has(text)) return value;
  }
  return undefined;
}

/** The addresses the subnet's own spec reserves (gateway, aux addresses), as canonical text. */
function reservedAddresses(subnet: SubnetSpec): Set<string> {
  return new Set([subnet.gateway, ...Object.values(subnet.auxAddresses)]);
}

/** Who reserves an address in the subnet's own spec: the gateway, or an aux address. */
function reservedBy(subnet: SubnetSpec, address: string): string | undefined {
  if (subnet.gateway === address) return `the gateway of ${subnet.cidr}`;
  const aux = Object.entries(subnet.auxAddresses).find(([, a]) => a === address);
  return aux && `aux address ${aux[0]} of ${subnet.cidr}`;
}

function describePool(subnet: SubnetSpec): string {
  return subnet.ipRange ? `${subnet.cidr} ip_range ${subnet.ipRange}` : subnet.cidr;
}

/** The prefix length of the subnet holding `address`, for the CIDR an endpoint's link gets. */
export function prefixLengthOf(network: NetworkSpec, address: string): number {
  const parsed = parseAddress(address)!;
  return network.subnets.map((s) => parsePrefix(s.cidr)!.prefix).find((p) => prefixContains(p, parsed))!.bits;
}

/** The gateway of the subnet holding `address`. */
export function gatewayOf(network: NetworkSpec, address: string): string {
  const parsed = parseAddress(address)!;
  return network.subnets.find((s) => prefixContains(parsePrefix(s.cidr)!.prefix, parsed))!.gateway;
}

/**
 * The address the host-access shim takes in a new network: the highest free one of each subnet's pool,
 * out of the way of the endpoints, which are allocated from the bottom.
 */
export function hostShimAddresses(network: NetworkSpec, claims?: HostClaims): string[] {
  return network.subnets.map((subnet) => {
    const prefix = parsePrefix(subnet.cidr)!.prefix;
    const pool: Prefix = subnet.ipRange ? parsePrefix(subnet.ipRange)!.prefix : prefix;
    const top = prefix.family === 4 ? lastAddress(prefix) - 1n : lastAddress(prefix);
    const reserved = reservedAddresses(subnet);
    for (let value = lastAddress(pool) < top ? lastAddress(pool) : top; value > prefix.base; value--) {
      // The gateway, aux addresses and the host's own are skipped one by one; a host route's range at once.
      const span = claims?.routeSpan({ family: prefix.family, value });
      if (span) {
        value = span.first;
        continue;
      }
      const text = formatAddress({ family: prefix.family, value });
      if (!reserved.has(text) && claims?.holderOf(text) === undefined) return text;
    }
    throw new ExhaustedError(`no free address left in ${describePool(subnet)} for the host-access shim`);
  });
}

/** Who holds a network's host-access shim addresses, in its leases. */
export const SHIM_LEASE_HOLDER = 'the host-access shim';

/** An address as a host route: /32 or /128. */
export function hostRoute(address: string): string {
  return `${address}/${parseAddress(address)!.family === 4 ? 32 : 128}`;
}
