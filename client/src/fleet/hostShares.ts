import type { Network } from '../../../proto/gen/mvnet/v1/network';
import type { NetworkSpec } from '../specTypes';
import type { FleetHost, FleetNetwork, FleetRefusal, FleetSpec, HostShare, HostState } from './fleetTypes';
import { formatIp, formatIpPrefix, inPrefix, ipNumber, ipPrefix, type IpPrefix } from './ipNumbers';
import { parentLink } from './parentLink';
import { assignBlocks, blockCount } from './rangeBlocks';
import { selectsHost } from './selectsHost';

/** A reachable host with what was read of it. */
type Reached = { host: FleetHost; state: HostState & { reachable: true } };

/** Each subnet's per-host blocks, by `network index/subnet index`, then by host. */
type Blocks = Map<string, Map<string, IpPrefix>>;

/**
 * Each reachable host's share of the fleet file, and what the fleet refuses before any host is asked
 * to plan it. A share holds the networks whose selector picks the host (every network without one),
 * each subnet with ipRangePerHost given that host's block as its ipRange, and the host's endpoints.
 * Refused, naming the hosts: a host that cannot be reached (it gets no share), two hosts holding one
 * block, a subnet with too few blocks (the hosts left without one get no share), a parent link a host
 * lacks (a sub-interface needs the link under it: the agent makes the sub-interface), and an endpoint
 * address outside its host's range (its block, or the subnet's ipRange).
 */
export function hostShares(
  spec: FleetSpec,
  states: ReadonlyMap<string, HostState>,
): { shares: HostShare[]; refusals: FleetRefusal[] } {
  const refusals: FleetRefusal[] = [];
  const reached: Reached[] = [];
  for (const host of spec.hosts) {
    const state = states.get(host.name) ?? { reachable: false, error: 'not read' };
    if (state.reachable) reached.push({ host, state });
    else
      refusals.push({
        hosts: [host.name],
        message: `host ${host.name} (${host.address}) cannot be reached: ${state.error}`,
      });
  }
  const { blocks, unplaced } = perHostBlocks(spec, reached, refusals);
  const shares: HostShare[] = [];
  for (const { host, state } of reached) {
    if (unplaced.has(host.name)) continue;
    const networks = spec.networks.flatMap((network, i) =>
      selectsHost(network, host) ? [shareOf(network, i, host.name, blocks)] : [],
    );
    const endpoints = spec.endpoints
      .filter((e) => e.host === host.name)
      .map(({ host: _host, ...endpoint }) => endpoint);
    refusals.push(...missingParents(host.name, networks, state.links));
    shares.push({ host: host.name, spec: { networks, endpoints } });
  }
  refusals.push(...addressesOutOfRange(shares, blocks, spec.networks));
  return { shares, refusals };
}

/** Every subnet's blocks (kept, else the lowest free), and the refusals of clashes and exhaustion. */
function perHostBlocks(
  spec: FleetSpec,
  reached: readonly Reached[],
  refusals: FleetRefusal[],
): { blocks: Blocks; unplaced: Set<string> } {
  const blocks: Blocks = new Map();
  const unplaced = new Set<string>();
  spec.networks.forEach((network, i) =>
    network.subnets.forEach((subnet, j) => {
      const prefix = ipPrefix(subnet.cidr)?.prefix;
      if (subnet.ipRangePerHost === 0 || !prefix) return;
      const family = prefix.family;
      const reserved = [subnet.gateway, ...Object.values(subnet.auxAddresses)]
        .map(ipNumber)
        .flatMap((a) => (a && a.family === family ? [a.value] : []));
      const hosts = reached
        .filter(({ host }) => selectsHost(network, host))
        .map(({ host, state }) => ({
          name: host.name,
          current: currentRange(state.networks, network.name, prefix),
        }));
      const result = assignBlocks({ subnet: prefix, bits: subnet.ipRangePerHost, reserved, hosts });
      blocks.set(`${i}/${j}`, result.blocks);
      const where = `network ${network.name}, subnet ${formatIpPrefix(prefix)}`;
      for (const { block, holder, host } of result.clashes) {
        const given = result.blocks.get(host);
        refusals.push({
          hosts: [holder, host],
          message: `overlapping per-host ranges in ${where}: ${holder} and ${host} both have ${formatIpPrefix(block)}; ${holder} keeps it, ${host} ${given ? `would move to ${formatIpPrefix(given)}` : 'is left without one'}`,
        });
      }
      if (result.unplaced.length > 0) {
        result.unplaced.forEach((name) => unplaced.add(name));
        refusals.push({
          hosts: result.unplaced,
          message: `no /${subnet.ipRangePerHost} block left in ${where} for ${result.unplaced.join(', ')} (${blockCount(prefix, subnet.ipRangePerHost)} blocks, ${result.blocks.size} given): use a longer ipRangePerHost or a larger subnet`,
        });
      }
    }),
  );
  return { blocks, unplaced };
}

