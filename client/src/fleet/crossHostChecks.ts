import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import { isOutsideApply, MANAGED_BY_LABEL } from '../spec/applyScope';
import type { NetworkSpec } from '../specTypes';
import type { FleetRefusal, FleetSpec, HostShare, HostState } from './fleetTypes';
import { canonicalIp, formatIp, inPrefix, ipNumber, ipPrefix, prefixLast, type Family } from './ipNumbers';
import { changesInPlace, describeSegment, segmentKey } from './parentLink';
import { predictAllocations, predictShimAddresses, type PoolSubnet } from './predictAddresses';

/** One address or MAC a host will have on a segment, and what holds it. */
interface Claim {
  host: string;
  /** `endpoint web1 of network vlan30`, `the host-access shim of network vlan30`. */
  holder: string;
  /** True when the agent picks it (a shim, or an endpoint given no address), not the file or the host. */
  picked: boolean;
}

/** The hosts a refusal's message lists by name; the rest are counted (its `hosts` has them all). */
const LISTED_HOSTS = 5;

/**
 * What two hosts of one L2 segment (a parent VLAN id and a subnet: segmentKey) would both have once
 * their shares are applied, as refusals naming them: the same IP address or the same MAC. Each host
 * counts the addresses and MACs its share gives its endpoints, those its current endpoints keep (the
 * ones the share keeps, and those outside Apply's scope, which no Apply touches), its host-access
 * shims (the current ones where the network changes in place, else the one the agent will pick), and
 * the addresses the agent will allocate to endpoints given none. A MAC the agent derives differs per
 * host, so only MACs given or held count. Internal networks are each host's own: never compared.
 */
export function crossHostConflicts(
  spec: FleetSpec,
  shares: readonly HostShare[],
  states: ReadonlyMap<string, HostState>,
): FleetRefusal[] {
  const claims = new Map<string, Claim[]>();
  const claim = (key: string, c: Claim) => {
    const list = claims.get(key);
    if (!list) claims.set(key, [c]);
    else if (!list.some((other) => other.host === c.host)) list.push(c);
  };
  for (const share of shares) {
    const state = states.get(share.host);
    if (state?.reachable) hostClaims(share, state, claim);
  }
  const withBlocks = new Set(
    spec.networks.flatMap((n) =>
      n.subnets.filter((s) => s.ipRangePerHost > 0).map((s) => segmentKey(n, s.cidr)),
    ),
  );
  const refusals: FleetRefusal[] = [];
  const said = new Set<string>();
  for (const [key, list] of claims) {
    if (list.length < 2) continue;
    const [kind, segment, value] = key.split('|');
    const hosts = list.map((c) => c.host);
    const once = JSON.stringify([kind, value, hosts]);
    if (said.has(once)) continue; // one MAC in each subnet of a network: said once
    said.add(once);
    const shown = list.slice(0, LISTED_HOSTS).map((c) => `${c.host} (${c.holder})`);
    if (list.length > LISTED_HOSTS) shown.push(`${list.length - LISTED_HOSTS} more`);
    const hint =
      list.every((c) => c.picked) && !withBlocks.has(segment)
        ? ': each host picks it from the same pool; give the subnet ipRangePerHost, so that each host picks from a block of its own'
        : '';
    refusals.push({
      hosts,
      message: `${kind === 'mac' ? 'MAC ' : ''}${value} is on ${hosts.length} hosts of one L2 segment (${describeSegment(segment)}): ${shown.join(', ')}${hint}`,
    });
  }
  return refusals;
}

type Claimer = (key: string, claim: Claim) => void;

/** Everything one host will hold, claimed under its segment. */
function hostClaims(share: HostShare, state: HostState & { reachable: true }, claim: Claimer): void {
  const desired = new Map((share.spec.networks ?? []).map((n) => [n.name, n]));
  const current = new Map(state.networks.map((n) => [n.name, n]));
  const host = share.host;
  /** Addresses the host holds per network (canonical), for the allocations to pass over. */
  const held = new Map<string, Set<string>>();
  const hold = (network: NetworkSpec, address: string, holder: string, picked = false) => {
    const key = addressKey(network, address);
    if (!key) return;
    claim(key, { host, holder, picked });
    if (!held.has(network.name)) held.set(network.name, new Set());
    held.get(network.name)!.add(canonicalIp(address));
  };
  const holdMac = (network: NetworkSpec, mac: string, holder: string) => {
    for (const subnet of network.subnets ?? []) {
      const segment = segmentKey(network, subnet.cidr);
      if (segment && mac)
        claim(`mac|${segment}|${mac.toLowerCase().replace(/-/g, ':')}`, { host, holder, picked: false });
    }
  };
  for (const endpoint of state.endpoints.filter(isOutsideApply)) {
    const network = desired.get(endpoint.network) ?? current.get(endpoint.network);
    if (!network) continue;
    const holder = `endpoint ${endpoint.name} of network ${endpoint.network}, managed by ${endpoint.labels[MANAGED_BY_LABEL]}`;
    for (const address of [endpoint.ipv4Address, endpoint.ipv6Address])
      if (address) hold(network, address, holder);
    holdMac(network, endpoint.macAddress, holder);
  }
  for (const network of desired.values()) {
    if (!network.hostAccess) continue;
    const now = current.get(network.name);
    const kept =
      now?.hostAccess && now.status && now.status.hostAddresses.length > 0 && changesInPlace(now, network);
    const addresses = kept ? now.status!.hostAddresses : predictShimAddresses(poolSubnets(network));
    for (const address of addresses)
      hold(network, address, `the host-access shim of network ${network.name}`, !kept);
  }
  const isHeld = (network: string, address: string) => held.get(network)?.has(canonicalIp(address)) ?? false;
  const pending = endpointClaims(share, state.endpoints, desired, { hold, holdMac, isHeld });
  for (const [family, network, names] of pending) {
    const picks = predictAllocations(
      poolSubnets(network),
      family,
      held.get(network.name) ?? new Set(),
      names.length,
    );
    picks.forEach((address, i) =>
      hold(network, address, `endpoint ${names[i]} of network ${network.name}, allocated by the agent`, true),
    );
  }
}

