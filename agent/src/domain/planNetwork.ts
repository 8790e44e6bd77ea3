import type { KernelCapabilities, LinkInfo } from './ports/LinkDriver';
import { ExhaustedError, PreconditionError } from './errors';
import { findOverlap, type OwnedPrefix } from './findOverlap';
import { parsePrefix } from './ip';
import type { LinkOp } from './linkOps';
import { hostRoute, hostShimAddresses } from './ipam';
import { MAX_NETWORKS_PER_HOST } from './limits';
import { dummyLinkName, isMvnetMark, markFor, shimLinkName } from './marks';
import type { HostAddressing, NetworkRecord, NetworkSpec } from './model';
import { deriveShimMac } from './endpointMac';
import { hostClaims } from './hostClaims';
import { hasIpv6, IPV6_MIN_MTU, splitSubInterface } from './normalizeNetwork';

/** What the host offers a plan: its links, its kernel, its own addressing, and the networks already on it. */
export interface HostView {
  links: ReadonlyMap<string, LinkInfo>;
  capabilities: KernelCapabilities;
  networks: readonly NetworkRecord[];
  /** The host's addresses and routes; none known when absent. */
  addressing?: HostAddressing;
  /** The host's id, which the shim's MAC derives from. */
  hostId: string;
}

/** The kernel changes a new network needs, and the facts its status records. */
export interface NetworkPlan {
  parentLink: string;
  parentLinkOwned: boolean;
  promiscuousSetByAgent: boolean;
  hostLink?: string;
  hostAddresses?: string[];
  ops: LinkOp[];
}

/**
 * Plans a new network on the host, or refuses it with a PreconditionError saying what the host lacks.
 * The parent link is the given NIC or bond (never changed, but for promiscuous mode when asked), a
 * sub-interface (adopted when it exists as that VLAN, created and marked when not), or a dummy of the
 * agent's own for an internal network.
 */
export function planNetworkCreation(spec: NetworkSpec, host: HostView): NetworkPlan {
  if (host.networks.length >= MAX_NETWORKS_PER_HOST) {
    throw new ExhaustedError(
      `network: this host has ${host.networks.length} networks, the most one agent keeps (a full ListNetworks is one message): delete one first`,
    );
  }
  if (!host.capabilities.macvlan)
    throw new PreconditionError('the kernel lacks macvlan (module macvlan): no network can be created');
  checkSubnetOverlaps(spec, host.networks);
  const parent = planParentLink(spec, host);
  checkPassthru(spec, parent.parentLink, host.networks);
  if (spec.mode === 'passthru' && host.addressing) checkHostKeepsItsLink(parent.parentLink, host.addressing);
  const existing = host.links.get(parent.parentLink);
  const promiscuousSetByAgent =
    spec.promiscuous &&
    (!existing?.promiscuous ||
      onLink(host.networks, parent.parentLink).some((n) => n.status.promiscuousSetByAgent));
  const ops = [...parent.ops];
  if (spec.promiscuous && !existing?.promiscuous)
    ops.push({ op: 'setPromiscuous', name: parent.parentLink, on: true });
  if (!spec.hostAccess) return { ...parent, promiscuousSetByAgent, ops };
  const hostLink = shimLinkName(spec.name);
  const shims = new Set(host.networks.flatMap((n) => (n.status.hostLink ? [n.status.hostLink] : [])));
  const claims = host.addressing && hostClaims(spec, host.addressing, shims);
  const hostAddresses = hostShimAddresses(spec, claims);
  ops.push(...planShim(spec.name, hostLink, parent.parentLink, hostAddresses, host.hostId));
  return { ...parent, promiscuousSetByAgent, hostLink, hostAddresses, ops };
}

/**
 * The host-access shim: macvlan children of one parent reach each other, but not the parent itself,
 * so the host gets a macvlan of its own beside the endpoints, with /32 (/128) addresses, and a host
 * route per endpoint through it (added as endpoints come). No subnet route: the host may have an
 * address of the same subnet on the parent, which must keep working for everything else.
 */