/** The ip_range a host's network of that name has now in the subnet (matched by its prefix). */
function currentRange(networks: readonly Network[], name: string, subnet: IpPrefix): string | undefined {
  const current = networks.find((n) => n.name === name);
  const same = current?.subnets.find((s) => {
    const prefix = ipPrefix(s.cidr)?.prefix;
    return prefix && formatIpPrefix(prefix) === formatIpPrefix(subnet);
  });
  return same?.ipRange || undefined;
}

/** A fleet network as the host's Apply takes it: no selector, each per-host range as the host's block. */
function shareOf(network: FleetNetwork, index: number, host: string, blocks: Blocks): NetworkSpec {
  const { hosts: _selector, subnets, ...rest } = network;
  return {
    ...rest,
    subnets: subnets.map(({ ipRangePerHost, ...subnet }, j) => {
      const block = ipRangePerHost === 0 ? undefined : blocks.get(`${index}/${j}`)?.get(host);
      return block ? { ...subnet, ipRange: formatIpPrefix(block) } : subnet;
    }),
  };
}

function missingParents(
  host: string,
  networks: readonly NetworkSpec[],
  links: readonly string[],
): FleetRefusal[] {
  const have = new Set(links);
  return networks.flatMap((network) => {
    const link = parentLink(network);
    if (link.needs === undefined || have.has(link.needs)) return [];
    const through = link.needs === link.parent ? '' : ` (the agent makes ${link.parent} on it)`;
    return [
      {
        hosts: [host],
        message: `host ${host} has no link ${link.needs}, the parent of network ${network.name}${through}`,
      },
    ];
  });
}

/**
 * Endpoint addresses outside their host's range: the host's block (naming the host whose block holds
 * the address, if one does), or the subnet's ipRange.
 */
function addressesOutOfRange(
  shares: readonly HostShare[],
  blocks: Blocks,
  networks: readonly FleetNetwork[],
): FleetRefusal[] {
  const refusals: FleetRefusal[] = [];
  for (const share of shares) {
    for (const endpoint of share.spec.endpoints ?? []) {
      const i = networks.findIndex((n) => n.name === endpoint.network);
      const network = share.spec.networks?.find((n) => n.name === endpoint.network);
      if (!network) continue;
      for (const text of [endpoint.ipv4Address, endpoint.ipv6Address]) {
        const address = text ? ipNumber(text) : undefined;
        const j = (network.subnets ?? []).findIndex((s) => {
          const prefix = ipPrefix(s.cidr)?.prefix;
          return address && prefix && inPrefix(prefix, address);
        });
        const range = j < 0 ? undefined : ipPrefix(network.subnets![j].ipRange)?.prefix;
        if (!address || !range || inPrefix(range, address)) continue;
        const perHost = networks[i].subnets[j].ipRangePerHost !== 0;
        const owner = perHost
          ? [...(blocks.get(`${i}/${j}`) ?? [])].find(([, block]) => inPrefix(block, address))?.[0]
          : undefined;
        refusals.push({
          hosts: owner ? [share.host, owner] : [share.host],
          message: `endpoint ${endpoint.name} of network ${network.name} on ${share.host}: ${formatIp(address)} is outside ${perHost ? `${share.host}'s block` : 'the ipRange'} ${formatIpPrefix(range)}${owner ? `, in ${owner}'s block` : ''}`,
        });
      }
    }
  }
  return refusals;
}
