/**
 * The rtnetlink notifications the link monitor hears, read into LinkChanges: RTM_NEWLINK/RTM_DELLINK
 * (linux/if_link.h) and RTM_NEWADDR/RTM_DELADDR (linux/if_addr.h).
 *
 * A change's `detail` is the kernel's account of the state, as a canonical text of the attributes
 * that define it, so that equal texts mean equal states (DriftService.repeats counts on it): for a
 * link its index, name, flags, MTU, operstate, master and lower link, kind (and a macvlan's mode, a
 * VLAN's id), MAC and alias; for an address its family, address and prefix, peer, flags, scope and
 * label. Counters (IFLA_STATS*, carrier changes) and timers (an address's lifetimes) are left out: the
 * kernel reports a link again when a macvlan on it changes, with other counters and the same state.
 *
 * A message that cannot be read whole (shorter than its header, an attribute that overruns it, a link
 * without a name, an address of the wrong length) is an UnreadableMessage: the monitor then re-reads
 * the kernel (a gap) rather than guess.
 */
import ipaddr from 'ipaddr.js';
import type { LinkChange } from '../../domain/ports/LinkChangeSource';
import { align, textOf, type Reply } from './netlinkMessage';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;

const [IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER] = [1, 3, 4, 5, 10];
const [IFLA_OPERSTATE, IFLA_LINKINFO, IFLA_IFALIAS, IFLA_LINK_NETNSID] = [16, 18, 20, 37];
const [IFLA_INFO_KIND, IFLA_INFO_DATA, IFLA_MACVLAN_MODE, IFLA_VLAN_ID] = [1, 2, 1, 1];
const [IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_FLAGS] = [1, 2, 3, 8];
const [AF_INET, AF_INET6] = [2, 10];
/** IFNAMSIZ less its NUL. */
const MAX_IFNAME = 15;
const NLA_TYPE_MASK = 0x3fff;

/** A notification that cannot be read whole: the monitor treats it as lost. */
export class UnreadableMessage extends Error {
  override name = 'UnreadableMessage';
}

/** The attributes from `at` on, by type (the last wins); throws on one that overruns the message. */
function attributesOf(buf: Buffer, at: number, what: string): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  while (at < buf.length) {
    if (at + 4 > buf.length) throw new UnreadableMessage(`${what}: a truncated attribute header`);
    const length = buf.readUInt16LE(at);
    if (length < 4 || at + length > buf.length)
      throw new UnreadableMessage(`${what}: an attribute of ${length} bytes at ${at} overruns ${buf.length}`);
    out.set(buf.readUInt16LE(at + 2) & NLA_TYPE_MASK, buf.subarray(at + 4, at + length));
    at += align(length);
  }
  return out;
}

