import { attr, cString, u32, type Reply } from '../../agent/src/kernel/netlink/netlinkMessage';
import { readLinkChange, UnreadableMessage } from '../../agent/src/kernel/netlink/readLinkChange';

const [RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE] = [16, 17, 20, 21, 24];
const [IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_STATS64, IFLA_CARRIER_CHANGES] = [
  1, 3, 4, 16, 23, 35,
];
const [IFA_ADDRESS, IFA_LOCAL, IFA_LABEL] = [1, 2, 3];
const [IFF_UP, IFF_LOWER_UP] = [0x1, 0x10000];

/** An RTM_NEWLINK/DELLINK as the kernel sends it: struct ifinfomsg, then attributes. */
function linkMessage(o: { type?: number; index?: number; flags?: number; attrs: Buffer[] }): Reply {
  const head = Buffer.alloc(16);
  head.writeInt32LE(o.index ?? 7, 4);
  head.writeUInt32LE(o.flags ?? IFF_UP | IFF_LOWER_UP, 8);
  return { type: o.type ?? RTM_NEWLINK, flags: 0, seq: 0, payload: Buffer.concat([head, ...o.attrs]) };
}

const eth0 = (stats = 0, extra: Buffer[] = []) => [
  attr(IFLA_IFNAME, cString('eth0')),
  attr(IFLA_MTU, u32(1500)),
  attr(IFLA_OPERSTATE, Buffer.from([6])),
  attr(IFLA_ADDRESS, Buffer.from([2, 0, 0, 0, 0, 1])),
  attr(IFLA_STATS64, Buffer.alloc(200, stats)),
  attr(IFLA_CARRIER_CHANGES, u32(stats)),
  ...extra,
];

/** An RTM_NEWADDR/DELADDR: struct ifaddrmsg (family, prefix, flags, scope, index), then attributes. */
function addressMessage(o: {
  type?: number;
  family: number;
  prefix: number;
  index: number;
  attrs: Buffer[];
}): Reply {
  const head = Buffer.from([o.family, o.prefix, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32LE(o.index, 4);
  return { type: o.type ?? RTM_NEWADDR, flags: 0, seq: 0, payload: Buffer.concat([head, ...o.attrs]) };
}

const noNames = () => undefined;

describe('readLinkChange: a notification of the kernel as a LinkChange', () => {
  it('reads a link by its name, in the netns it came from', () => {
    const change = readLinkChange(linkMessage({ attrs: eth0() }), 4, noNames);
    expect(change).toMatchObject({ nsid: 4, what: 'link', deleted: false, ifname: 'eth0' });
    expect(change?.detail).toContain('mtu=1500');
  });

  it('gives a link reported again with other counters the same account', () => {
    const before = readLinkChange(linkMessage({ attrs: eth0(1) }), 'current', noNames);
    const after = readLinkChange(linkMessage({ attrs: eth0(9) }), 'current', noNames);
    expect(after?.detail).toBe(before?.detail);
  });

  it('gives a link set down, or given an alias, another account', () => {
    const up = readLinkChange(linkMessage({ attrs: eth0() }), 'current', noNames)?.detail;
    const down = readLinkChange(linkMessage({ flags: 0, attrs: eth0() }), 'current', noNames)?.detail;
    const marked = readLinkChange(
      linkMessage({ attrs: eth0(0, [attr(20, Buffer.from('mvnet:n1'))]) }),
      'current',
      noNames,
    )?.detail;
    expect(new Set([up, down, marked]).size).toBe(3);
  });

  it('reads a deleted link as deleted', () => {
    expect(
      readLinkChange(linkMessage({ type: RTM_DELLINK, attrs: eth0() }), 'current', noNames),
    ).toMatchObject({
      deleted: true,
      ifname: 'eth0',
    });
  });

  it('refuses a link message whose last attribute is cut short', () => {
    const whole = linkMessage({ attrs: eth0() });
    const cut = { ...whole, payload: whole.payload.subarray(0, whole.payload.length - 3) };
    expect(() => readLinkChange(cut, 'current', noNames)).toThrow(UnreadableMessage);
  });

  it('refuses an attribute whose length runs past the message', () => {
    const bad = attr(IFLA_MTU, u32(1500));
    bad.writeUInt16LE(400, 0);
    expect(() => readLinkChange(linkMessage({ attrs: [...eth0(), bad] }), 'current', noNames)).toThrow(
      /overruns/,
    );
  });

  it('refuses a link message shorter than its header, without a name, or with a name past 15 bytes', () => {
    const short: Reply = { type: RTM_NEWLINK, flags: 0, seq: 0, payload: Buffer.alloc(10) };
    const nameless = linkMessage({ attrs: [attr(IFLA_MTU, u32(1500))] });
    const long = linkMessage({ attrs: [attr(IFLA_IFNAME, cString('x'.repeat(16)))] });
    for (const message of [short, nameless, long])
      expect(() => readLinkChange(message, 'current', noNames)).toThrow(UnreadableMessage);
  });

  it('names an IPv4 address by its link, or by its label when the link is unknown', () => {
    const bytes = Buffer.from([10, 9, 0, 1]);
    const message = addressMessage({
      family: 2,
      prefix: 24,
      index: 3,
      attrs: [attr(IFA_LOCAL, bytes), attr(IFA_ADDRESS, bytes), attr(IFA_LABEL, cString('eth0:1'))],
    });
    expect(readLinkChange(message, 'current', () => 'eth0')).toMatchObject({
      what: 'address',
      ifname: 'eth0',
    });
    const unknown = readLinkChange(message, 5, noNames);
    expect(unknown).toMatchObject({ ifname: 'eth0', nsid: 5 });
    expect(unknown?.detail).toContain('10.9.0.1/24');
  });

  it('names an IPv6 address, which has no label, by its link index when the link is unknown', () => {
    const bytes = Buffer.from([0xfe, 0x80, ...Array(13).fill(0), 1]);
    const message = addressMessage({
      type: RTM_DELADDR,
      family: 10,
      prefix: 64,
      index: 9,
      attrs: [attr(IFA_ADDRESS, bytes)],
    });
    expect(readLinkChange(message, 2, noNames)).toMatchObject({ deleted: true, ifname: 'if9' });
    expect(readLinkChange(message, 2, noNames)?.detail).toContain('fe80::1/64');
  });

  it('refuses an address of the wrong length for its family', () => {
    const message = addressMessage({
      family: 2,
      prefix: 24,
      index: 3,
      attrs: [attr(IFA_LOCAL, Buffer.alloc(5))],
    });
    expect(() => readLinkChange(message, 'current', noNames)).toThrow(UnreadableMessage);
  });

  it('passes over what is neither a link nor an address', () => {
    const route: Reply = { type: RTM_NEWROUTE, flags: 0, seq: 0, payload: Buffer.alloc(12) };
    expect(readLinkChange(route, 'current', noNames)).toBeUndefined();
  });
});
