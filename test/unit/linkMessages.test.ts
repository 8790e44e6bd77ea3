/**
 * Decoding a link as rtnetlink reports it (RTM_NEWLINK), from bytes laid out as the kernel lays them:
 * the attributes of IFLA_INFO_DATA are numbered per kind, so a VLAN's id (attribute 1, two bytes) is
 * not read as a macvlan's mode (attribute 1, four bytes).
 */
import { linkInfoOf } from '../../agent/src/kernel/netlink/linkMessages';
import { attr } from '../../agent/src/kernel/netlink/netlinkMessage';

const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;

function newLink(name: string, kind: string, data: Buffer): Buffer {
  const ifinfomsg = Buffer.alloc(16);
  ifinfomsg.writeUInt16LE(1, 2); // ARPHRD_ETHER
  ifinfomsg.writeInt32LE(7, 4);
  const text = (s: string) => Buffer.from(`${s}\0`);
  const linkinfo = Buffer.concat([attr(IFLA_INFO_KIND, text(kind)), attr(IFLA_INFO_DATA, data)]);
  return Buffer.concat([ifinfomsg, attr(IFLA_IFNAME, text(name)), attr(IFLA_LINKINFO, linkinfo)]);
}

const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('linkInfoOf', () => {
  it('reads a VLAN link: its id, and no macvlan mode from its two-byte attribute 1', () => {
    const payload = newLink('eth0.10', 'vlan', attr(1, u16(10)));
    const info = linkInfoOf({ type: 16, flags: 0, seq: 1, payload }, () => undefined);
    expect(info).toMatchObject({ name: 'eth0.10', kind: 'vlan', vlanId: 10, index: 7 });
    expect(info.macvlanMode).toBeUndefined();
  });

  it("reads a macvlan link's mode from its four-byte attribute 1", () => {
    const payload = newLink('mv0', 'macvlan', attr(1, u32(4))); // MACVLAN_MODE_BRIDGE
    const info = linkInfoOf({ type: 16, flags: 0, seq: 1, payload }, () => undefined);
    expect(info).toMatchObject({ name: 'mv0', kind: 'macvlan', macvlanMode: 'bridge' });
  });
});
