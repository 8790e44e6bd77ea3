import { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import { Network } from '../../proto/gen/mvnet/v1/network';
import type { FleetSpec, HostShare, HostState } from '../../client/src/fleet/fleetTypes';
import { hostShares } from '../../client/src/fleet/hostShares';
import { parseFleetFile } from '../../client/src/fleet/parseFleetFile';
import { assignBlocks } from '../../client/src/fleet/rangeBlocks';
import { ipPrefix } from '../../client/src/fleet/ipNumbers';

/** A fleet file of hosts h1..hN (or those named), with the rest of the file after them. */
function fleet(hosts: number | string[], rest: string): FleetSpec {
  const names = typeof hosts === 'number' ? Array.from({ length: hosts }, (_, i) => `h${i + 1}`) : hosts;
  const list = names.map((name) => `  - {name: ${name}, address: "${name}:7443"}`).join('\n');
  return parseFleetFile(`hosts:\n${list}\n${rest}`, 'fleet.yaml', '.');
}

/** A host that answered: eth0 and bond0, and what it has now. */
function reached(networks: Network[] = [], endpoints: Endpoint[] = []): HostState & { reachable: true } {
  return { reachable: true, revision: 1, links: ['lo', 'eth0', 'bond0'], networks, endpoints };
}

/** Every host of the file reached, with nothing on it. */
function fresh(spec: FleetSpec): Map<string, HostState> {
  return new Map(spec.hosts.map((h) => [h.name, reached()]));
}

/** What a host has once its share is applied: its networks as the agent lists them. */
function applied(share: HostShare): HostState {
  return reached((share.spec.networks ?? []).map((n) => Network.fromPartial(n)));
}

/** Each host's ipRange of the first subnet of its first network. */
function ranges(shares: HostShare[]): Record<string, string> {
  return Object.fromEntries(shares.map((s) => [s.host, s.spec.networks![0].subnets![0].ipRange!]));
}

const VLAN30 = `networks:
  - name: vlan30
    parent: eth0.30
    subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 27}]
`;

describe("hostShares: each host's share of the file", () => {
  it('gives each host the networks its labels select, subnets as Apply takes them, and its endpoints', () => {
    const spec = parseFleetFile(
      `hosts:
  - {name: h1, address: "a:1", labels: {rack: a}}
  - {name: h2, address: "b:1", labels: {rack: b}}
networks:
  - {name: all, parent: bond0, mode: vepa, mtu: 1400, labels: {tier: web}, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1, ipRange: 10.0.0.128/25, auxAddresses: {nas: 10.0.0.5}}]}
  - {name: only-a, parent: eth0, vlanId: 30, hostAccess: true, hosts: {matchLabels: {rack: a}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 26}]}
  - {name: iso, internal: true, subnets: [{cidr: 172.30.0.0/24, gateway: 172.30.0.1}]}
endpoints:
  - {host: h1, name: web1, network: only-a, netns: web1, ipv4Address: 192.168.30.70, labels: {app: web}}
  - {host: h2, name: db1, network: all, netns: /var/run/netns/db1, ifname: eth1}
`,
      'f',
      '.',
    );
    const { shares, refusals } = hostShares(spec, fresh(spec));
    expect(refusals).toEqual([]);
    expect(shares.map((s) => s.host)).toEqual(['h1', 'h2']);
    const [h1, h2] = shares;
    expect(h1.spec.networks!.map((n) => n.name)).toEqual(['all', 'only-a', 'iso']);
    expect(h2.spec.networks!.map((n) => n.name)).toEqual(['all', 'iso']);
    // The fleet's own fields (hosts, ipRangePerHost) are not the agent's: they are gone.
    expect(h1.spec.networks![1]).toEqual({
      name: 'only-a',
      parent: 'eth0',
      vlanId: 30,
      mode: 0,
      mtu: 0,
      internal: false,
      promiscuous: false,
      hostAccess: true,
      labels: {},
      subnets: [
        { cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '192.168.30.64/26', auxAddresses: {} },
      ],
    });
    expect(h2.spec.networks![0]).toMatchObject({
      mode: 3,
      mtu: 1400,
      labels: { tier: 'web' },
      subnets: [
        {
          cidr: '10.0.0.0/24',
          gateway: '10.0.0.1',
          ipRange: '10.0.0.128/25',
          auxAddresses: { nas: '10.0.0.5' },
        },
      ],
    });
    expect(h1.spec.endpoints).toEqual([
      expect.objectContaining({
        name: 'web1',
        network: 'only-a',
        ipv4Address: '192.168.30.70',
        labels: { app: 'web' },
      }),
    ]);
    expect(h1.spec.endpoints![0]).not.toHaveProperty('host');
    expect(h2.spec.endpoints).toEqual([
      expect.objectContaining({ name: 'db1', network: 'all', netns: '/var/run/netns/db1', ifname: 'eth1' }),
    ]);
  });
});

describe('per-host blocks (ipRangePerHost)', () => {
  it("gives new hosts the lowest free blocks in the file's order, the gateway's block last", () => {
    const spec = fleet(8, VLAN30);
    const { shares, refusals } = hostShares(spec, fresh(spec));
    expect(refusals).toEqual([]);
    // 192.168.30.0/27 holds the gateway: it goes to the eighth host, when no other is left.
    expect(ranges(shares)).toEqual({
      h1: '192.168.30.32/27',
      h2: '192.168.30.64/27',
      h3: '192.168.30.96/27',
      h4: '192.168.30.128/27',
      h5: '192.168.30.160/27',
      h6: '192.168.30.192/27',
      h7: '192.168.30.224/27',
      h8: '192.168.30.0/27',
    });
  });

  it('passes over aux addresses as over the gateway', () => {
    const spec = fleet(
      2,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.254, auxAddresses: {nas: 10.0.0.3}, ipRangePerHost: 26}]}]\n`,
    );
    expect(ranges(hostShares(spec, fresh(spec)).shares)).toEqual({ h1: '10.0.0.64/26', h2: '10.0.0.128/26' });
  });

  it('keeps every block across a re-plan: adding a host, even first in the file, never moves another', () => {
    const before = fleet(['h1', 'h2', 'h3'], VLAN30);
    const first = hostShares(before, fresh(before)).shares;
    const states = new Map(first.map((s) => [s.host, applied(s)]));
    // h2 leaves the fleet: its block is free again. h0 and h4 join, h0 before all others.
    const after = fleet(['h0', 'h1', 'h3', 'h4'], VLAN30);
    states.set('h0', reached()).set('h4', reached());
    const { shares, refusals } = hostShares(after, states);
    expect(refusals).toEqual([]);
    const now = ranges(shares);
    expect(now.h1).toBe(ranges(first).h1);
    expect(now.h3).toBe(ranges(first).h3);
    expect(now).toEqual({
      h0: '192.168.30.64/27', // h2's old block, the lowest free one
      h1: '192.168.30.32/27',
      h3: '192.168.30.96/27',
      h4: '192.168.30.128/27',
    });
  });

  it('keeps a block only when it is one: the right size, inside the subnet', () => {
    const spec = fleet(3, VLAN30);
    const network = (ipRange: string, cidr = '192.168.30.0/24') =>
      Network.fromPartial({
        name: 'vlan30',
        parent: 'eth0.30',
        vlanId: 30,
        subnets: [{ cidr, gateway: '192.168.30.1', ipRange }],
      });
    const states = new Map([
      ['h1', reached([network('192.168.30.224/27')])], // kept
      ['h2', reached([network('192.168.30.128/26')])], // a /26: not a block of this file
      ['h3', reached([network('10.9.0.32/27', '10.9.0.0/24')])], // another subnet
    ]);
    expect(ranges(hostShares(spec, states).shares)).toEqual({
      h1: '192.168.30.224/27',
      h2: '192.168.30.32/27',
      h3: '192.168.30.64/27',
    });
  });

  it('refuses two hosts holding one block, naming both; the first in the file keeps it', () => {
    const spec = fleet(2, VLAN30);
    const network = Network.fromPartial({
      name: 'vlan30',
      parent: 'eth0.30',
      vlanId: 30,
      subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '192.168.30.96/27' }],
    });
    const states = new Map([
      ['h1', reached([network])],
      ['h2', reached([network])],
    ]);
    const { shares, refusals } = hostShares(spec, states);
    expect(refusals).toEqual([
      {
        hosts: ['h1', 'h2'],
        message:
          'overlapping per-host ranges in network vlan30, subnet 192.168.30.0/24: h1 and h2 both have 192.168.30.96/27; h1 keeps it, h2 would move to 192.168.30.32/27',
      },
    ]);
    expect(ranges(shares)).toEqual({ h1: '192.168.30.96/27', h2: '192.168.30.32/27' });
  });

  it('refuses a subnet with too few blocks, naming the hosts left without one (they get no share)', () => {
    const spec = fleet(
      6,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1, ipRangePerHost: 26}]}]\n`,
    );
    const { shares, refusals } = hostShares(spec, fresh(spec));
    expect(refusals).toEqual([
      {
        hosts: ['h5', 'h6'],
        message:
          'no /26 block left in network n, subnet 10.0.0.0/24 for h5, h6 (4 blocks, 4 given): use a longer ipRangePerHost or a larger subnet',
      },
    ]);
    expect(shares.map((s) => s.host)).toEqual(['h1', 'h2', 'h3', 'h4']);
  });

  it('never gives a block the agent could allocate nothing from', () => {
    // 10.0.0.0/30: .0 is the subnet, .1 the gateway, .3 the broadcast address: only .2 is left.
    const spec = fleet(
      2,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: 10.0.0.0/30, gateway: 10.0.0.1, ipRangePerHost: 32}]}]\n`,
    );
    const { shares, refusals } = hostShares(spec, fresh(spec));
    expect(ranges(shares)).toEqual({ h1: '10.0.0.2/32' });
    expect(refusals).toEqual([expect.objectContaining({ hosts: ['h2'] })]);
  });

  it('walks a wide IPv6 subnet only as far as the hosts need', () => {
    const spec = fleet(
      3,
      `networks: [{name: v6, parent: eth0, subnets: [{cidr: "fd00:30::/32", gateway: "fd00:30::1", ipRangePerHost: 64}]}]\n`,
    );
    expect(ranges(hostShares(spec, fresh(spec)).shares)).toEqual({
      h1: 'fd00:30:0:1::/64',
      h2: 'fd00:30:0:2::/64',
      h3: 'fd00:30:0:3::/64',
    });
  });

  it('gives the one block of a subnet to one host when the block is the subnet', () => {
    const result = assignBlocks({
      subnet: ipPrefix('10.0.0.0/24')!.prefix,
      bits: 24,
      reserved: [1n],
      hosts: [{ name: 'a' }, { name: 'b' }],
    });
    expect([...result.blocks.keys()]).toEqual(['a']);
    expect(result.unplaced).toEqual(['b']);
  });
});

describe('hostShares: refusals', () => {
  it('refuses a host that cannot be reached, or was not read, and gives it no share', () => {
    const spec = fleet(3, VLAN30);
    const states = new Map<string, HostState>([
      ['h1', reached()],
      ['h2', { reachable: false, error: 'no answer within 10 s' }],
    ]);
    const { shares, refusals } = hostShares(spec, states);
    expect(shares.map((s) => s.host)).toEqual(['h1']);
    expect(refusals).toEqual([
      { hosts: ['h2'], message: 'host h2 (h2:7443) cannot be reached: no answer within 10 s' },
      { hosts: ['h3'], message: 'host h3 (h3:7443) cannot be reached: not read' },
    ]);
  });

  it.each([
    ['eth1.30', 'eth1', ' (the agent makes eth1.30 on it)'],
    ['eth1, vlanId: 30', 'eth1', ' (the agent makes eth1.30 on it)'],
    ['bond1', 'bond1', ''],
  ])('refuses a network whose parent (%s) the host lacks', (parent, link, through) => {
    const spec = fleet(
      2,
      `networks: [{name: n, parent: ${parent}, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1}]}]\n`,
    );
    const states = fresh(spec).set('h2', { ...reached(), links: ['lo', link] });
    expect(hostShares(spec, states).refusals).toEqual([
      { hosts: ['h1'], message: `host h1 has no link ${link}, the parent of network n${through}` },
    ]);
  });

  it('asks no parent of an internal network, and only the lower link of a sub-interface', () => {
    const spec = fleet(
      1,
      `networks:
  - {name: iso, internal: true, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1}]}
  - {name: v, parent: eth0.40, subnets: [{cidr: 10.4.0.0/24, gateway: 10.4.0.1}]}
