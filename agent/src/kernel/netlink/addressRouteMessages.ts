/**
 * The rtnetlink address and route messages (linux/if_addr.h, linux/rtnetlink.h) the kernel driver
 * sends, and the reading of the kernel's address answers.
 */
import ipaddr from 'ipaddr.js';
import {
  attr,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  parseAttributes,
  u32,
  type Reply,
  type Request,
} from './netlinkMessage';

const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_F_NODAD = 0x02;
/** RT_SCOPE_LINK: the addresses the kernel gives a link itself (fe80::/64), which nobody configured. */
const RT_SCOPE_LINK = 253;

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_TABLE = 15;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RTN_UNICAST = 1;

const AF_INET = 2;
const AF_INET6 = 10;

function familyOf(address: ipaddr.IPv4 | ipaddr.IPv6): number {
  return address.kind() === 'ipv4' ? AF_INET : AF_INET6;
}

/** RTM_NEWADDR of a CIDR on a link, as `ip addr add` (IPv6 without DAD: usable at once). */
export function newAddress(index: number, cidr: string): Request {
  // The family's own parser: ipaddr.parseCIDR tries IPv6 first and throws on every IPv4 address.
  const [address, prefix] = cidr.includes(':') ? ipaddr.IPv6.parseCIDR(cidr) : ipaddr.IPv4.parseCIDR(cidr);
  const family = familyOf(address);
  const head = Buffer.alloc(8);
  head.writeUInt8(family, 0);
  head.writeUInt8(prefix, 1);
  head.writeUInt8(family === AF_INET6 ? IFA_F_NODAD : 0, 2);
  head.writeUInt32LE(index, 4);
  const bytes = Buffer.from(address.toByteArray());
  return {
    type: RTM_NEWADDR,
    flags: NLM_F_CREATE | NLM_F_EXCL,
    body: Buffer.concat([head, attr(IFA_LOCAL, bytes), attr(IFA_ADDRESS, bytes)]),
  };
}

/** RTM_GETADDR of every address of the socket's netns, both families. */
export function dumpAddresses(): Request {
  return { type: RTM_GETADDR, flags: NLM_F_DUMP, body: Buffer.alloc(8) };
}

/**
 * An RTM_NEWADDR answer: the link it is on, and the address in CIDR form as `ip -j addr` gives it
 * (IFA_LOCAL, else IFA_ADDRESS); `configured` is false for the link-scope ones the kernel made itself.
 */
export function addressOf(reply: Reply): { index: number; cidr: string; configured: boolean } {
  const p = reply.payload;
  const attrs = parseAttributes(p, 8);
  const bytes = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS) ?? Buffer.alloc(0);
  const address = ipaddr.fromByteArray([...bytes]);
  const text = address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
  return {
    index: p.readUInt32LE(4),
    cidr: `${text}/${p.readUInt8(1)}`,
    configured: p.readUInt8(3) !== RT_SCOPE_LINK,
  };
}

/** RTM_GETROUTE of every route of the socket's netns, both families, every table. */
export function dumpRoutes(): Request {
  return { type: RTM_GETROUTE, flags: NLM_F_DUMP, body: Buffer.alloc(12) };
}

/** A route of the main table as the kernel reports it: its destination in CIDR form ("default" for /0). */
export interface RouteReply {
  destination: string;
  /** The outgoing link's index, when the route names one. */
  oif?: number;
  gateway?: string;
}

/** An RTM_NEWROUTE answer when it is a unicast route of the main table, else undefined. */
export function routeOf(reply: Reply): RouteReply | undefined {
  const p = reply.payload;
  const attrs = parseAttributes(p, 12);
  const table = attrs.get(RTA_TABLE)?.readUInt32LE(0) ?? p.readUInt8(4);
  if (table !== RT_TABLE_MAIN || p.readUInt8(7) !== RTN_UNICAST) return undefined;
  const bits = p.readUInt8(1);
  const text = (bytes: Buffer) => {
    const address = ipaddr.fromByteArray([...bytes]);
    return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
  };
  const dst = attrs.get(RTA_DST);
  const gateway = attrs.get(RTA_GATEWAY);
  return {
    destination: bits === 0 || !dst ? 'default' : `${text(dst)}/${bits}`,
    ...(attrs.has(RTA_OIF) ? { oif: attrs.get(RTA_OIF)!.readUInt32LE(0) } : {}),
    ...(gateway ? { gateway: text(gateway) } : {}),
  };
}

/** RTM_NEWROUTE of a default route via `gateway` out of a link, as `ip route add default via GW dev D`. */
export function newDefaultRoute(index: number, gateway: string): Request {
  const gw = gateway.includes(':') ? ipaddr.IPv6.parse(gateway) : ipaddr.IPv4.parse(gateway);
  const head = Buffer.alloc(12);
  head.writeUInt8(familyOf(gw), 0);
  head.writeUInt8(RT_TABLE_MAIN, 4);
  head.writeUInt8(RTPROT_BOOT, 5);
  head.writeUInt8(RTN_UNICAST, 7);
  return {
    type: RTM_NEWROUTE,
    flags: NLM_F_CREATE | NLM_F_EXCL,
    body: Buffer.concat([head, attr(RTA_GATEWAY, Buffer.from(gw.toByteArray())), attr(RTA_OIF, u32(index))]),
  };
}