/**
 * The share's endpoints as the agent's Apply addresses them: the addresses given first, then those
 * an endpoint has and keeps (inside a subnet, not the gateway or an aux address, not held already);
 * returns, per network and family, the endpoints left to allocate, in the share's order.
 */
function endpointClaims(
  share: HostShare,
  now: readonly Endpoint[],
  desired: ReadonlyMap<string, NetworkSpec>,
  host: {
    hold(network: NetworkSpec, address: string, holder: string): void;
    holdMac(network: NetworkSpec, mac: string, holder: string): void;
    /** Whether the host holds the address in that network already. */
    isHeld(network: string, address: string): boolean;
  },
): [Family, NetworkSpec, string[]][] {
  const { hold, holdMac, isHeld } = host;
  const endpoints = (share.spec.endpoints ?? []).flatMap((e) => {
    const network = desired.get(e.network);
    const was = now.find((c) => c.network === e.network && c.name === e.name && !isOutsideApply(c));
    return network ? [{ e, network, was, holder: `endpoint ${e.name} of network ${e.network}` }] : [];
  });
  for (const { e, network, holder } of endpoints) {
    for (const address of [e.ipv4Address, e.ipv6Address]) {
      if (!address) continue;
      hold(network, address, holder);
    }
    holdMac(network, e.macAddress || '', holder);
  }
  const pending = new Map<string, [Family, NetworkSpec, string[]]>();
  for (const { e, network, was, holder } of endpoints) {
    if (!e.macAddress && was) holdMac(network, was.macAddress, holder);
    for (const [family, field] of [
      [4, 'ipv4Address'],
      [6, 'ipv6Address'],
    ] as const) {
      if (e[field]) continue;
      const had = was?.[field] ?? '';
      if (had && keepable(network, had) && !isHeld(network.name, had)) hold(network, had, holder);
      else if ((network.subnets ?? []).some((s) => ipPrefix(s.cidr)?.prefix.family === family)) {
        const key = `${family} ${network.name}`;
        if (!pending.has(key)) pending.set(key, [family, network, []]);
        pending.get(key)![2].push(e.name ?? e.netns);
      }
    }
  }
  return [...pending.values()];
}

/** Whether an endpoint's current address stays its own under the network's new subnets. */
function keepable(network: NetworkSpec, text: string): boolean {
  const address = ipNumber(text);
  return (network.subnets ?? []).some((s) => {
    const prefix = ipPrefix(s.cidr)?.prefix;
    if (!address || !prefix || !inPrefix(prefix, address)) return false;
    const edge =
      address.value === prefix.base || (prefix.family === 4 && address.value === prefixLast(prefix));
    const reserved = [s.gateway, ...Object.values(s.auxAddresses)].map(canonicalIp);
    return !edge && !reserved.includes(formatIp(address));
  });
}

/** `ip|<segment>|<address>` for the subnet of the network holding the address. */
function addressKey(network: NetworkSpec, text: string): string | undefined {
  const address = ipNumber(text);
  const subnet = (network.subnets ?? []).find((s) => {
    const prefix = ipPrefix(s.cidr)?.prefix;
    return address && prefix && inPrefix(prefix, address);
  });
  const segment = subnet && segmentKey(network, subnet.cidr);
  return segment && address ? `ip|${segment}|${formatIp(address)}` : undefined;
}

function poolSubnets(network: NetworkSpec): PoolSubnet[] {
  return (network.subnets ?? []).map((s) => ({
    cidr: s.cidr,
    gateway: s.gateway,
    ipRange: s.ipRange,
    auxAddresses: s.auxAddresses,
  }));
}