`,
    );
    expect(hostShares(spec, new Map([['h1', { ...reached(), links: ['eth0'] }]])).refusals).toEqual([]);
  });

  it("refuses an address outside its host's block, naming the host whose block holds it", () => {
    const spec = fleet(
      2,
      `${VLAN30}endpoints:
  - {host: h1, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.40}
  - {host: h2, name: b, network: vlan30, netns: b, ipv4Address: 192.168.30.33}
  - {host: h2, name: c, network: vlan30, netns: c, ipv4Address: 192.168.30.20}
`,
    );
    expect(hostShares(spec, fresh(spec)).refusals).toEqual([
      {
        hosts: ['h2', 'h1'],
        message:
          "endpoint b of network vlan30 on h2: 192.168.30.33 is outside h2's block 192.168.30.64/27, in h1's block",
      },
      {
        hosts: ['h2'],
        message: "endpoint c of network vlan30 on h2: 192.168.30.20 is outside h2's block 192.168.30.64/27",
      },
    ]);
  });

  it("refuses an address outside the subnet's ipRange, and takes one inside it", () => {
    const spec = fleet(
      1,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: "fd00::/64", gateway: "fd00::1", ipRange: "fd00::100/120"}]}]
endpoints:
  - {host: h1, name: a, network: n, netns: a, ipv6Address: "fd00::1:5"}
  - {host: h1, name: b, network: n, netns: b, ipv6Address: "fd00::1ff"}
`,
    );
    expect(hostShares(spec, fresh(spec)).refusals).toEqual([
      {
        hosts: ['h1'],
        message: 'endpoint a of network n on h1: fd00::1:5 is outside the ipRange fd00::100/120',
      },
    ]);
  });
});
