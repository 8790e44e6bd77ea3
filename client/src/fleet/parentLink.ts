import type { MacvlanMode } from '../../../proto/gen/mvnet/v1/network';
import { canonicalIp, ipPrefix, formatIpPrefix } from './ipNumbers';

/** The largest 802.1q VLAN id. */
export const MAX_VLAN_ID = 4094;

/** The fields that say where a network's endpoints hang: its parent link and VLAN. */
export interface ParentFields {
  parent?: string;
  vlanId?: number;
  internal?: boolean;
}

/** Where a network hangs on a host. */
export interface ParentLink {
  /** The parent in the agent's normal form: `eth0.30` for `parent: eth0, vlanId: 30`. */
  parent: string;
  /** The VLAN id (from the name or vlanId), 0 for none. */
  vlanId: number;
  /**
   * The link the host must have: the parent itself, or the link under a sub-interface (the agent makes
   * the sub-interface). Undefined for an internal network, which gets a dummy link of its own.
   */
  needs?: string;
}

/**
 * A network's parent as the agent reads it (Docker's rule): no parent is internal; `eth0.30` is VLAN
 * 30 on eth0, as `parent: eth0, vlanId: 30` is. A parent whose name and vlanId disagree, or whose
 * suffix after the dot is not a VLAN id, is read as written (checkFleetFile reports it).
 */
export function parentLink(network: ParentFields): ParentLink {
  const parent = network.parent ?? '';
  const vlanId = network.vlanId ?? 0;
  if (parent === '' || network.internal) return { parent: '', vlanId: 0 };
  const named = vlanInName(parent);
  if (named) return { parent, vlanId: named.vlanId, needs: named.lower };
  if (vlanId === 0) return { parent, vlanId: 0, needs: parent };
  return { parent: `${parent}.${vlanId}`, vlanId, needs: parent };
}

/** The lower link and VLAN id a sub-interface's name gives (`eth0.30`), without leading zeros. */
export function vlanInName(parent: string): { lower: string; vlanId: number } | undefined {
  const dot = parent.lastIndexOf('.');
  const id = /^[1-9]\d{0,3}$/.test(parent.slice(dot + 1)) ? Number(parent.slice(dot + 1)) : 0;
  return dot > 0 && id >= 1 && id <= MAX_VLAN_ID ? { lower: parent.slice(0, dot), vlanId: id } : undefined;
}

/**
 * The L2 segment a subnet of a network lies in, as a key: the parent's VLAN id and the subnet in normal
 * form (`30 192.168.30.0/24`). Undefined for an internal network (its dummy link is the host's alone)
 * and a subnet that is not a CIDR prefix.
 */
export function segmentKey(network: ParentFields, cidr: string): string | undefined {
  const link = parentLink(network);
  const prefix = ipPrefix(cidr)?.prefix;
  if (link.needs === undefined || !prefix) return undefined;
  return `${link.vlanId} ${formatIpPrefix(prefix)}`;
}

/** A segment key for people: `VLAN 30, 192.168.30.0/24` or `no VLAN, 10.0.0.0/24`. */
export function describeSegment(key: string): string {
  const [vlan, cidr] = key.split(' ');
  return `${vlan === '0' ? 'no VLAN' : `VLAN ${vlan}`}, ${cidr}`;
}

/** What a network's links are made of: two networks equal in these keep the same links (and shim). */
export interface LinkFields extends ParentFields {
  mode?: MacvlanMode;
  mtu?: number;
  promiscuous?: boolean;
  hostAccess?: boolean;
  subnets?: readonly { cidr: string; gateway: string }[];
}

/**
 * Whether the agent changes a network from `current` to `desired` in place (labels, ip_range and aux
 * addresses only), keeping its links and its shim's addresses, rather than replacing it. Both are
 * compared in normal form (parent, mode 0 as bridge, addresses canonical).
 */
export function changesInPlace(current: LinkFields, desired: LinkFields): boolean {
  const shape = (n: LinkFields) =>
    JSON.stringify([
      parentLink(n),
      n.mode || 1,
      n.mtu ?? 0,
      n.internal || !n.parent,
      n.promiscuous ?? false,
      n.hostAccess ?? false,
      (n.subnets ?? []).map((s) => [canonicalPrefix(s.cidr), canonicalIp(s.gateway)]),
    ]);
  return shape(current) === shape(desired);
}

function canonicalPrefix(cidr: string): string {
  const parsed = ipPrefix(cidr);
  return parsed ? formatIpPrefix(parsed.prefix) : cidr;
}
