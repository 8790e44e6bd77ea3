import { findOverlap } from '../../agent/src/domain/findOverlap';
import * as ip from '../../agent/src/domain/ip';
import { formatAddress, parsePrefix } from '../../agent/src/domain/ip';
import { hostClaims } from '../../agent/src/domain/hostClaims';
import { hostShimAddresses, LeaseLookup, reserveAddress, type Leases } from '../../agent/src/domain/ipam';
import type { NetworkRecord, NetworkSpec } from '../../agent/src/domain/model';
import { planNetworkCreation } from '../../agent/src/domain/planNetwork';
import type { LinkInfo } from '../../agent/src/domain/ports/LinkDriver';

const p = (cidr: string) => parsePrefix(cidr)!.prefix;
const owned = (cidrs: string[]) => cidrs.map((cidr) => ({ prefix: p(cidr), owner: cidr }));

/** Leases held in a map, counting the lookups made of them. */
function leasesOf(addresses: string[]): Leases & { lookups: number } {
  const held = new Map(addresses.map((a) => [a, 'endpoint x']));
  const leases = {
    lookups: 0,
    get: (a: string) => (leases.lookups++, held.get(a)),
    has: (a: string) => (leases.lookups++, held.has(a)),
  };
  return leases;
}

/** An object whose property reads are counted (a spec's aux addresses, read by the walk). */
function counted<T extends object>(target: T): { value: T; reads: () => number } {
  let reads = 0;
  const value = new Proxy(target, {
    get: (t, key, receiver) => (reads++, Reflect.get(t, key, receiver)),
    ownKeys: (t) => (reads++, Reflect.ownKeys(t)),
  });
  return { value, reads: () => reads };
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
  // The work is counted, not timed: the quadratic walks of before compared every subnet with every other
  // one (25 million comparisons here), and looked every aux address up at every step of the walk.
  afterEach(() => jest.restoreAllMocks());

  it('checks 5,000 new subnets against 5,000 of 125 other networks without comparing each with each', () => {
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
      hostId: 'h',
    };
    const comparisons = [
      jest.spyOn(ip, 'prefixesOverlap'),
      jest.spyOn(ip, 'prefixContains'),
      jest.spyOn(ip, 'prefixCovers'),
    ];
    const mine = spec(
      'mine',
      Array.from({ length: 5000 }, (_, i) => subnet(11, i)),
    );
    expect(() => planNetworkCreation(mine, host)).not.toThrow();
    const clashing = spec('clash', [...mine.subnets.slice(0, 4999), subnet(10, 4999)]);
    expect(() => planNetworkCreation(clashing, host)).toThrow(
      'subnet 10.19.135.0/24 overlaps 10.19.135.0/24 of network o124',
    );
    const made = comparisons.reduce((n, spy) => n + spy.mock.calls.length, 0);
    expect(made).toBeLessThan(10 * (5000 + 5000)); // linear in the subnets, where it was 25 million
  });

  it('allocates past 5,000 aux addresses and 5,000 leases, each looked at once a walk', () => {
    const aux = counted(
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`a${i}`, v4('10.0.0.0', 2 + i)])),
    );
    const leases = leasesOf(Array.from({ length: 5000 }, (_, i) => v4('10.0.0.0', 5002 + i)));
    const network = spec('n', [
      { cidr: '10.0.0.0/16', gateway: '10.0.0.1', ipRange: '', auxAddresses: aux.value },
    ]);
    for (let i = 0; i < 3; i++)
      expect(reserveAddress(network, 4, '', leases, 'f')).toBe(v4('10.0.0.0', 10002));
    // Three walks of 10,000 steps: a lease lookup for each step past the aux addresses, and the aux
    // addresses read once a walk (it was each of them at each step: 150 million reads).
    expect(leases.lookups).toBeLessThanOrEqual(3 * 5001);
    expect(aux.reads()).toBeLessThan(3 * 3 * 5000);
  });

  it('jumps over a host route that covers half the pool, in both directions', () => {
    const network = spec('n', [{ cidr: '10.0.0.0/16', gateway: '10.0.0.1', ipRange: '', auxAddresses: {} }]);
    const claims = hostClaims(
      network,
      {
        addresses: [],
        routes: [
          { destination: '10.0.0.0/17', dev: 'eth1' },
          { destination: '10.0.192.0/18', dev: 'eth1' },
        ],
      },
      new Set(),
    );
    const leases = new LeaseLookup(
      { leaseHolder: () => undefined, leases: () => new Map() },
      'n',
      new Map(),
      claims,
    );
    const holderOf = jest.spyOn(claims, 'holderOf');
    expect(reserveAddress(network, 4, '', leases, 'f')).toBe('10.0.128.0');
    expect(hostShimAddresses(network, claims)).toEqual(['10.0.191.255']);
    expect(holderOf.mock.calls.length).toBeLessThan(10); // not 32,768 steps through the route
  });
});
