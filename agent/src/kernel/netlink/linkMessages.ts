/**
 * The rtnetlink link messages (linux/rtnetlink.h, linux/if_link.h) the kernel driver sends, and the
 * reading of the kernel's answers (RTM_NEWLINK) into the LinkInfo that `ip -j -d link show` gives.
 */
import type { LinkInfo, MacvlanMode } from '../../domain/ports/LinkDriver';
import {
  attr,
  cString,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  parseAttributes,
  textOf,
  u32,
  type Reply,
  type Request,
} from './netlinkMessage';

export const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_IFALIAS = 20;
const IFLA_NET_NS_FD = 28;
const IFLA_AF_SPEC = 26;
const IFLA_LINK_NETNSID = 37;
const AF_INET6 = 10;
const IFLA_INET6_ADDR_GEN_MODE = 8;
const IN6_ADDR_GEN_MODE_NONE = 1;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const IFLA_VLAN_ID = 1;
const IFF_UP = 0x1;
const IFF_PROMISC = 0x100;

const MACVLAN_MODES: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };
/** ifi_type (ARPHRD_*) as iproute2 names the common ones (linux/if_arp.h). */
const ARPHRD_NAMES: Record<number, string> = { 1: 'ether', 772: 'loopback', 776: 'sit', 65534: 'none' };
/** IF_OPER_* as iproute2 names them. */
const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
/** Kinds whose IFLA_LINK is a lower link; a veth's IFLA_LINK is its peer, not a parent. */
const STACKED_KINDS = new Set(['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap']);

