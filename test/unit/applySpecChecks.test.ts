/**
 * checkApplySpec: an Apply's spec is checked whole before anything else, every problem reported at once
 * with its path in the request, and a spec too big is refused before any object is looked at.
 */
import { checkApplySpec } from '../../agent/src/domain/apply/checkApplySpec';
import { SpecViolationsError, type FieldViolation } from '../../agent/src/domain/errors';
import { MAX_ENDPOINTS_PER_HOST, MAX_NETWORKS_PER_HOST } from '../../agent/src/domain/limits';
import { ep, net, spec } from '../support/applyHost';

/** The violations checkApplySpec throws for `input`; fails the test when it accepts it. */
function violationsOf(input: ReturnType<typeof spec>): FieldViolation[] {
  try {
    checkApplySpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecViolationsError);
    return [...(err as SpecViolationsError).violations];
  }
  throw new Error('the spec was accepted');
}

const fields = (violations: FieldViolation[]) => violations.map((v) => v.field);

describe('checkApplySpec', () => {
  it('accepts a good spec and brings it to normal form, in the spec’s order', () => {
    const desired = checkApplySpec(
      spec(
        [net('b', 2, { parent: 'eth0', vlanId: 10 }), net('a', 1)],
        [ep('c2', 'a'), ep('c1', 'b', { ifname: 'eth3', macAddress: '02:AA:BB:CC:DD:EE' })],
      ),
    );
    expect(desired.networks.map((n) => [n.name, n.parent, n.vlanId, n.mode])).toEqual([
      ['b', 'eth0.10', 10, 'bridge'],
      ['a', 'eth0', 0, 'bridge'],
    ]);
    expect(desired.endpoints.map((e) => [e.name, e.network, e.netnsRef, e.macAddress])).toEqual([
      ['c2', 'a', { name: 'c2' }, ''],
      ['c1', 'b', { name: 'c1' }, '02:aa:bb:cc:dd:ee'],
    ]);
  });

  it('reports every violation at once, each with its exact path in the request', () => {
    const violations = violationsOf(
      spec(
        [
          net('n0', 0),
          net('n1', 1, { mtu: 10 }),
          net('n2', 2, {
            subnets: [{ cidr: '10.9.0.0/24', gateway: '10.9.1.1', ipRange: '', auxAddresses: {} }],
          }),
          net('n 3', 3),
        ],
        [ep('c1', 'n0'), ep('c2', 'nope'), ep('c3', 'n0', { ifname: 'a/b' })],
      ),
    );
    expect(fields(violations)).toEqual([
      'spec.networks[1].mtu',
      'spec.networks[2].subnets[0].gateway',
      'spec.networks[3].name',
      'spec.endpoints[2].ifname',
      'spec.endpoints[1].network',
    ]);
    expect(violations[1].description).toBe('10.9.1.1 is not inside the subnet 10.9.0.0/24');
    expect(violations[4].description).toBe('the spec has no network "nope": add it to spec.networks');
  });

  it('refuses a network name given twice, naming the first', () => {
    const violations = violationsOf(spec([net('a', 1), net('b', 2), net('a', 3)]));
    expect(violations).toEqual([
      { field: 'spec.networks[2].name', description: 'network a is also spec.networks[0]' },
    ]);
  });

  it('refuses an endpoint name given twice in one network, and allows it in another', () => {
    const ok = spec([net('a', 1), net('b', 2)], [ep('c1', 'a'), ep('c1', 'b', { ifname: 'eth1' })]);
    expect(checkApplySpec(ok).endpoints).toHaveLength(2);
    // Without a name, an endpoint is named after its container: two from c1 in one network clash.
    const violations = violationsOf(
      spec([net('a', 1)], [ep('', 'a', { netns: 'c1' }), ep('', 'a', { netns: 'c1', ifname: 'eth1' })]),
    );
    expect(violations).toEqual([
      {
        field: 'spec.endpoints[1].name',
        description: "endpoint c1 of network a is also spec.endpoints[0]'s",
      },
    ]);
  });

  it('refuses an address given twice in one network, in either family, and allows it in two networks', () => {
    const v6 = { cidr: 'fd00::/64', gateway: 'fd00::1', ipRange: '', auxAddresses: {} };
    const a = net('a', 1, { subnets: [...net('a', 1).subnets, v6] });
    const violations = violationsOf(
      spec(
        [a, net('b', 2)],
        [
          ep('c1', 'a', { ipv4Address: '192.168.1.5', ipv6Address: 'fd00::5' }),
          ep('c2', 'a', { ipv4Address: '192.168.1.5' }),
          ep('c3', 'a', { ipv6Address: 'fd00::5' }),
          ep('c4', 'b', { ipv4Address: '192.168.1.5' }),
        ],
      ),
    );
    expect(violations).toEqual([
      {
        field: 'spec.endpoints[1].ipv4_address',
        description: `address "192.168.1.5" in network a is also spec.endpoints[0]'s`,
      },
      {
        field: 'spec.endpoints[2].ipv6_address',
        description: `address "fd00::5" in network a is also spec.endpoints[0]'s`,
      },
    ]);
  });

  it('refuses one interface name twice in one container, however the container is written', () => {
    const violations = violationsOf(
      spec(
        [net('a', 1), net('b', 2)],
        [
          ep('x', 'a', { netns: 'c1', ifname: 'eth0' }),
          ep('y', 'b', { netns: '/run/netns/c1', ifname: 'eth0' }),
          ep('z', 'b', { netns: 'c2', ifname: 'eth0' }),
        ],
      ),
    );
    expect(violations).toEqual([
      {
        field: 'spec.endpoints[1].ifname',
        description: "interface eth0 in /run/netns/c1 is also spec.endpoints[0]'s",
      },
    ]);
  });

  it('refuses subnets that overlap across networks, naming both', () => {
    const wide = net('wide', 0, {
      subnets: [{ cidr: '192.168.0.0/16', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
    });
    const violations = violationsOf(spec([net('a', 1), net('b', 2), wide]));
    expect(violations).toEqual([
      {
        field: 'spec.networks[2].subnets[0].cidr',
        description: '192.168.0.0/16 overlaps 192.168.1.0/24 of spec.networks[0]',
      },
    ]);
  });

  it('refuses an endpoint of another manager, and takes one labelled "apply"', () => {
    const violations = violationsOf(
      spec([net('a', 1)], [ep('c1', 'a', { labels: { 'mvnet.io/managed-by': 'cni' } })]),
    );
    expect(violations).toHaveLength(1);
    expect(violations[0].field).toBe('spec.endpoints[0].labels[mvnet.io/managed-by]');
    expect(violations[0].description).toMatch(/^"cni" puts an endpoint outside Apply's scope/);
    const ours = checkApplySpec(
      spec([net('a', 1)], [ep('c1', 'a', { labels: { 'mvnet.io/managed-by': 'apply' } })]),
    );
    expect(ours.endpoints[0].labels).toEqual({ 'mvnet.io/managed-by': 'apply' });
  });

  it('lists at most 100 violations, the first ones, and counts them all in its message', () => {
    const endpoints = Array.from({ length: 300 }, (_, i) => ep(`e${i}`, 'nope'));
    const violations = violationsOf(spec([], endpoints));
    expect(violations).toHaveLength(100);
    expect(violations[0].field).toBe('spec.endpoints[0].network');
    expect(violations[99].field).toBe('spec.endpoints[99].network');
    let message = '';
    try {
      checkApplySpec(spec([], endpoints));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^300 problems in the spec: spec\.endpoints\[0\]\.network: .*; and 295 more$/);
  });

  it('refuses more networks or endpoints than a host keeps before looking at any of them', () => {
    const networks = Array.from({ length: MAX_NETWORKS_PER_HOST + 1 }, (_, i) => net('same', i));
    const endpoints = Array.from({ length: MAX_ENDPOINTS_PER_HOST + 1 }, () => ep('same', 'nope'));
    expect(violationsOf(spec(networks, endpoints))).toEqual([
      { field: 'spec.networks', description: '129 networks is too many: a host has at most 128' },
      { field: 'spec.endpoints', description: '1025 endpoints is too many: a host has at most 1024' },
    ]);
    // At the caps themselves the spec is looked at (here: every name after the first is a duplicate).
    const atCap = violationsOf(spec(networks.slice(0, MAX_NETWORKS_PER_HOST)));
    expect(atCap[0]).toEqual({
      field: 'spec.networks[1].name',
      description: 'network same is also spec.networks[0]',
    });
  });
});