export function planShim(
  network: string,
  hostLink: string,
  parentLink: string,
  addresses: string[],
  hostId: string,
): LinkOp[] {
  const mac = deriveShimMac(network, hostId);
  return [
    { op: 'createMacvlan', name: hostLink, parent: parentLink, alias: markFor(network), mac },
    ...addresses.map((a): LinkOp => ({ op: 'addAddress', name: hostLink, cidr: hostRoute(a) })),
    { op: 'setUp', name: hostLink },
  ];
}

/**
 * Plans what removing a network undoes: its parent link when the agent made it and no other network
 * uses it; promiscuous mode when the agent turned it on and no other network asks for it.
 */
export function planNetworkRemoval(record: NetworkRecord, remaining: readonly NetworkRecord[]): LinkOp[] {
  const { parentLink, parentLinkOwned, promiscuousSetByAgent } = record.status;
  const others = onLink(remaining, parentLink).filter((n) => n.spec.name !== record.spec.name);
  const shim: LinkOp[] = record.status.hostLink ? [{ op: 'delete', name: record.status.hostLink }] : [];
  if (parentLinkOwned && others.length === 0) return [...shim, { op: 'delete', name: parentLink }];
  if (promiscuousSetByAgent && !others.some((n) => n.spec.promiscuous)) {
    return [...shim, { op: 'setPromiscuous', name: parentLink, on: false }];
  }
  return shim;
}

function planParentLink(spec: NetworkSpec, host: HostView): Omit<NetworkPlan, 'promiscuousSetByAgent'> {
  if (spec.internal) return planDummyParent(spec, host);
  const sub = splitSubInterface(spec);
  const link = host.links.get(spec.parent);
  if (!sub) {
    if (!link)
      throw new PreconditionError(
        `parent ${spec.parent} does not exist on this host${missingLinkHint(spec.parent, host.capabilities)}`,
      );
    checkEthernet(link);
    checkMtu(spec, link);
    return { parentLink: spec.parent, parentLinkOwned: false, ops: [] };
  }
  const lower = host.links.get(sub.lower);
  if (!lower)
    throw new PreconditionError(
      `parent ${sub.lower} of sub-interface ${spec.parent} does not exist on this host`,
    );
  if (link) {
    if (link.kind !== 'vlan' || link.vlanId !== sub.vlanId || link.parent !== sub.lower) {
      throw new PreconditionError(
        `${spec.parent} exists but is not VLAN ${sub.vlanId} on ${sub.lower} (it is ${describeLink(link)}): rename it or pick another parent`,
      );
    }
    checkMtu(spec, link);
    const owned = isMvnetMark(link.alias);
    return {
      parentLink: spec.parent,
      parentLinkOwned: owned,
      ops: owned && !link.adminUp ? [{ op: 'setUp', name: spec.parent }] : [],
    };
  }
  if (!host.capabilities.vlan8021q) {
    throw new PreconditionError(
      `the kernel lacks 802.1q (module 8021q): cannot create sub-interface ${spec.parent}`,
    );
  }
  checkMtu(spec, lower);
  return {
    parentLink: spec.parent,
    parentLinkOwned: true,
    ops: [
      {
        op: 'createVlan',
        name: spec.parent,
        parent: sub.lower,
        vlanId: sub.vlanId,
        alias: markFor(spec.name),
      },
      { op: 'setUp', name: spec.parent },
    ],
  };
}

function planDummyParent(spec: NetworkSpec, host: HostView): Omit<NetworkPlan, 'promiscuousSetByAgent'> {
  const name = dummyLinkName(spec.name);
  const link = host.links.get(name);
  if (link && !isMvnetMark(link.alias)) {
    throw new PreconditionError(
      `link ${name}, needed as the internal network's dummy parent, exists and is not mvnet's`,
    );
  }
  if (link)
    return { parentLink: name, parentLinkOwned: true, ops: link.adminUp ? [] : [{ op: 'setUp', name }] };
  if (!host.capabilities.dummy) {
    throw new PreconditionError(
      'the kernel lacks the dummy link driver (module dummy) that internal networks need',
    );
  }
  return {
    parentLink: name,
    parentLinkOwned: true,
    ops: [
      { op: 'createDummy', name, alias: markFor(spec.name), mtu: spec.mtu || undefined },
      { op: 'setUp', name },
    ],
  };
}

