import path from 'node:path';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { MAX_FLEET_HOSTS } from '../../client/src/fleet/checkFleetFile';
import { parseFleetFile } from '../../client/src/fleet/parseFleetFile';
import { DEFAULT_ROLLOUT } from '../../client/src/fleet/rolloutPolicy';
import { SpecError, type SpecProblem } from '../../client/src/spec/SpecError';

/** The issue's example fleet file. */
const EXAMPLE = `hosts:
  - {name: h1, address: 10.0.0.11:7443, labels: {rack: a}}
  - {name: h2, address: 10.0.0.12:7443}
tls: {ca: ca.pem, cert: orchestrator.pem, key: orchestrator.key}   # paths relative to this file
networks:
  - name: vlan30
    parent: eth0.30
    subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 27}]
    hosts: {matchLabels: {rack: a}}        # optional: which hosts get it (default: all)
endpoints:
  - {host: h1, name: web1, network: vlan30, netns: web1, ipv4Address: 192.168.30.10}
rollout: {canary: 1, maxUnavailable: "25%", confirmWithin: 60s, probeGateways: true, maxFailures: 0}
`;

/** Two hosts and nothing else: a file to add one field to. */
const HOSTS = 'hosts: [{name: h1, address: "a:1"}, {name: h2, address: "b:1"}]\n';

/**
 * The problems expected of a file, each as [line, the text it points at on that line, path, message]:
 * the column is where that text starts.
 */
function expected(text: string, rows: [number, string, string, unknown][]): SpecProblem[] {
  const lines = text.split('\n');
  return rows.map(([line, needle, path, message]) => {
    const column = lines[line - 1].indexOf(needle) + 1;
    if (column === 0) throw new Error(`line ${line} has no ${needle}`);
    return { path, line, column, message } as SpecProblem;
  });
}

