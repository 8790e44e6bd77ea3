import { ipPrefix, prefixLast, prefixSize, type IpPrefix } from './ipNumbers';

/** One subnet whose hosts each get a block of it (a fleet file's ipRangePerHost). */
export interface BlockRequest {
  subnet: IpPrefix;
  /** The blocks' prefix length. */
  bits: number;
  /** The subnet's gateway and aux addresses (those of its family). */
  reserved: readonly bigint[];
  /** The hosts that get the subnet, in the file's order, each with its network's current ip_range there. */
  hosts: readonly { name: string; current?: string }[];
}

/** Who gets which block. */
export interface BlockAssignment {
  blocks: Map<string, IpPrefix>;
  /** Hosts that keep the block they have. */
  kept: Set<string>;
  /** A host whose current block another host, earlier in the file, has too (it is given another). */
  clashes: { block: IpPrefix; holder: string; host: string }[];
  /** Hosts left without a block: the subnet has too few. */
  unplaced: string[];
}

/**
 * Gives each host a block of `bits` in the subnet, so that a re-plan never moves a host: a host keeps
 * its current ip_range when it is such a block (the right size, aligned, inside the subnet) and no host
 * before it in the file holds it; the others get the lowest free blocks, in the file's order. A block
 * that holds the gateway or an aux address is given only when no other is left (the agent never
 * allocates those addresses, so it still works, one address short); a block with no address the agent
 * could allocate at all (a /32 on the gateway) is never given. The walk stops once every host has a
 * block, so a wide IPv6 subnet costs what the hosts, kept blocks and reserved addresses number.
 */
export function assignBlocks(request: BlockRequest): BlockAssignment {
  const result: BlockAssignment = { blocks: new Map(), kept: new Set(), clashes: [], unplaced: [] };
  const holders = new Map<bigint, string>();
  for (const host of request.hosts) {
    const block = keepable(request, host.current);
    if (!block) continue;
    const holder = holders.get(block.base);
    if (holder !== undefined) {
      result.clashes.push({ block, holder, host: host.name });
      continue;
    }
    holders.set(block.base, host.name);
    result.blocks.set(host.name, block);
    result.kept.add(host.name);
  }
  const waiting = request.hosts.filter((h) => !result.blocks.has(h.name)).map((h) => h.name);
  const { clean, lastResort } = freeBlocks(request, new Set(holders.keys()), waiting.length);
  const free = [...clean, ...lastResort];
  waiting.forEach((name, i) => {
    if (i < free.length) result.blocks.set(name, free[i]);
    else result.unplaced.push(name);
  });
  return result;
}

/** The number of blocks of `bits` in the subnet. */
export function blockCount(subnet: IpPrefix, bits: number): bigint {
  return 1n << BigInt(bits - subnet.bits);
}

/** A host's current ip_range, when it is a block of the request's size inside the subnet. */
function keepable(request: BlockRequest, current: string | undefined): IpPrefix | undefined {
  const parsed = current ? ipPrefix(current) : undefined;
  if (!parsed?.exact) return undefined;
  const block = parsed.prefix;
  const { subnet } = request;
  const inside =
    block.family === subnet.family && block.base >= subnet.base && prefixLast(block) <= prefixLast(subnet);
  return inside && block.bits === request.bits && usable(request, block) > 0n ? block : undefined;
}

/**
 * The free blocks in ascending order, up to `wanted` of them without a reserved address, and those
 * with one (usable still) met on the way, for when the others run out.
 */
function freeBlocks(
  request: BlockRequest,
  taken: ReadonlySet<bigint>,
  wanted: number,
): { clean: IpPrefix[]; lastResort: IpPrefix[] } {
  const clean: IpPrefix[] = [];
  const lastResort: IpPrefix[] = [];
  const { subnet, bits } = request;
  const step = prefixSize({ family: subnet.family, base: 0n, bits });
  for (let base = subnet.base; base <= prefixLast(subnet) && clean.length < wanted; base += step) {
    if (taken.has(base)) continue;
    const block = { family: subnet.family, base, bits };
    if (usable(request, block) === 0n) continue;
    const holdsReserved = request.reserved.some((r) => r >= base && r <= prefixLast(block));
    (holdsReserved ? lastResort : clean).push(block);
  }
  return { clean, lastResort };
}

/**
 * How many addresses of a block the agent could allocate: not the subnet's own address, nor an IPv4
 * subnet's broadcast address, nor the gateway or an aux address.
 */
function usable(request: BlockRequest, block: IpPrefix): bigint {
  const { subnet } = request;
  const first = block.base > subnet.base ? block.base : subnet.base + 1n;
  const subnetTop = subnet.family === 4 ? prefixLast(subnet) - 1n : prefixLast(subnet);
  const last = prefixLast(block) < subnetTop ? prefixLast(block) : subnetTop;
  if (last < first) return 0n;
  const reserved = new Set(request.reserved.filter((r) => r >= first && r <= last));
  return last - first + 1n - BigInt(reserved.size);
}
