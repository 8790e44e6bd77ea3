import { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import { Network } from '../../proto/gen/mvnet/v1/network';
import { hostShimAddresses, reserveAddress, type Leases } from '../../agent/src/domain/ipam';
import type { NetworkSpec as AgentNetwork } from '../../agent/src/domain/model';
import { crossHostConflicts } from '../../client/src/fleet/crossHostChecks';
import type { FleetRefusal, FleetSpec, HostState } from '../../client/src/fleet/fleetTypes';
import { hostShares } from '../../client/src/fleet/hostShares';
import { segmentKey } from '../../client/src/fleet/parentLink';
import { parseFleetFile } from '../../client/src/fleet/parseFleetFile';
import {
  predictAllocations,
  predictShimAddresses,
  type PoolSubnet,
} from '../../client/src/fleet/predictAddresses';

/** A fleet file of hosts h1..hN labelled with their own name (`host: h1`), then the rest of it. */
function fleet(count: number, rest: string): FleetSpec {
  const hosts = Array.from(
    { length: count },
    (_, i) => `  - {name: h${i + 1}, address: "h${i + 1}:7443", labels: {host: h${i + 1}}}`,
  );
  return parseFleetFile(`hosts:\n${hosts.join('\n')}\n${rest}`, 'fleet.yaml', '.');
}

function reached(networks: Network[] = [], endpoints: Endpoint[] = []): HostState & { reachable: true } {
  return { reachable: true, revision: 1, links: ['eth0'], networks, endpoints };
}

/** The refusals of planning `spec` against these host states (every host of the file fresh by default). */
function conflicts(spec: FleetSpec, states = new Map<string, HostState>()): FleetRefusal[] {
  for (const h of spec.hosts) if (!states.has(h.name)) states.set(h.name, reached());
  const { shares, refusals } = hostShares(spec, states);
  expect(refusals).toEqual([]);
  return crossHostConflicts(spec, shares, states);
}

/** One network per host (selected by its label), so that two hosts may spell the same segment differently. */
const TWO_SPELLINGS = `networks:
  - {name: a, parent: eth0.30, hosts: {matchLabels: {host: h1}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
  - {name: b, parent: eth0, vlanId: 30, hosts: {matchLabels: {host: h2}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
`;

const VLAN30 = `networks:
  - {name: vlan30, parent: eth0.30, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
`;

describe('L2 segments', () => {
  it('are one for eth0.30 and parent eth0 with vlanId 30, in normal form', () => {
    expect(segmentKey({ parent: 'eth0.30' }, '192.168.30.0/24')).toBe('30 192.168.30.0/24');
    expect(segmentKey({ parent: 'eth0', vlanId: 30 }, '192.168.30.0/24')).toBe('30 192.168.30.0/24');
    expect(segmentKey({ parent: 'eth0', vlanId: 30 }, 'FD00:0::/64')).toBe('30 fd00::/64');
    expect(segmentKey({ parent: 'eth0' }, '10.0.0.0/24')).toBe('0 10.0.0.0/24');
    expect(segmentKey({ parent: 'bond0.30' }, '10.0.0.0/24')).toBe('30 10.0.0.0/24');
  });

  it('are none for an internal network: its dummy link is its host alone', () => {
    expect(segmentKey({ internal: true }, '10.0.0.0/24')).toBeUndefined();
    expect(segmentKey({}, '10.0.0.0/24')).toBeUndefined();
  });
});

describe('crossHostConflicts: addresses', () => {
  it('refuses one address on two hosts of a segment, however each spells its parent', () => {
    const spec = fleet(
      2,
      `${TWO_SPELLINGS}endpoints:
  - {host: h1, name: web1, network: a, netns: web1, ipv4Address: 192.168.30.10}
  - {host: h2, name: web2, network: b, netns: web2, ipv4Address: 192.168.30.10}
`,
    );
    expect(conflicts(spec)).toEqual([
      {
        hosts: ['h1', 'h2'],
        message:
          '192.168.30.10 is on 2 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (endpoint web1 of network a), h2 (endpoint web2 of network b)',
      },
    ]);
  });

  it('takes one address in two VLANs, in two internal networks, and twice on one host (the agent refuses that)', () => {
    const spec = fleet(
      2,
      `networks:
  - {name: v30, parent: eth0.30, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1}]}
  - {name: v40, parent: eth0.40, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1}]}
  - {name: iso, internal: true, subnets: [{cidr: 10.9.0.0/24, gateway: 10.9.0.1}]}
endpoints:
  - {host: h1, name: a, network: v30, netns: a, ipv4Address: 10.0.0.5}
  - {host: h2, name: a, network: v40, netns: a, ipv4Address: 10.0.0.5}
  - {host: h1, name: i, network: iso, netns: i, ipv4Address: 10.9.0.5}
  - {host: h2, name: i, network: iso, netns: i, ipv4Address: 10.9.0.5}
`,
    );
    expect(conflicts(spec)).toEqual([]);
  });

  it('compares IPv6 addresses in normal form', () => {
    const spec = fleet(
      2,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: "fd00::/64", gateway: "fd00::1"}]}]
endpoints:
  - {host: h1, name: a, network: n, netns: a, ipv6Address: "fd00::a"}
  - {host: h2, name: b, network: n, netns: b, ipv6Address: "FD00:0:0:0::A"}
`,
    );
    expect(conflicts(spec)).toEqual([
      expect.objectContaining({
        hosts: ['h1', 'h2'],
        message: expect.stringMatching(/^fd00::a is on 2 hosts .*no VLAN, fd00::\/64/),
      }),
    ]);
  });

  it("counts the addresses of endpoints outside Apply's scope, and of those the share keeps", () => {
    const spec = fleet(
      3,
      `${VLAN30}endpoints:
  - {host: h1, name: web1, network: vlan30, netns: web1, ipv4Address: 192.168.30.10}
  - {host: h1, name: web2, network: vlan30, netns: web2, ipv4Address: 192.168.30.11}
  - {host: h3, name: kept, network: vlan30, netns: kept}
`,
    );
    const now = (name: string, ipv4Address: string, labels = {}) =>
      Endpoint.fromPartial({ name, network: 'vlan30', netns: name, ipv4Address, labels });
    const net = Network.fromPartial({
      name: 'vlan30',
      parent: 'eth0.30',
      vlanId: 30,
      subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1' }],
    });
    const states = new Map<string, HostState>([
      [
        'h2',
        reached(
          [net],
          [now('pod1', '192.168.30.10', { 'mvnet.io/managed-by': 'cni' }), now('gone', '192.168.30.12')],
        ),
      ],
      ['h3', reached([net], [now('kept', '192.168.30.11')])],
    ]);
    expect(conflicts(spec, states)).toEqual([
      {
        hosts: ['h1', 'h2'],
        message:
          '192.168.30.10 is on 2 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (endpoint web1 of network vlan30), h2 (endpoint pod1 of network vlan30, managed by cni)',
      },
      {
        hosts: ['h1', 'h3'],
        message:
          '192.168.30.11 is on 2 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (endpoint web2 of network vlan30), h3 (endpoint kept of network vlan30)',
      },
    ]);
  });

  it('refuses the addresses the agents will allocate alike on two hosts, and not an address above them', () => {
    const spec = fleet(
      3,
      `${VLAN30}endpoints:
  - {host: h1, name: a, network: vlan30, netns: a}
  - {host: h2, name: b, network: vlan30, netns: b}
  - {host: h3, name: c, network: vlan30, netns: c, ipv4Address: 192.168.30.200}
`,
    );
    expect(conflicts(spec)).toEqual([
      {
        hosts: ['h1', 'h2'],
        message:
          '192.168.30.2 is on 2 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (endpoint a of network vlan30, allocated by the agent), h2 (endpoint b of network vlan30, allocated by the agent): each host picks it from the same pool; give the subnet ipRangePerHost, so that each host picks from a block of its own',
      },
    ]);
  });

  it('allocates per host past what the host holds, as the agent does', () => {
    // h1 holds .2 (given) so its endpoint without address takes .3, which h2 gives explicitly.
    const spec = fleet(
      2,
      `${VLAN30}endpoints:
  - {host: h1, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.2}
  - {host: h1, name: b, network: vlan30, netns: b}
  - {host: h2, name: c, network: vlan30, netns: c, ipv4Address: 192.168.30.3}
`,
    );
    expect(conflicts(spec)).toEqual([
      expect.objectContaining({
        hosts: ['h1', 'h2'],
        message: expect.stringMatching(
          /^192\.168\.30\.3 is on 2 hosts .*h1 \(endpoint b of network vlan30, allocated by the agent\), h2 \(endpoint c/,
        ),
      }),
    ]);
  });

  it('finds nothing to refuse with per-host blocks, endpoints with and without addresses', () => {
    const spec = fleet(
      4,
      `networks:
  - {name: vlan30, parent: eth0.30, hostAccess: true, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 27}]}