const u32Of = (b: Buffer | undefined) => (b !== undefined && b.length >= 4 ? b.readUInt32LE(0) : undefined);
const hex = (b: Buffer | undefined) =>
  b === undefined ? '' : [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const text = (b: Buffer | undefined) => (b === undefined ? '' : JSON.stringify(textOf(b)));

/** The kind, and what of the kind's data defines the link: a macvlan's mode, a VLAN's id. */
function kindOf(linkinfo: Buffer | undefined): string {
  if (linkinfo === undefined) return '';
  const info = attributesOf(linkinfo, 0, 'IFLA_LINKINFO');
  const kind = textOf(info.get(IFLA_INFO_KIND) ?? Buffer.alloc(0));
  const data = info.get(IFLA_INFO_DATA);
  const attrs = data === undefined ? undefined : attributesOf(data, 0, 'IFLA_INFO_DATA');
  if (kind === 'macvlan') return `macvlan mode=${u32Of(attrs?.get(IFLA_MACVLAN_MODE)) ?? ''}`;
  const vlan = attrs?.get(IFLA_VLAN_ID);
  if (kind === 'vlan' && vlan !== undefined && vlan.length >= 2) return `vlan id=${vlan.readUInt16LE(0)}`;
  return kind;
}

function readLink(p: Buffer, nsid: LinkChange['nsid'], deleted: boolean): LinkChange {
  if (p.length < 16) throw new UnreadableMessage(`a link message of ${p.length} bytes`);
  const attrs = attributesOf(p, 16, 'a link message');
  const ifname = textOf(attrs.get(IFLA_IFNAME) ?? Buffer.alloc(0));
  if (ifname.length === 0 || Buffer.byteLength(ifname) > MAX_IFNAME)
    throw new UnreadableMessage(
      `a link message without a valid name (${JSON.stringify(ifname.slice(0, 32))})`,
    );
  const operstate = attrs.get(IFLA_OPERSTATE);
  const detail = [
    `link ${p.readInt32LE(4)} ${ifname}`,
    `flags=${p.readUInt32LE(8).toString(16)}`,
    `mtu=${u32Of(attrs.get(IFLA_MTU)) ?? ''}`,
    `operstate=${operstate?.length ? operstate.readUInt8(0) : ''}`,
    `master=${u32Of(attrs.get(IFLA_MASTER)) ?? ''}`,
    `link=${u32Of(attrs.get(IFLA_LINK)) ?? ''}`,
    `link-netnsid=${u32Of(attrs.get(IFLA_LINK_NETNSID)) ?? ''}`,
    `kind=${kindOf(attrs.get(IFLA_LINKINFO))}`,
    `address=${hex(attrs.get(IFLA_ADDRESS))}`,
    `alias=${text(attrs.get(IFLA_IFALIAS))}`,
  ].join(' ');
  return { nsid, what: 'link', deleted, ifname, detail };
}

function readAddress(
  p: Buffer,
  nsid: LinkChange['nsid'],
  deleted: boolean,
  linkName: (index: number) => string | undefined,
): LinkChange | undefined {
  if (p.length < 8) throw new UnreadableMessage(`an address message of ${p.length} bytes`);
  const [family, prefix, flags, scope, index] = [p[0], p[1], p[2], p[3], p.readUInt32LE(4)];
  if (family !== AF_INET && family !== AF_INET6) return undefined;
  const attrs = attributesOf(p, 8, 'an address message');
  const size = family === AF_INET ? 4 : 16;
  const address = (type: number) => {
    const bytes = attrs.get(type);
    if (bytes === undefined) return '';
    if (bytes.length !== size) throw new UnreadableMessage(`an address of ${bytes.length} bytes`);
    const parsed = ipaddr.fromByteArray([...bytes]);
    return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
  };
  // IFA_LOCAL is the address itself; IFA_ADDRESS, the peer's on a point-to-point link (IPv6 sends it alone).
  const [ownAddress, peer] = [address(IFA_LOCAL), address(IFA_ADDRESS)];
  const local = ownAddress || peer;
  if (local === '') throw new UnreadableMessage('an address message without an address');
  const label = attrs.get(IFA_LABEL);
  // IPv6 addresses carry no label: the link is named by its index (in the host netns only).
  const ifname = linkName(index) ?? (label ? textOf(label).split(':')[0] : '');
  const detail = [
    `address ${family === AF_INET ? 'inet' : 'inet6'} ${local}/${prefix}`,
    `peer=${peer === local ? '' : peer}`,
    `flags=${(u32Of(attrs.get(IFA_FLAGS)) ?? flags).toString(16)}`,
    `scope=${scope}`,
    `index=${index}`,
    `label=${text(label)}`,
  ].join(' ');
  return { nsid, what: 'address', deleted, ifname: ifname || `if${index}`, detail };
}

/**
 * The change a notification tells of; undefined for one that is no link or address change. `linkName`
 * names a link of the message's netns by its index, when it can. Throws an UnreadableMessage.
 */
export function readLinkChange(
  message: Reply,
  nsid: LinkChange['nsid'],
  linkName: (index: number) => string | undefined,
): LinkChange | undefined {
  const { type, payload } = message;
  if (type === RTM_NEWLINK || type === RTM_DELLINK) return readLink(payload, nsid, type === RTM_DELLINK);
  if (type === RTM_NEWADDR || type === RTM_DELADDR)
    return readAddress(payload, nsid, type === RTM_DELADDR, linkName);
  return undefined;
}
