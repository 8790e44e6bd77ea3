/**
 * Reading `ip -j -d link show` and `ip -j -d addr show` (iproute2 6.1) into the driver's LinkInfo.
 */
import { LinkInfo, MacvlanMode } from '../../domain/ports/LinkDriver';

/** Kinds whose IFLA_LINK is a lower link; a veth's IFLA_LINK is its peer, not a parent. */
const STACKED_KINDS = new Set(['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap']);
const MACVLAN_MODES = new Set<string>(['bridge', 'private', 'vepa', 'passthru']);

/** One address of `ip -j addr show`. */
export interface IpAddrJson {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
}

/** One element of `ip -j -d link show` (or `addr show`), as far as the driver reads it. */
export interface IpLinkJson {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu: number;
  operstate?: string;
  address?: string;
  link?: string;
  link_netnsid?: number;
  master?: string;
  link_type?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; mode?: string; vlan_filtering?: number } };
  addr_info?: IpAddrJson[];
}

/** The JSON array ip prints; with no link at all (or an empty dump) ip may print nothing. */
export function parseLinks(stdout: string): IpLinkJson[] {
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as IpLinkJson[]);
}

export function toLinkInfo(j: IpLinkJson): LinkInfo {
  const kind = j.linkinfo?.info_kind ?? '';
  const data = j.linkinfo?.info_data;
  const flags = j.flags ?? [];
  const info: LinkInfo = {
    name: j.ifname,
    index: j.ifindex,
    kind,
    mtu: j.mtu,
    adminUp: flags.includes('UP'),
    operState: j.operstate ?? 'UNKNOWN',
    mac: j.address ?? '',
    promiscuous: flags.includes('PROMISC'),
    linkType: j.link_type ?? 'ether',
  };
  // With link_netnsid the lower lives in another namespace and `link` names nothing here.
  if (STACKED_KINDS.has(kind) && j.link !== undefined && j.link_netnsid === undefined) info.parent = j.link;
  if (j.master !== undefined) info.master = j.master;
  if (j.ifalias !== undefined) info.alias = j.ifalias;
  if (kind === 'vlan' && data?.id !== undefined) info.vlanId = data.id;
  if (kind === 'macvlan' && data?.mode !== undefined && MACVLAN_MODES.has(data.mode)) {
    info.macvlanMode = data.mode as MacvlanMode;
  }
  return info;
}

/**
 * A link's addresses in CIDR form, in the kernel's order. The link-local ones (fe80::/64, which the
 * kernel gives every link that comes up, and 169.254/16) are left out: nobody configured them.
 */
export function addressesOf(j: IpLinkJson): string[] {
  return (j.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`);
}