endpoints:
  - {host: h1, name: a, network: vlan30, netns: a}
  - {host: h2, name: a, network: vlan30, netns: a}
  - {host: h3, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.100}
  - {host: h4, name: a, network: vlan30, netns: a}
`,
    );
    expect(conflicts(spec)).toEqual([]);
  });
});

describe('crossHostConflicts: host-access shims', () => {
  const SHIMS = `networks:
  - {name: vlan30, parent: eth0.30, hostAccess: true, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
`;

  it('refuses new shims without per-host blocks: every host would pick the same address', () => {
    const refusals = conflicts(fleet(3, SHIMS));
    expect(refusals).toEqual([
      {
        hosts: ['h1', 'h2', 'h3'],
        message:
          '192.168.30.254 is on 3 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (the host-access shim of network vlan30), h2 (the host-access shim of network vlan30), h3 (the host-access shim of network vlan30): each host picks it from the same pool; give the subnet ipRangePerHost, so that each host picks from a block of its own',
      },
    ]);
  });

  it('lists five hosts of many by name, and all of them in hosts', () => {
    const [refusal] = conflicts(fleet(8, SHIMS));
    expect(refusal.hosts).toHaveLength(8);
    expect(refusal.message).toContain('h5 (the host-access shim of network vlan30), 3 more:');
  });

  it("refuses a new shim on an address another host's endpoint is given", () => {
    const spec = fleet(
      2,
      `networks:
  - {name: vlan30, parent: eth0.30, hostAccess: true, hosts: {matchLabels: {host: h1}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
  - {name: plain, parent: eth0.30, hosts: {matchLabels: {host: h2}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
endpoints:
  - {host: h2, name: a, network: plain, netns: a, ipv4Address: 192.168.30.254}
`,
    );
    expect(conflicts(spec)).toEqual([
      expect.objectContaining({
        hosts: ['h1', 'h2'],
        message: expect.stringMatching(
          /h1 \(the host-access shim of network vlan30\), h2 \(endpoint a of network plain\)$/,
        ),
      }),
    ]);
  });

  it('counts the shim a host has where the network changes in place, and the new one where it is replaced', () => {
    const spec = fleet(
      2,
      `networks:
  - {name: vlan30, parent: eth0, vlanId: 30, hostAccess: true, labels: {new: label}, hosts: {matchLabels: {host: h1}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRange: 192.168.30.0/25}]}
  - {name: plain, parent: eth0.30, hosts: {matchLabels: {host: h2}}, subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1}]}
endpoints:
  - {host: h2, name: a, network: plain, netns: a, ipv4Address: 192.168.30.77}
  - {host: h2, name: b, network: plain, netns: b, ipv4Address: 192.168.30.127}
`,
    );
    const current = (mtu: number) =>
      Network.fromPartial({
        name: 'vlan30',
        parent: 'eth0.30',
        vlanId: 30,
        mode: 1,
        mtu,
        hostAccess: true,
        subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1' }],
        status: { hostLink: 'mvs-1', hostAddresses: ['192.168.30.77'] },
      });
    // Labels and ipRange change in place: the shim keeps .77, which h2's endpoint a is given.
    expect(conflicts(spec, new Map([['h1', reached([current(0)])]]))).toEqual([
      expect.objectContaining({
        hosts: ['h1', 'h2'],
        message: expect.stringMatching(/^192\.168\.30\.77 is on 2 hosts/),
      }),
    ]);
    // A new MTU replaces the network: its new shim takes the top of the new pool, .127.
    expect(conflicts(spec, new Map([['h1', reached([current(1400)])]]))).toEqual([
      expect.objectContaining({
        hosts: ['h1', 'h2'],
        message: expect.stringMatching(/^192\.168\.30\.127 is on 2 hosts/),
      }),
    ]);
  });
});

describe('crossHostConflicts: MACs', () => {
  it('refuses one MAC given on two hosts of a segment, in any case or separator', () => {
    const spec = fleet(
      2,
      `${TWO_SPELLINGS}endpoints:
  - {host: h1, name: a, network: a, netns: a, ipv4Address: 192.168.30.10, macAddress: "02:42:C0:A8:1E:0A"}
  - {host: h2, name: b, network: b, netns: b, ipv4Address: 192.168.30.20, macAddress: "02-42-c0-a8-1e-0a"}
`,
    );
    expect(conflicts(spec)).toEqual([
      {
        hosts: ['h1', 'h2'],
        message:
          'MAC 02:42:c0:a8:1e:0a is on 2 hosts of one L2 segment (VLAN 30, 192.168.30.0/24): h1 (endpoint a of network a), h2 (endpoint b of network b)',
      },
    ]);
  });

  it('says a MAC once for a network of two subnets', () => {
    const spec = fleet(
      2,
      `networks: [{name: n, parent: eth0, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1}, {cidr: "fd00::/64", gateway: "fd00::1"}]}]