/** A macvlan lives on an Ethernet link: the kernel refuses one on the loopback, a tunnel, a bare IP link. */
function checkEthernet(parent: LinkInfo): void {
  if (parent.linkType !== 'ether') {
    throw new PreconditionError(
      `parent ${parent.name} is not an Ethernet link (it is ${parent.linkType}): a macvlan network needs one`,
    );
  }
}

function checkMtu(spec: NetworkSpec, parent: LinkInfo): void {
  if (spec.mtu > parent.mtu) {
    throw new PreconditionError(
      `mtu ${spec.mtu} is above the MTU ${parent.mtu} of parent ${parent.name}: use at most ${parent.mtu}`,
    );
  }
  // A network without an MTU of its own takes the parent's, which IPv6 needs to be at least 1280.
  if (spec.mtu === 0 && parent.mtu < IPV6_MIN_MTU && hasIpv6(spec.subnets)) {
    throw new PreconditionError(
      `parent ${parent.name} has MTU ${parent.mtu}, below IPv6's minimum of ${IPV6_MIN_MTU}, and the network has an IPv6 subnet`,
    );
  }
}

/**
 * A passthru macvlan takes its parent over: the host's own traffic on it stops. A parent that carries
 * the host's addresses, or its default route, would cut the host off its network: refused.
 */
function checkHostKeepsItsLink(parentLink: string, addressing: HostAddressing): void {
  const address = addressing.addresses.find((a) => a.dev === parentLink);
  const route = addressing.routes.find((r) => r.dev === parentLink && r.destination === 'default');
  const held = address ? `the host's address ${address.cidr}` : route && `the host's default route`;
  if (held) {
    throw new PreconditionError(
      `parent ${parentLink} carries ${held}: a passthru network would take the link from the host and cut it off; use another parent, or another mode`,
    );
  }
}

/** Docker's current rule: a passthru network takes its parent alone. */
function checkPassthru(spec: NetworkSpec, parentLink: string, networks: readonly NetworkRecord[]): void {
  const others = onLink(networks, parentLink).filter((n) => n.spec.name !== spec.name);
  const passthru = others.find((n) => n.spec.mode === 'passthru');
  if (passthru) {
    throw new PreconditionError(
      `parent ${parentLink} is taken by passthru network ${passthru.spec.name}, which needs it alone`,
    );
  }
  if (spec.mode === 'passthru' && others.length > 0) {
    throw new PreconditionError(
      `parent ${parentLink} is used by network ${others[0].spec.name}: a passthru network needs its parent alone`,
    );
  }
}

/**
 * Subnets of networks on one host must not overlap (Docker's rule): the new network's against every
 * other's, in one sort and sweep (findOverlap), so the check grows as n log n with the host's subnets.
 */
function checkSubnetOverlaps(spec: NetworkSpec, networks: readonly NetworkRecord[]): void {
  type Owner = { cidr: string; network?: string };
  const prefixesOf = (subnets: readonly { cidr: string }[], network?: string): OwnedPrefix<Owner>[] =>
    subnets.map((s) => ({ prefix: parsePrefix(s.cidr)!.prefix, owner: { cidr: s.cidr, network } }));
  const others = networks
    .filter((n) => n.spec.name !== spec.name)
    .flatMap((n) => prefixesOf(n.spec.subnets, n.spec.name));
  const clash = findOverlap(prefixesOf(spec.subnets), others);
  if (clash) {
    const [mine, theirs] = clash;
    throw new PreconditionError(`subnet ${mine.cidr} overlaps ${theirs.cidr} of network ${theirs.network}`);
  }
}

function onLink(networks: readonly NetworkRecord[], parentLink: string): NetworkRecord[] {
  return networks.filter((n) => n.status.parentLink === parentLink);
}

/** A missing bond on a kernel without bonding deserves saying so: no bond can ever appear there. */
function missingLinkHint(name: string, capabilities: KernelCapabilities): string {
  if (/^bond/.test(name) && !capabilities.bonding)
    return ' (and the kernel lacks bonding, module bonding, so no bond can be made)';
  return ' (see: mvnet host info)';
}

function describeLink(link: LinkInfo): string {
  if (link.kind === 'vlan') return `VLAN ${link.vlanId} on ${link.parent ?? 'a link in another namespace'}`;
  return `a ${link.kind || 'physical'} link`;
}
