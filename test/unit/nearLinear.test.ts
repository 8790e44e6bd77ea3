import { findOverlap } from '../../agent/src/domain/findOverlap';
import { formatAddress, parsePrefix } from '../../agent/src/domain/ip';
import { reserveAddress, type Leases } from '../../agent/src/domain/ipam';
import type { NetworkRecord, NetworkSpec } from '../../agent/src/domain/model';
import { planNetworkCreation } from '../../agent/src/domain/planNetwork';
import type { LinkInfo } from '../../agent/src/domain/ports/LinkDriver';

const p = (cidr: string) => parsePrefix(cidr)!.prefix;
const owned = (cidrs: string[]) => cidrs.map((cidr) => ({ prefix: p(cidr), owner: cidr }));

/** Leases held in a map. */
function leasesOf(addresses: string[]): Leases {
  const held = new Map(addresses.map((a) => [a, 'endpoint x']));
  return { get: (a) => held.get(a), has: (a) => held.has(a) };
}

function spec(name: string, subnets: NetworkSpec['subnets']): NetworkSpec {
  return {
    name,
    parent: 'eth0',
    vlanId: 0,
    mode: 'bridge',
    subnets,
    mtu: 0,
    internal: false,
    promiscuous: false,
    hostAccess: false,
    labels: {},
  };
}

/** The IPv4 address `n` places above `base`. */
const v4 = (base: string, n: number) =>
  formatAddress({ family: 4, value: parsePrefix(`${base}/32`)!.prefix.base + BigInt(n) });

describe('findOverlap: one sort and one sweep', () => {
  it.each([
    [['10.0.0.0/24', '10.0.1.0/24'], undefined],
    [
      ['10.0.0.0/24', '10.0.0.0/16'],
      ['10.0.0.0/24', '10.0.0.0/16'],
    ],
    [
      ['10.0.5.0/24', '10.0.0.0/16'],
      ['10.0.5.0/24', '10.0.0.0/16'],
    ],
    [
      ['10.0.0.0/24', '10.0.0.0/24'],
      ['10.0.0.0/24', '10.0.0.0/24'],
    ],
    [
      ['10.0.0.0/8', '11.0.0.0/8', '10.200.0.0/16'],
      ['10.200.0.0/16', '10.0.0.0/8'],
    ],
    [
      ['fd00::/64', '10.0.0.0/8', 'fd00::/48'],
      ['fd00::/64', 'fd00::/48'],
    ],
    [['::/96', '0.0.0.0/8'], undefined],
  ] as [string[], [string, string] | undefined][])('in %j finds %j', (cidrs, expected) => {
    expect(findOverlap(owned(cidrs))).toEqual(expected);
  });

  it('between two lists, finds only pairs across them', () => {
    const existing = owned(['10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16']);
    expect(findOverlap(owned(['172.16.0.0/12']), existing)).toBeUndefined();
    expect(findOverlap(owned(['192.168.7.0/24']), existing)).toEqual(['192.168.7.0/24', '192.168.0.0/16']);
    expect(findOverlap(owned(['10.1.2.0/24', '11.0.0.0/8']), existing)).toEqual([
      '10.1.2.0/24',
      '10.0.0.0/8',
    ]);
    expect(findOverlap(owned(['8.0.0.0/6']), existing)).toEqual(['8.0.0.0/6', '10.0.0.0/8']);
  });
});

describe('work that grows with the input stays near-linear', () => {
  // Each case would take minutes (or run into the test's timeout) with the quadratic walks of before.
  it('checks 5,000 new subnets against 5,000 of 125 other networks in well under a second', () => {
    const subnet = (a: number, i: number) => ({
      cidr: `${a}.${i >> 8}.${i & 255}.0/24`,
      gateway: v4(`${a}.${i >> 8}.${i & 255}.0`, 1),
      ipRange: '',
      auxAddresses: {},
    });
    const others: NetworkRecord[] = Array.from({ length: 125 }, (_, n) => ({
      spec: spec(
        `o${n}`,
        Array.from({ length: 40 }, (_, i) => subnet(10, n * 40 + i)),
      ),
      status: {
        state: 'ready',
        message: '',
        parentLink: 'eth0',
        parentLinkOwned: false,
        promiscuousSetByAgent: false,
        revision: 1,
      },
    }));
    const link: LinkInfo = {
      name: 'eth0',
      index: 2,
      mac: '02:00:00:00:00:01',
      linkType: 'ether',
      kind: '',
      mtu: 1500,
      adminUp: true,
      operState: 'UP',
      alias: '',
      promiscuous: false,
    };
    const host = {
      links: new Map([['eth0', link]]),
      capabilities: { vlan8021q: true, macvlan: true, dummy: true, bonding: true, vlanFilteringBridge: true },
      networks: others,
    };
    const started = Date.now();
    const mine = spec(
      'mine',
      Array.from({ length: 5000 }, (_, i) => subnet(11, i)),
    );
    expect(() => planNetworkCreation(mine, host)).not.toThrow();
    const clashing = spec('clash', [...mine.subnets.slice(0, 4999), subnet(10, 4999)]);
    expect(() => planNetworkCreation(clashing, host)).toThrow(
      'subnet 10.19.135.0/24 overlaps 10.19.135.0/24 of network o124',
    );
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('allocates past 5,000 aux addresses and 5,000 leases in well under a second', () => {
    const aux = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`a${i}`, v4('10.0.0.0', 2 + i)]));
    const leases = leasesOf(Array.from({ length: 5000 }, (_, i) => v4('10.0.0.0', 5002 + i)));
    const network = spec('n', [{ cidr: '10.0.0.0/16', gateway: '10.0.0.1', ipRange: '', auxAddresses: aux }]);
    const started = Date.now();
    for (let i = 0; i < 3; i++)
      expect(reserveAddress(network, 4, '', leases, 'f')).toBe(v4('10.0.0.0', 10002));
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
