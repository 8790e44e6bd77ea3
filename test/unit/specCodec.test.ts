import { Spec } from '../../proto/gen/mvnet/v1/apply';
import { EndpointState } from '../../proto/gen/mvnet/v1/endpoint';
import { MacvlanMode, NetworkState } from '../../proto/gen/mvnet/v1/network';
import { isOutsideApply } from '../../client/src/spec/applyScope';
import { parseSpec } from '../../client/src/spec/parseSpec';
import { MAX_SPEC_PROBLEMS } from '../../client/src/spec/protoJsonFromYaml';
import { renderSpec } from '../../client/src/spec/renderSpec';
import { SpecError, type SpecProblem } from '../../client/src/spec/SpecError';

/** A host with every spec field set somewhere: two networks (one v4+v6), endpoints with all they keep. */
const HOST: Spec = Spec.fromPartial({
  networks: [
    {
      name: 'lan',
      parent: 'bond0',
      mode: MacvlanMode.MACVLAN_MODE_PRIVATE,
      subnets: [
        {
          cidr: '10.1.0.0/24',
          gateway: '10.1.0.1',
          ipRange: '10.1.0.128/25',
          auxAddresses: { nas: '10.1.0.5' },
        },
        { cidr: 'fd00:1::/64', gateway: 'fd00:1::1' },
      ],
      mtu: 1400,
      promiscuous: true,
      hostAccess: true,
      labels: { tier: 'web', 'example.com/owner': 'ops' },
    },
    {
      name: 'vlan10',
      parent: 'eth0.10',
      vlanId: 10,
      mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
      subnets: [{ cidr: '192.168.10.0/24', gateway: '192.168.10.1' }],
    },
    { name: 'iso', internal: true, subnets: [{ cidr: '172.30.0.0/24', gateway: '172.30.0.1' }] },
  ],
  endpoints: [
    {
      name: 'c1',
      network: 'lan',
      netns: '/var/run/netns/c1',
      ifname: 'eth1',
      ipv4Address: '10.1.0.130',
      ipv6Address: 'fd00:1::9',
      macAddress: '02:42:0a:01:00:82',
      labels: { app: 'db' },
    },
    { name: 'c2', network: 'vlan10', netns: 'pid:4242', ifname: 'eth0', ipv4Address: '192.168.10.2' },
  ],
});

