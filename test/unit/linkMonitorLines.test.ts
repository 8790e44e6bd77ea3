import { parseMonitorLine } from '../../agent/src/kernel/iproute2/parseMonitorLine';

// Lines as `ip -o -ts monitor label link address all-nsid` (iproute2 6.1) prints them.
const T = '[2026-11-30T05:12:18.648960]';
const EXTRA = 'link/ether 22:75:ec:a1:fd:44 brd ff:ff:ff:ff:ff:ff';

describe('parseMonitorLine: one line of the kernel monitor', () => {
  it('reads a host link change, keeping the whole account of the link without its time', () => {
    const line = `${T} [nsid current][LINK]3: eth0@p0: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UP group default \\    ${EXTRA}`;
    expect(parseMonitorLine(line)).toEqual({
      nsid: 'current',
      what: 'link',
      deleted: false,
      ifname: 'eth0',
      detail: line.slice(T.length + 1),
    });
    const later = `[2026-11-30T05:13:00.000001]${line.slice(T.length)}`;
    expect(parseMonitorLine(later)?.detail).toBe(parseMonitorLine(line)?.detail);
  });

  it("reads a deletion in another netns, by that netns's nsid", () => {
    const line = `${T} [nsid 4][LINK]Deleted 2: eth0@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \\    ${EXTRA}`;
    expect(parseMonitorLine(line)).toMatchObject({ nsid: 4, what: 'link', deleted: true, ifname: 'eth0' });
  });

  it('reads address changes, added and deleted', () => {
    const added = `${T} [nsid current][ADDR]3: eth0    inet 10.1.0.1/24 scope global eth0\\       valid_lft forever preferred_lft forever`;
    expect(parseMonitorLine(added)).toMatchObject({
      nsid: 'current',
      what: 'address',
      deleted: false,
      ifname: 'eth0',
    });
    const deleted = added.replace('[ADDR]3:', '[ADDR]Deleted 3:');
    expect(parseMonitorLine(deleted)).toMatchObject({ what: 'address', deleted: true, ifname: 'eth0' });
  });

  it('ignores lines that are not link or address changes', () => {
    expect(
      parseMonitorLine(`${T} [nsid current][NEIGH]10.0.0.1 dev eth0 lladdr aa:bb:cc:dd:ee:ff REACHABLE`),
    ).toBeUndefined();
    expect(parseMonitorLine('')).toBeUndefined();
  });
});
