/**
 * The rtnetlink messages an attach sends, and the replies it reads (linux/netlink.h, linux/rtnetlink.h,
 * linux/if_link.h): a message is a 16-byte header, a fixed struct, then attributes (length, type,
 * payload, each padded to 4 bytes). Native byte order throughout, as the kernel uses.
 */
import ipaddr from 'ipaddr.js';

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_NEWROUTE = 24;
const RTM_NEWNSID = 88;
const RTM_GETNSID = 90;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an ack: attributes (the extended ack) follow the error. */
const NLM_F_ACK_TLVS = 0x200;
/** In an ack: the request is not echoed back (NETLINK_CAP_ACK). */
const NLM_F_CAPPED = 0x100;
const NLMSGERR_ATTR_MSG = 1;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_IFALIAS = 20;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const IFF_UP = 0x1;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_F_NODAD = 0x02;

const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RTN_UNICAST = 1;

const NETNSA_NSID = 1;
const NETNSA_FD = 3;
/** NETNSA_NSID_NOT_ASSIGNED: in a request, "any free nsid"; in an answer, "none". */
const NSID_NONE = -1;

const AF_INET = 2;
const AF_INET6 = 10;
const HEADER = 16;

const MACVLAN_MODES: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };

/** A request without its header: its type, its flags beyond REQUEST|ACK, and its body. */
export interface Request {
  type: number;
  flags: number;
  body: Buffer;
}

const align = (n: number) => (n + 3) & ~3;

/** One attribute, padded. */
function attr(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align(4 + payload.length));
  out.writeUInt16LE(4 + payload.length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const cString = (s: string) => Buffer.from(`${s}\0`);

/** struct ifinfomsg: family, type, index, flags, change. */
function ifinfomsg(index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** The whole message: header (length, type, flags, seq, port 0) and body. */
export function encodeMessage(request: Request, seq: number): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(HEADER + request.body.length, 0);
  header.writeUInt16LE(request.type, 4);
  header.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK | request.flags, 6);
  header.writeUInt32LE(seq, 8);
  return Buffer.concat([header, request.body]);
}

function macBytes(mac: string): Buffer {
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

/** RTM_DELLINK by index. */
export function deleteLink(index: number): Request {
  return { type: RTM_DELLINK, flags: 0, body: ifinfomsg(index) };
}

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

/** struct rtgenmsg, padded: AF_UNSPEC. */
const rtgenmsg = () => Buffer.alloc(4);

const s32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};

/** RTM_NEWNSID: gives the netns whose file `netnsFd` is an nsid in the socket's netns (EEXIST when it has one). */
export function newNsid(netnsFd: number): Request {
  const attrs = [attr(NETNSA_NSID, s32(NSID_NONE)), attr(NETNSA_FD, u32(netnsFd))];
  return { type: RTM_NEWNSID, flags: 0, body: Buffer.concat([rtgenmsg(), ...attrs]) };
}

/** RTM_GETNSID: the nsid the socket's netns knows the netns whose file `netnsFd` is by. */
export function getNsid(netnsFd: number): Request {
  return { type: RTM_GETNSID, flags: 0, body: Buffer.concat([rtgenmsg(), attr(NETNSA_FD, u32(netnsFd))]) };
}

/** The nsid in an RTM_GETNSID answer; undefined when the netns has none. */
export function nsidOf(reply: Reply): number | undefined {
  for (let at = 4; at + 4 <= reply.payload.length;) {
    const length = reply.payload.readUInt16LE(at);
    if (length < 4) break;
    if ((reply.payload.readUInt16LE(at + 2) & 0x3fff) === NETNSA_NSID) {
      const nsid = reply.payload.readInt32LE(at + 4);
      return nsid === NSID_NONE ? undefined : nsid;
    }
    at += align(length);
  }
  return undefined;
}

/** One message of a reply. */
export interface Reply {
  type: number;
  flags: number;
  seq: number;
  /** The message after its header. */
  payload: Buffer;
}

/** Splits what one recv() read into messages. */
export function splitMessages(buf: Buffer): Reply[] {
  const out: Reply[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const length = buf.readUInt32LE(at);
    if (length < HEADER || at + length > buf.length) break;
    out.push({
      type: buf.readUInt16LE(at + 4),
      flags: buf.readUInt16LE(at + 6),
      seq: buf.readUInt32LE(at + 8),
      payload: buf.subarray(at + HEADER, at + length),
    });
    at += align(length);
  }
  return out;
}

/** An NLMSG_ERROR: errno 0 is the ack of a success; the kernel's own message (extended ack) when it gave one. */
export function parseAck(reply: Reply): { errno: number; message?: string } {
  const { flags } = reply;
  const errno = -reply.payload.readInt32LE(0);
  if (errno === 0 || !(flags & NLM_F_ACK_TLVS)) return { errno };
  // struct nlmsgerr: the error, then the request's header (and its body unless capped); then attributes.
  let at = 4 + (flags & NLM_F_CAPPED ? HEADER : reply.payload.readUInt32LE(4));
  at = align(at);
  while (at + 4 <= reply.payload.length) {
    const length = reply.payload.readUInt16LE(at);
    const type = reply.payload.readUInt16LE(at + 2) & 0x3fff;
    if (length < 4) break;
    if (type === NLMSGERR_ATTR_MSG) {
      const text = reply.payload
        .subarray(at + 4, at + length)
        .toString()
        .replace(/\0.*$/s, '');
      return { errno, message: text };
    }
    at += align(length);
  }
  return { errno };
}

/** The ifindex of an RTM_NEWLINK reply. */
export function linkIndexOf(reply: Reply): number {
  return reply.payload.readInt32LE(4);
}