endpoints:
  - {host: h1, name: a, network: n, netns: a, macAddress: "02:00:00:00:00:01"}
  - {host: h2, name: a, network: n, netns: a, macAddress: "02:00:00:00:00:01"}
`,
    );
    const macs = conflicts(spec).filter((r) => r.message.startsWith('MAC'));
    expect(macs).toHaveLength(1);
  });

  it("counts a MAC an endpoint holds now (kept, or outside Apply's scope), never one the agent will derive", () => {
    const spec = fleet(
      3,
      `${VLAN30}endpoints:
  - {host: h1, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.10, macAddress: "02:00:00:00:00:0a"}
  - {host: h2, name: b, network: vlan30, netns: b, ipv4Address: 192.168.30.11}
  - {host: h3, name: c, network: vlan30, netns: c, ipv4Address: 192.168.30.12}
`,
    );
    const net = Network.fromPartial({
      name: 'vlan30',
      parent: 'eth0.30',
      vlanId: 30,
      subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1' }],
    });
    const held = (name: string, labels = {}) =>
      Endpoint.fromPartial({
        name,
        network: 'vlan30',
        netns: name,
        ipv4Address: '192.168.30.11',
        macAddress: '02:00:00:00:00:0a',
        labels,
      });
    // h2's b keeps its MAC (.11 too); h3 has a CNI pod with that MAC (and .11, on h3 itself).
    const states = new Map<string, HostState>([
      ['h2', reached([net], [held('b')])],
      ['h3', reached([net], [held('pod', { 'mvnet.io/managed-by': 'cni' })])],
    ]);
    const refusals = conflicts(spec, states);
    expect(refusals.find((r) => r.message.startsWith('MAC'))).toEqual({
      hosts: ['h1', 'h2', 'h3'],
      message: expect.stringContaining(
        'h1 (endpoint a of network vlan30), h2 (endpoint b of network vlan30), h3 (endpoint pod of network vlan30, managed by cni)',
      ),
    });
    // Without any MAC given or held, nothing is compared: the agent derives one per host.
    expect(
      conflicts(
        fleet(
          2,
          `${VLAN30}endpoints:\n  - {host: h1, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.10}\n  - {host: h2, name: a, network: vlan30, netns: a, ipv4Address: 192.168.30.20}\n`,
        ),
      ),
    ).toEqual([]);
  });
});

describe("the fleet's predictions follow the agent's IPAM (agent/src/domain/ipam.ts)", () => {
  const subnets: PoolSubnet[] = [
    { cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '', auxAddresses: {} },
    {
      cidr: '192.168.30.0/24',
      gateway: '192.168.30.254',
      ipRange: '',
      auxAddresses: { a: '192.168.30.253' },
    },
    { cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '192.168.30.32/27', auxAddresses: {} },
    {
      cidr: '192.168.30.0/24',
      gateway: '192.168.30.63',
      ipRange: '192.168.30.32/27',
      auxAddresses: { x: '192.168.30.62' },
    },
    { cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '192.168.30.224/27', auxAddresses: {} },
    { cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '192.168.30.0/27', auxAddresses: {} },
    { cidr: '10.0.0.0/30', gateway: '10.0.0.2', ipRange: '', auxAddresses: {} },
    { cidr: '10.0.0.0/31', gateway: '10.0.0.0', ipRange: '', auxAddresses: {} },
    { cidr: 'fd00:30::/64', gateway: 'fd00:30::1', ipRange: '', auxAddresses: {} },
    {
      cidr: 'fd00:30::/64',
      gateway: 'fd00:30::ffff:ffff:ffff:ffff',
      ipRange: 'fd00:30::100/120',
      auxAddresses: {},
    },
    {
      cidr: 'fd00:30::/64',
      gateway: 'fd00:30::1',
      ipRange: 'fd00:30::/120',
      auxAddresses: { n: 'fd00:30::ff' },
    },
  ];
  const agentNetwork = (subnet: PoolSubnet): AgentNetwork => ({
    name: 'n',
    parent: 'eth0',
    vlanId: 0,
    mode: 'bridge',
    subnets: [subnet],
    mtu: 0,
    internal: false,
    promiscuous: false,
    hostAccess: true,
    labels: {},
  });

  it.each(subnets.map((s) => [`${s.cidr} ${s.ipRange || '(whole)'} gateway ${s.gateway}`, s] as const))(
    'picks the shim address the agent picks in %s',
    (_name, subnet) => {
      let agent: string[];
      try {
        agent = hostShimAddresses(agentNetwork(subnet));
      } catch {
        agent = []; // no address left for a shim
      }
      expect(predictShimAddresses([subnet])).toEqual(agent);
    },
  );

  it.each(subnets.map((s) => [`${s.cidr} ${s.ipRange || '(whole)'} gateway ${s.gateway}`, s] as const))(
    'allocates what the agent allocates in %s, past held addresses',
    (_name, subnet) => {
      const family = subnet.cidr.includes(':') ? 6 : 4;
      const held = new Set(predictAllocations([subnet], family, new Set(), 3).filter((_, i) => i % 2 === 1));
      const leases = new Map([...held].map((a) => [a, 'someone']));
      const agentLeases: Leases = { get: (a) => leases.get(a), has: (a) => leases.has(a) };
      const agent: string[] = [];
      for (let i = 0; i < 4; i++) {
        try {
          const address = reserveAddress(agentNetwork(subnet), family, '', agentLeases, 'x');
          agent.push(address);
          leases.set(address, `endpoint ${i}`);
        } catch {
          break; // the pool is exhausted
        }
      }
      expect(predictAllocations([subnet], family, held, 4)).toEqual(agent);
    },
  );
});