/** struct ifinfomsg: family, type, index, flags, change. */
function ifinfomsg(index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** The six bytes of a MAC written `02:ab:...`. */
export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export interface NewMacvlan {
  name: string;
  parentIndex: number;
  mode: string;
  mac: string;
  mtu?: number;
  /** An open fd of the netns the link is made in (IFLA_NET_NS_FD). */
  netnsFd: number;
}

/** RTM_NEWLINK of a macvlan, made right inside another netns; fails (EEXIST) when the name is taken there. */
export function newMacvlan(o: NewMacvlan): Request {
  const mode = MACVLAN_MODES[o.mode];
  if (mode === undefined) throw new Error(`macvlan mode ${o.mode} is unknown`);
  const linkinfo = Buffer.concat([
    attr(IFLA_INFO_KIND, cString('macvlan')),
    attr(IFLA_INFO_DATA, attr(IFLA_MACVLAN_MODE, u32(mode))),
  ]);
  const attrs = [
    attr(IFLA_IFNAME, cString(o.name)),
    attr(IFLA_LINK, u32(o.parentIndex)),
    attr(IFLA_ADDRESS, macBytes(o.mac)),
    ...(o.mtu ? [attr(IFLA_MTU, u32(o.mtu))] : []),
    attr(IFLA_NET_NS_FD, u32(o.netnsFd)),
    attr(IFLA_LINKINFO, linkinfo),
  ];
  return {
    type: RTM_NEWLINK,
    flags: NLM_F_CREATE | NLM_F_EXCL,
    body: Buffer.concat([ifinfomsg(0), ...attrs]),
  };
}

/** RTM_GETLINK of one link by name; the reply is an RTM_NEWLINK, or ENODEV. */
export function getLinkByName(name: string): Request {
  return {
    type: RTM_GETLINK,
    flags: 0,
    body: Buffer.concat([ifinfomsg(0), attr(IFLA_IFNAME, cString(name))]),
  };
}

/** RTM_GETLINK of one link by index; the reply is an RTM_NEWLINK, or ENODEV. */
export function getLinkByIndex(index: number): Request {
  return { type: RTM_GETLINK, flags: 0, body: ifinfomsg(index) };
}

/** RTM_GETLINK of every link of the socket's netns. */
export function dumpLinks(): Request {
  return { type: RTM_GETLINK, flags: NLM_F_DUMP, body: ifinfomsg(0) };
}

/**
 * RTM_NEWLINK on an existing (down) link: its new name, and its alias unless "" (the kernel ignores
 * IFLA_IFALIAS when it makes a link). The rename comes first: when the name is taken (EEXIST) nothing changes.
 */
export function renameAndMark(index: number, name: string, alias: string): Request {
  const attrs = [
    attr(IFLA_IFNAME, cString(name)),
    ...(alias === '' ? [] : [attr(IFLA_IFALIAS, Buffer.from(alias))]),
  ];
  return { type: RTM_NEWLINK, flags: 0, body: Buffer.concat([ifinfomsg(index), ...attrs]) };
}

/** RTM_NEWLINK on an existing link: administratively up. */
export function setUp(index: number): Request {
  return { type: RTM_NEWLINK, flags: 0, body: ifinfomsg(index, IFF_UP, IFF_UP) };
}

/**
 * RTM_NEWLINK on an existing (down) link: IPv6 makes no address of its own on it (addrgenmode none),
 * so that, once up, it sends nothing of its own (no DAD, no router solicitation).
 */
export function withoutIpv6Addresses(index: number): Request {
  const inet6 = attr(AF_INET6, attr(IFLA_INET6_ADDR_GEN_MODE, Buffer.from([IN6_ADDR_GEN_MODE_NONE])));
  return { type: RTM_NEWLINK, flags: 0, body: Buffer.concat([ifinfomsg(index), attr(IFLA_AF_SPEC, inet6)]) };
}

/** RTM_DELLINK by index. */
export function deleteLink(index: number): Request {
  return { type: RTM_DELLINK, flags: 0, body: ifinfomsg(index) };
}

/** The ifindex of an RTM_NEWLINK reply. */
export function linkIndexOf(reply: Reply): number {
  return reply.payload.readInt32LE(4);
}

/** The name of an RTM_NEWLINK reply. */
export function linkNameOf(reply: Reply): string {
  const name = parseAttributes(reply.payload, 16).get(IFLA_IFNAME);
  return name === undefined ? '' : textOf(name);
}

/**
 * An RTM_NEWLINK reply as LinkInfo, read as iproute2 reads it: a lower in another namespace
 * (IFLA_LINK_NETNSID, as an endpoint's macvlan seen from its container) is no parent; `nameOf` gives
 * the name of a link of the same namespace by its index (for the parent and the master).
 */
export function linkInfoOf(reply: Reply, nameOf: (index: number) => string | undefined): LinkInfo {
  const p = reply.payload;
  const flags = p.readUInt32LE(8);
  const attrs = parseAttributes(p, 16);
  const linkinfo = parseAttributes(attrs.get(IFLA_LINKINFO) ?? Buffer.alloc(0));
  const kind = textOf(linkinfo.get(IFLA_INFO_KIND) ?? Buffer.alloc(0));
  const data = parseAttributes(linkinfo.get(IFLA_INFO_DATA) ?? Buffer.alloc(0));
  const mac = attrs.get(IFLA_ADDRESS);
  const info: LinkInfo = {
    name: textOf(attrs.get(IFLA_IFNAME) ?? Buffer.alloc(0)),
    index: p.readInt32LE(4),
    kind,
    mtu: attrs.get(IFLA_MTU)?.readUInt32LE(0) ?? 0,
    adminUp: (flags & IFF_UP) !== 0,
    operState: OPER_STATES[attrs.get(IFLA_OPERSTATE)?.readUInt8(0) ?? 0] ?? 'UNKNOWN',
    mac: mac ? [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':') : '',
    promiscuous: (flags & IFF_PROMISC) !== 0,
    linkType: ARPHRD_NAMES[p.readUInt16LE(2)] ?? `arphrd ${p.readUInt16LE(2)}`,
  };
  const lower = attrs.get(IFLA_LINK)?.readUInt32LE(0);
  const parent =
    STACKED_KINDS.has(kind) && lower !== undefined && !attrs.has(IFLA_LINK_NETNSID)
      ? nameOf(lower)
      : undefined;
  if (parent !== undefined) info.parent = parent;
  const masterIndex = attrs.get(IFLA_MASTER)?.readUInt32LE(0);
  const master = masterIndex === undefined ? undefined : nameOf(masterIndex);
  if (master !== undefined) info.master = master;
  const alias = attrs.get(IFLA_IFALIAS);
  if (alias !== undefined) info.alias = textOf(alias);
  if (kind === 'vlan' && data.has(IFLA_VLAN_ID)) info.vlanId = data.get(IFLA_VLAN_ID)!.readUInt16LE(0);
  // IFLA_INFO_DATA's attribute numbers are per kind (a VLAN's 1 is its 2-byte id, a macvlan's its mode).
  const mode = kind === 'macvlan' ? data.get(IFLA_MACVLAN_MODE)?.readUInt32LE(0) : undefined;
  const modeName = Object.keys(MACVLAN_MODES).find((m) => MACVLAN_MODES[m] === mode);
  if (modeName !== undefined && modeName !== 'source') info.macvlanMode = modeName as MacvlanMode;
  return info;
}