/** The problems of a refused spec. */
function problems(text: string, source = 'host.yaml'): SpecProblem[] {
  try {
    parseSpec(text, source);
  } catch (err) {
    if (err instanceof SpecError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the spec to be refused');
}

describe('spec files: export writes what apply reads', () => {
  it.each(['yaml', 'json'] as const)('reads back in %s what it wrote, field for field', (format) => {
    expect(parseSpec(renderSpec(HOST, format), 'host')).toEqual(HOST);
  });

  it('writes enums by short name, no status, no field at its default', () => {
    const withStatus = Spec.fromPartial({
      ...HOST,
      networks: HOST.networks.map((n) => ({ ...n, status: { state: NetworkState.NETWORK_STATE_READY } })),
      endpoints: HOST.endpoints.map((e) => ({ ...e, status: { state: EndpointState.ENDPOINT_STATE_LOST } })),
    });
    const yaml = renderSpec(withStatus, 'yaml', ' mvnet export of h1 at revision 7');
    expect(yaml).toMatch(/^# mvnet export of h1 at revision 7\n/);
    expect(yaml).toContain('    mode: private\n');
    expect(yaml).toContain('    mode: bridge\n');
    expect(yaml).not.toMatch(
      /status|MACVLAN_MODE|mtu: 0|internal: false|vlanId: 0|ipRange: ""|auxAddresses: \{\}/,
    );
    const json = JSON.parse(renderSpec(withStatus, 'json'));
    expect(json.networks[2]).toEqual({
      name: 'iso',
      internal: true,
      subnets: [{ cidr: '172.30.0.0/24', gateway: '172.30.0.1' }],
    });
    expect(json.endpoints[1]).toEqual({
      name: 'c2',
      network: 'vlan10',
      netns: 'pid:4242',
      ifname: 'eth0',
      ipv4Address: '192.168.10.2',
    });
  });

  it('quotes text that YAML 1.2 or 1.1 would read as another type', () => {
    const labels = { on: 'true', n: '007', y: 'yes', mac: '02:42:00:11:22:33', oct: '0o10', big: '1_000' };
    const spec = Spec.fromPartial({ networks: [{ name: '10', labels }] });
    const yaml = renderSpec(spec, 'yaml');
    expect(parseSpec(yaml, 'x')).toEqual(spec);
    expect(yaml).toContain(
      '  - name: "10"\n    labels:\n      "on": "true"\n      "n": "007"\n      "y": "yes"\n' +
        '      mac: "02:42:00:11:22:33"\n      oct: "0o10"\n      big: "1_000"\n',
    );
  });
});

describe('spec files: what they may say', () => {
  it("takes the proto's field names as well as the JSON names", () => {
    const camel =
      'networks: [{name: n, vlanId: 10, hostAccess: true, subnets: [{cidr: 10.0.0.0/24, gateway: 10.0.0.1, ipRange: 10.0.0.0/25, auxAddresses: {a: 10.0.0.5}}]}]\nendpoints: [{name: c, network: n, netns: c, ipv4Address: 10.0.0.2, macAddress: "02:00:00:00:00:01"}]';
    const proto = camel
      .replace('vlanId', 'vlan_id')
      .replace('hostAccess', 'host_access')
      .replace('ipRange', 'ip_range')
      .replace('auxAddresses', 'aux_addresses')
      .replace('ipv4Address', 'ipv4_address')
      .replace('macAddress', 'mac_address');
    const spec = parseSpec(camel, 'camel');
    expect(spec.networks[0]).toMatchObject({ vlanId: 10, hostAccess: true });
    expect(spec.networks[0].subnets[0]).toMatchObject({
      ipRange: '10.0.0.0/25',
      auxAddresses: { a: '10.0.0.5' },
    });
    expect(spec.endpoints[0]).toMatchObject({ ipv4Address: '10.0.0.2', macAddress: '02:00:00:00:00:01' });
    expect(parseSpec(proto, 'proto')).toEqual(spec);
  });

  it.each([
    ['bridge', MacvlanMode.MACVLAN_MODE_BRIDGE],
    ['BRIDGE', MacvlanMode.MACVLAN_MODE_BRIDGE],
    ['MACVLAN_MODE_BRIDGE', MacvlanMode.MACVLAN_MODE_BRIDGE],
    ['private', MacvlanMode.MACVLAN_MODE_PRIVATE],
    ['MACVLAN_MODE_VEPA', MacvlanMode.MACVLAN_MODE_VEPA],
    ['passthru', MacvlanMode.MACVLAN_MODE_PASSTHRU],
    ['4', MacvlanMode.MACVLAN_MODE_PASSTHRU],
  ])('reads the mode %s', (written, mode) => {
    expect(parseSpec(`networks: [{name: n, mode: ${written}}]`, 'x').networks[0].mode).toBe(mode);
  });

  it('reads JSON as it reads YAML', () => {
    const json = '{"networks": [{"name": "n", "vlan_id": 10, "mode": "MACVLAN_MODE_VEPA"}], "endpoints": []}';
    expect(parseSpec(json, 'x')).toEqual(parseSpec('networks: [{name: n, vlanId: 10, mode: vepa}]', 'y'));
  });

  it('ignores status (output only), whatever it holds', () => {
    const withStatus = parseSpec(
      'networks: [{name: n, status: {state: NETWORK_STATE_READY, bogus: [1]}}]',
      'x',
    );
    expect(withStatus).toEqual(parseSpec('networks: [{name: n}]', 'y'));
  });

  it('takes null as the default (proto3 JSON), and an empty mapping as an empty host', () => {
    expect(parseSpec('networks:\nendpoints: null\n', 'x')).toEqual({ networks: [], endpoints: [] });
    expect(parseSpec('{}', 'x')).toEqual({ networks: [], endpoints: [] });
  });

  it('takes anchors and aliases', () => {
    const text = 'networks:\n  - {name: a, labels: &l {tier: web}}\n  - {name: b, labels: *l}\n';
    expect(parseSpec(text, 'x').networks.map((n) => n.labels)).toEqual([{ tier: 'web' }, { tier: 'web' }]);
  });
});

describe('spec files: every problem at once, with its path and line', () => {
  it('names the path and the line of each error class', () => {
    const text = [
      'networks:', // 1
      '  - name: a', // 2
      '    vlanId: ten', // 3: wrong type
      '    mode: bridged', // 4: bad enum
      '    mtu: 1.5', // 5: not whole
      '    colour: red', // 6: unknown field
      '    labels: {tier: 1}', // 7: a number for text
      '  - 5', // 8: not a mapping
      '  - name: b', // 9
      '    name: c', // 10: duplicate key
      '    vlan_id: 1', // 11
      '    vlanId: 2', // 12: one field under both names
      '    internal: yes', // 13: YAML 1.2 has no yes
      '    subnets: {cidr: x}', // 14: not a list
      '  -', // 15: null in a list
      'endpoints: [{name: c, labels: {a: b, a: c}}]', // 16: duplicate map key
    ].join('\n');
    expect(problems(text)).toEqual([
      {
        path: 'networks[0].vlanId',
        line: 3,
        column: 13,
        message: 'expected a whole number, got the text "ten"',
      },
      {
        path: 'networks[0].mode',
        line: 4,
        column: 11,
        message: 'expected bridge, private, vepa or passthru, got the text "bridged"',
      },
      {
        path: 'networks[0].mtu',
        line: 5,
        column: 10,
        message: 'expected a whole number, got the number 1.5',
      },
      {
        path: 'networks[0].colour',
        line: 6,
        column: 5,
        message: expect.stringMatching(/^unknown field of Network; expected one of name, parent, vlanId,/),
      },
      {
        path: 'networks[0].labels[tier]',
        line: 7,
        column: 20,
        message: 'expected text, got the number 1 (quote it: "1")',
      },
      {
        path: 'networks[1]',
        line: 8,
        column: 5,
        message: 'expected a mapping of Network fields, got the number 5',
      },
      { path: 'networks[2].name', line: 10, column: 5, message: 'given twice' },
      { path: 'networks[2].vlanId', line: 12, column: 5, message: 'the same field as vlan_id, given twice' },
      {
        path: 'networks[2].internal',
        line: 13,
        column: 15,
        message: 'expected true or false, got the text "yes"',
      },
      { path: 'networks[2].subnets', line: 14, column: 14, message: 'expected a list, got a mapping' },
      { path: 'networks[3]', line: 15, column: 4, message: 'expected a value, got null' },
      { path: 'endpoints[0].labels[a]', line: 16, column: 38, message: 'given twice' },
    ]);
  });

  it('says it all in one message, a line per problem, as a compiler does', () => {
    expect(() => parseSpec('networks: [{name: a, vlanId: x}, {name: b, mtu: -1}]', 'h1.yaml')).toThrow(
      'h1.yaml: 2 errors in the spec:\n' +
        '  h1.yaml:1:30: networks[0].vlanId: expected a whole number, got the text "x"\n' +
        '  h1.yaml:1:49: networks[1].mtu: expected a whole number from 0 to 4294967295, got the number -1',
    );
  });

  it('reports YAML syntax with its line, and refuses several documents and an empty file', () => {
    expect(problems('networks:\n  - name: [a\n')).toEqual([
      expect.objectContaining({ path: '', line: expect.any(Number) }),
    ]);
    expect(problems('networks: []\n---\nnetworks: []\n')).toEqual([
      { path: '', line: 2, column: 1, message: 'several YAML documents: a spec is one document' },
    ]);
    expect(problems('')).toEqual([
      {
        path: '',
        message: 'the file holds no spec: to remove every network and endpoint, write networks: []',
      },
    ]);
    expect(problems('- networks')[0].message).toBe('expected a mapping of Spec fields, got a list');
  });

  it('refuses an unknown tag, an alias without anchor and a key __proto__', () => {
    expect(problems('networks: [!foo x]').map((p) => p.message)).toEqual([
      'Unresolved tag: !foo',
      'expected a mapping of Network fields, got the text "x"',
    ]);
    expect(problems('networks: [*nowhere]')[0].message).toMatch(
      /the alias \*nowhere, which names no anchor before it/,
    );
    expect(problems('networks: [{name: a, labels: {__proto__: x}}]')).toEqual([
      expect.objectContaining({
        path: 'networks[0].labels[__proto__]',
        message: 'the key __proto__ is not allowed',
      }),
    ]);
  });

  it('quotes a hostile key, never echoing it raw or whole', () => {
    const [problem] = problems(`networks: [{"x\\u001b[2J${'y'.repeat(100)}": 1}]`);
    // 64 characters shown (x, ESC, "[2J" and 59 y), of 105.
    expect(problem.path).toMatch(/^networks\[0\]\."x\\u001b\[2Jy{59}\.\.\." \(105 characters\)$/);
  });

  it('stops aliases of aliases from expanding without end', () => {
    // Every node is valid where it stands, so the walk follows each alias: 100 networks of 100
    // subnets of 100 aux addresses are a million values from a file of a few kilobytes.
    const aux = Array.from({ length: 100 }, (_, i) => `k${i}: 10.0.0.${i}`).join(', ');
    const subnets = `[&s {cidr: 10.0.0.0/24, gateway: 10.0.0.1, auxAddresses: {${aux}}}${', *s'.repeat(99)}]`;
    const text = `networks: [&n {name: n, subnets: ${subnets}}${', *n'.repeat(99)}]\n`;
    expect(text.length).toBeLessThan(4096);
    expect(problems(text)).toEqual([
      { path: '', message: expect.stringMatching(/^more than 200000 values/) },
    ]);
  });

  it(`lists the first ${MAX_SPEC_PROBLEMS} problems and counts the rest`, () => {
    const text = `networks: [${Array(150).fill('{mtu: x}').join(', ')}]`;
    let error: SpecError | undefined;
    try {
      parseSpec(text, 'big.yaml');
    } catch (err) {
      error = err as SpecError;
    }
    expect(error?.problems).toHaveLength(MAX_SPEC_PROBLEMS);
    expect(error?.message).toMatch(/^big\.yaml: 150 errors in the spec:\n/);
    expect(error?.message).toMatch(/\n {2}\.\.\. and 50 more$/);
  });
});

describe("Apply's scope", () => {
  it.each([
    [{}, false],
    [{ 'mvnet.io/managed-by': 'apply' }, false],
    [{ 'mvnet.io/managed-by': 'cni' }, true],
    [{ 'mvnet.io/managed-by': '' }, true],
    [{ tier: 'cni' }, false],
  ])('with labels %j, an endpoint is outside: %s', (labels, outside) => {
    expect(isOutsideApply({ labels })).toBe(outside);
  });
});