function problems(text: string): SpecProblem[] {
  try {
    parseFleetFile(text, 'fleet.yaml', '/srv/fleet');
  } catch (err) {
    if (err instanceof SpecError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the fleet file to be refused');
}

describe('parseFleetFile: what a fleet file says', () => {
  it("reads the issue's example whole, with TLS paths from the file's folder", () => {
    const spec = parseFleetFile(EXAMPLE, 'fleet.yaml', '/srv/fleet');
    expect(spec.hosts).toEqual([
      { name: 'h1', address: '10.0.0.11:7443', labels: { rack: 'a' } },
      { name: 'h2', address: '10.0.0.12:7443', labels: {} },
    ]);
    expect(spec.tls).toEqual({
      ca: '/srv/fleet/ca.pem',
      cert: '/srv/fleet/orchestrator.pem',
      key: '/srv/fleet/orchestrator.key',
    });
    expect(spec.networks[0]).toMatchObject({
      name: 'vlan30',
      parent: 'eth0.30',
      subnets: [{ cidr: '192.168.30.0/24', gateway: '192.168.30.1', ipRange: '', ipRangePerHost: 27 }],
      hosts: { matchLabels: { rack: 'a' } },
    });
    expect(spec.endpoints).toEqual([
      expect.objectContaining({ host: 'h1', name: 'web1', network: 'vlan30', ipv4Address: '192.168.30.10' }),
    ]);
    expect(spec.rollout).toEqual({
      canary: 1,
      maxUnavailable: { percent: 25 },
      confirmWithinMs: 60_000,
      probeGateways: true,
      maxFailures: 0,
    });
  });

  it('makes a relative folder absolute, keeps an absolute TLS path, and leaves out TLS not given', () => {
    const spec = parseFleetFile(`${HOSTS}tls: {ca: /etc/ca.pem, cert: c.pem}\n`, 'f', 'conf');
    expect(spec.tls).toEqual({ ca: '/etc/ca.pem', cert: path.resolve('conf', 'c.pem') });
    expect(parseFleetFile(HOSTS, 'f', '.').tls).toBeUndefined();
    expect(parseFleetFile(`${HOSTS}tls: {}\n`, 'f', '.').tls).toBeUndefined();
  });

  it('fills in the rollout defaults: canary 1, 25%, no failure tolerated, 60s, no probes', () => {
    expect(DEFAULT_ROLLOUT).toEqual({
      canary: 1,
      maxUnavailable: { percent: 25 },
      maxFailures: 0,
      confirmWithinMs: 60_000,
      probeGateways: false,
    });
    expect(parseFleetFile(HOSTS, 'f', '.').rollout).toEqual(DEFAULT_ROLLOUT);
    expect(parseFleetFile(`${HOSTS}rollout: {}\n`, 'f', '.').rollout).toEqual(DEFAULT_ROLLOUT);
    expect(parseFleetFile(`${HOSTS}rollout: {maxFailures: 2}\n`, 'f', '.').rollout).toEqual({
      ...DEFAULT_ROLLOUT,
      maxFailures: 2,
    });
  });

  it('tells canary 0 (none) from a canary not given (1)', () => {
    expect(parseFleetFile(`${HOSTS}rollout: {canary: 0}\n`, 'f', '.').rollout.canary).toBe(0);
    expect(parseFleetFile(`${HOSTS}rollout: {canary: 2}\n`, 'f', '.').rollout.canary).toBe(2);
  });

  it.each([
    ['60s', 60_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1s', 1_000],
    ['1h', 3_600_000],
    ['1500ms', 1_500],
  ])('reads confirmWithin %s as %d ms', (text, ms) => {
    expect(
      parseFleetFile(`${HOSTS}rollout: {confirmWithin: ${text}}\n`, 'f', '.').rollout.confirmWithinMs,
    ).toBe(ms);
  });

  it.each([
    ['999ms', '999ms is outside 1s..1h'],
    ['1h1s', '1h1s is outside 1s..1h'],
    ['0s', '0s is outside 1s..1h'],
    ['sixty', 'expected a duration such as 90s, 2m, 1h or 1m30s, not "sixty"'],
    ['30s1m', 'units go h, m, s, ms, each once'],
    ['-5s', 'expected a duration'],
  ])('refuses confirmWithin %s', (text, message) => {
    const file = `${HOSTS}rollout:\n  confirmWithin: "${text}"\n`;
    expect(problems(file)).toEqual(
      expected(file, [[3, `"${text}"`, 'rollout.confirmWithin', expect.stringContaining(message)]]),
    );
  });

  it.each([
    ['2', { count: 2 }],
    ['"2"', { count: 2 }],
    ['"25%"', { percent: 25 }],
    ['"100%"', { percent: 100 }],
    ['"1%"', { percent: 1 }],
    ['1000', { count: 1000 }],
  ])('reads maxUnavailable %s', (written, policy) => {
    const text = `${HOSTS}rollout: {maxUnavailable: ${written}}\n`;
    expect(parseFleetFile(text, 'f', '.').rollout.maxUnavailable).toEqual(policy);
    const proto = `${HOSTS}rollout: {max_unavailable: ${written}}\n`;
    expect(parseFleetFile(proto, 'f', '.').rollout.maxUnavailable).toEqual(policy);
  });

  it('reads a YAML number through an alias, and in JSON', () => {
    const aliased = `${HOSTS}x: &r {maxUnavailable: 3}\n`.replace('x: ', 'rollout: ');
    expect(parseFleetFile(aliased, 'f', '.').rollout.maxUnavailable).toEqual({ count: 3 });
    const json = JSON.stringify({ hosts: [{ name: 'h1', address: 'a:1' }], rollout: { maxUnavailable: 1 } });
    expect(parseFleetFile(json, 'f.json', '.').rollout.maxUnavailable).toEqual({ count: 1 });
  });

  it.each(['0', '"0"', '"0%"', '"101%"', '-1', '2.5', '"25 %"', '"x"', '"1e3"', '"%"'])(
    'refuses maxUnavailable %s',
    (written) => {
      expect(problems(`${HOSTS}rollout: {maxUnavailable: ${written}}\n`)).toEqual([
        {
          path: 'rollout.maxUnavailable',
          line: 2,
          column: expect.any(Number),
          message: expect.stringMatching(
            /^expected a count of hosts from 1 \(3\) or a percentage from 1% to 100% \(25%\), got "/,
          ),
        },
      ]);
    },
  );

  it('refuses a canary larger than the fleet', () => {
    expect(problems(`${HOSTS}rollout: {canary: 3}\n`)).toEqual([
      {
        path: 'rollout.canary',
        line: 2,
        column: 19,
        message: '3 canary hosts, but the file names 2 host(s)',
      },
    ]);
  });

  it('takes modes by short or full name, as a spec does', () => {
    for (const mode of ['bridge', 'MACVLAN_MODE_BRIDGE', 'BRIDGE']) {
      const text = `${HOSTS}networks: [{name: n, parent: eth0, mode: ${mode}}]\n`;
      expect(parseFleetFile(text, 'f', '.').networks[0].mode).toBe(MacvlanMode.MACVLAN_MODE_BRIDGE);
    }
  });
});

describe('parseFleetFile: every problem at once, with its path and line', () => {
  it('reports what the codec finds: unknown fields, types, enums and keys given twice', () => {
    const text = [
      'hosts:',
      '  - name: h1',
      '    address: "a:1"',
      '    port: 7443', // 4: unknown field
      '  - name: h2',
      '    name: h3', // 6: given twice
      '    address: "b:1"',
      'networks:',
      '  - name: n',
      '    mode: bridged', // 10: bad enum
      '    vlanId: thirty', // 11: wrong type
      '    subnets: [{cidr: 10.0.0.0/24, ipRangePerHost: big}]', // 12: wrong type
      'rollout: {canary: -1}', // 13: out of range
    ].join('\n');
    expect(problems(text)).toEqual(
      expected(text, [
        [
          4,
          'port',
          'hosts[0].port',
          expect.stringMatching(/^unknown field of FleetHost; expected one of name, address, labels$/),
        ],
        [6, 'name', 'hosts[1].name', 'given twice'],
        [
          10,
          'bridged',
          'networks[0].mode',
          'expected bridge, private, vepa or passthru, got the text "bridged"',
        ],
        [11, 'thirty', 'networks[0].vlanId', 'expected a whole number, got the text "thirty"'],
        [12, 'big', 'networks[0].subnets[0].ipRangePerHost', 'expected a whole number, got the text "big"'],
        [13, '-1', 'rollout.canary', 'expected a whole number from 0 to 4294967295, got the number -1'],
      ]),
    );
  });

  it('says it all in one message that names the fleet file', () => {
    expect(() => parseFleetFile('hosts: [{name: h1, address: "a:1", colour: red}]', 'f.yaml', '.')).toThrow(
      /^f\.yaml: 1 error in the fleet file:\n {2}f\.yaml:1:36: hosts\[0\]\.colour: unknown field of FleetHost/,
    );
    expect(problems('')).toEqual([{ path: '', message: expect.stringMatching(/^the file names no host/) }]);
  });

  it('checks hosts: names, addresses, both unique, and at least one', () => {
    const long = 'y'.repeat(65);
    const text = [
      'hosts:',
      '  - {name: h1, address: "a:1"}',
      '  - {name: h1, address: "b:1"}', // 3: name again
      '  - {name: h3, address: "A:1"}', // 4: address again (case aside)
      '  - {name: "-x", address: ""}', // 5: bad name, empty address
      `  - {name: ${long}, address: "c d"}`, // 6: too long, a space
    ].join('\n');
    expect(problems(text)).toEqual(
      expected(text, [
        [3, 'h1', 'hosts[1].name', 'h1 is also the name of hosts[0]'],
        [4, '"A:1"', 'hosts[2].address', 'A:1 is also the address of hosts[0]'],
        [5, '"-x"', 'hosts[3].name', expect.stringMatching(/^"-x" is not a name: 1-64 characters/)],
        [5, '""', 'hosts[3].address', expect.stringMatching(/^required: the agent's address/)],
        [6, long, 'hosts[4].name', expect.stringMatching(/^"y{64}\.\.\." \(65 characters\) is not a name/)],
        [6, '"c d"', 'hosts[4].address', '"c d" is not an address: host:port or unix:///path'],
      ]),
    );
    expect(problems('hosts: []\nrollout: {maxFailures: 1}')).toEqual(
      expected('hosts: []', [[1, '[]', 'hosts', 'a fleet names at least one host']]),
    );
  });

  it(`refuses more than ${MAX_FLEET_HOSTS} hosts, and more than 32 labels on one`, () => {
    const many = Array.from({ length: MAX_FLEET_HOSTS + 1 }, (_, i) => `{name: h${i}, address: "a${i}:1"}`);
    expect(problems(`hosts: [${many.join(', ')}]`)).toEqual([
      expect.objectContaining({
        path: 'hosts',
        message: `${MAX_FLEET_HOSTS + 1} hosts: a fleet file names at most ${MAX_FLEET_HOSTS}`,
      }),
    ]);
    const labels = Array.from({ length: 33 }, (_, i) => `l${i}: v`).join(', ');
    expect(problems(`hosts: [{name: h, address: "a:1", labels: {${labels}}}]`)).toEqual([
      expect.objectContaining({ path: 'hosts[0].labels', message: '33 labels: a host carries at most 32' }),
    ]);
  });

  it('checks networks: unique names, ranges per host, parents and VLANs, selectors', () => {
    const text = [
      HOSTS.trim(),
      'networks:',
      '  - name: a',
      '    parent: eth0.30',
      '    vlanId: 20', // 5: contradicts the name
      '    subnets:',
      '      - {cidr: 10.0.0.0/24, gateway: 10.0.0.1, ipRange: 10.0.0.0/25, ipRangePerHost: 26}', // 7: both
      '      - {cidr: 10.1.0.0/24, gateway: 10.1.0.1, ipRangePerHost: 23}', // 8: wider than the subnet
      '      - {cidr: 10.2.0.0/24, gateway: 10.2.0.1, ip_range_per_host: 33}', // 9: past /32
      '      - {cidr: "fd00::/64", gateway: "fd00::1", ipRangePerHost: 129}', // 10: past /128
      '  - name: "a"', // 11: name again
      '    parent: eth0.x', // 12: not a sub-interface
      '    hosts: {matchLabels: {rack: z}}', // 13: no host
      '    subnets: [{cidr: 10.3.0.1/24, gateway: ten}]', // 14: host bits, gateway
      '  - {name: b, parent: eth0, vlanId: 5000, subnets: [{cidr: 300.0.0.0/8}]}', // 15
    ].join('\n');
    const fit = (bits: number, cidr: string, from: number, to: number) =>
      `/${bits} does not fit in ${cidr}: each host's block is a prefix length from ${from} to ${to}`;
    expect(problems(text)).toEqual(
      expected(text, [
        [
          5,
          '20',
          'networks[0].vlanId',
          '20 contradicts the parent "eth0.30" (VLAN 30): drop vlanId or make them agree',
        ],
        [
          7,
          '26',
          'networks[0].subnets[0].ipRangePerHost',
          'not with ipRange: give every host one ipRange, or each host a block of its own',
        ],
        [8, '23', 'networks[0].subnets[1].ipRangePerHost', fit(23, '10.1.0.0/24', 24, 32)],
        [9, '33', 'networks[0].subnets[2].ipRangePerHost', fit(33, '10.2.0.0/24', 24, 32)],
        [10, '129', 'networks[0].subnets[3].ipRangePerHost', fit(129, 'fd00::/64', 64, 128)],
        [11, '"a"', 'networks[1].name', 'a is also the name of networks[0]'],
        [
          12,
          'eth0.x',
          'networks[1].parent',
          '"eth0.x" is not a sub-interface name: use <link>.<vlan id 1-4094>, e.g. "eth0.30"',
        ],
        [13, '{', 'networks[1].hosts', 'matches no host of the file (matchLabels rack=z)'],
        [
          14,
          '10.3.0.1/24',
          'networks[1].subnets[0].cidr',
          '10.3.0.1/24 has bits set past its prefix: write 10.3.0.0/24',
        ],
        [14, 'ten', 'networks[1].subnets[0].gateway', '"ten" is not an IP address'],
        [15, '5000', 'networks[2].vlanId', '5000 is not a VLAN id: use 1-4094, or 0 for none'],
        [
          15,
          '300.0.0.0/8',
          'networks[2].subnets[0].cidr',
          '"300.0.0.0/8" is not a CIDR prefix like 192.168.30.0/24',
        ],
      ]),
    );
  });

  it('takes ipRangePerHost equal to the prefix length, and up to a single address', () => {
    const at = (n: number) =>
      `${HOSTS}networks: [{name: a, parent: eth0, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1, ipRangePerHost: ${n}}]}]\n`;
    expect(parseFleetFile(at(24), 'f', '.').networks[0].subnets[0].ipRangePerHost).toBe(24);
    expect(parseFleetFile(at(32), 'f', '.').networks[0].subnets[0].ipRangePerHost).toBe(32);
  });

  it('checks endpoints: their host, their network on that host, unique, addresses and MACs', () => {
    const text = [
      'hosts: [{name: h1, address: "a:1", labels: {rack: a}}, {name: h2, address: "b:1"}]',
      'networks:',
      '  - {name: n, parent: eth0, hosts: {matchLabels: {rack: a}}}',
      'endpoints:',
      '  - {host: h1, network: n, name: e, netns: e}',
      '  - {host: h1, network: n, name: e, netns: f}', // 6: again
      '  - {host: h2, network: n, name: e, netns: e}', // 7: n does not go to h2
      '  - {host: h9, network: m, name: e, netns: e}', // 8: no such host, no such network
      '  - {network: n, name: x, netns: x}', // 9: no host
      '  - {host: h1, network: n, name: y, ipv4Address: "fd00::1", ipv6Address: 10.0.0.1, macAddress: "02:42"}', // 10
    ].join('\n');
    expect(problems(text)).toEqual(
      expected(text, [
        [6, 'e,', 'endpoints[1].name', 'endpoint "e" of network "n" on host "h1" is also endpoints[0]'],
        [7, 'n,', 'endpoints[2].network', 'network n does not go to host h2 (its hosts: rack=a)'],
        [8, 'h9', 'endpoints[3].host', '"h9" is not a host of the file'],
        [8, 'm,', 'endpoints[3].network', '"m" is not a network of the file'],
        // No host field: the line is the endpoint's.
        [9, '{', 'endpoints[4].host', 'required: the name of the host the endpoint is on'],
        [10, '"fd00::1"', 'endpoints[5].ipv4Address', '"fd00::1" is not an IPv4 address'],
        [10, '10.0.0.1', 'endpoints[5].ipv6Address', '"10.0.0.1" is not an IPv6 address'],
        [10, '"02:42"', 'endpoints[5].macAddress', '"02:42" is not a MAC address like 02:42:c0:a8:00:03'],
      ]),
    );
  });

  it('puts problems of the codec first, and the checks only once the file reads', () => {
    // The duplicate host name is not reported while the file does not read as a FleetFile.
    const text = 'hosts: [{name: h1, address: "a:1"}, {name: h1, address: "b:1"}]\nrollout: {canary: x}\n';
    expect(problems(text).map((p) => p.path)).toEqual(['rollout.canary']);
  });
});
