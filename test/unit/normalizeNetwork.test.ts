import { InvalidSpecError } from '../../agent/src/domain/errors';
import { normalizeNetworkSpec, type NetworkInput } from '../../agent/src/domain/normalizeNetwork';
import { networkInput } from '../support/memoryHost';

function input(overrides: Partial<NetworkInput> = {}): NetworkInput {
  return networkInput({ parent: 'eth0', ...overrides });
}

function refusal(overrides: Partial<NetworkInput>): InvalidSpecError {
  try {
    normalizeNetworkSpec(input(overrides));
  } catch (err) {
    if (err instanceof InvalidSpecError) return err;
    throw err;
  }
  throw new Error('expected the spec to be refused');
}

describe('normalizeNetworkSpec', () => {
  it('gives "eth0.10" and "eth0" with vlan_id 10 one normal form', () => {
    const a = normalizeNetworkSpec(input({ parent: 'eth0.10' }));
    const b = normalizeNetworkSpec(input({ parent: 'eth0', vlanId: 10 }));
    expect(a).toEqual(b);
    expect(a.parent).toBe('eth0.10');
    expect(a.vlanId).toBe(10);
  });

  it('accepts a VLAN on a bond', () => {
    expect(normalizeNetworkSpec(input({ parent: 'bond0.30' }))).toMatchObject({
      parent: 'bond0.30',
      vlanId: 30,
    });
  });

  it('defaults the mode to bridge', () => {
    expect(normalizeNetworkSpec(input()).mode).toBe('bridge');
  });

  it('makes a network without a parent internal', () => {
    expect(normalizeNetworkSpec(input({ parent: '' }))).toMatchObject({
      parent: '',
      internal: true,
      vlanId: 0,
    });
  });

  it('canonicalizes IPv6 addresses and sorts labels and aux addresses', () => {
    const spec = normalizeNetworkSpec(
      input({
        subnets: [
          {
            cidr: '2001:DB8:0:0::/64',
            gateway: '2001:db8:0::1',
            ipRange: '',
            auxAddresses: { z: '2001:db8::0:9', a: '2001:db8::8' },
          },
        ],
        labels: { b: '2', a: '1' },
      }),
    );
    expect(spec.subnets[0]).toEqual({
      cidr: '2001:db8::/64',
      gateway: '2001:db8::1',
      ipRange: '',
      auxAddresses: { a: '2001:db8::8', z: '2001:db8::9' },
    });
    expect(Object.keys(spec.labels)).toEqual(['a', 'b']);
  });

  it.each([
    [{ name: '' }, 'network.name'],
    [{ name: '-bad' }, 'network.name'],
    [{ name: 'a'.repeat(65) }, 'network.name'],
    [{ name: 'has space' }, 'network.name'],
    [{ parent: 'eth0.10', vlanId: 20 }, 'network.vlan_id'],
    [{ vlanId: 4095 }, 'network.vlan_id'],
    [{ parent: 'eth0.0' }, 'network.parent'],
    [{ parent: 'eth0.abc' }, 'network.parent'],
    [{ parent: 'averyveryverylongname' }, 'network.parent'],
    [{ parent: 'eth/0' }, 'network.parent'],
    [{ parent: '', vlanId: 10 }, 'network.vlan_id'],
    [{ internal: true }, 'network.internal'],
    [{ mode: 'macvtap' }, 'network.mode'],
    [{ mtu: 67 }, 'network.mtu'],
    [{ subnets: [] }, 'network.subnets'],
  ] as [Partial<NetworkInput>, string][])('refuses %j naming %s', (overrides, field) => {
    expect(refusal(overrides).field).toBe(field);
  });

  it('refuses a 15-byte parent whose sub-interface name would be longer than 15 bytes', () => {
    expect(refusal({ parent: 'enp0s31f6abcde', vlanId: 100 }).message).toContain('longer than 15 bytes');
  });
});

describe('normalizeNetworkSpec subnets', () => {
  const subnet = { cidr: '192.168.10.0/24', gateway: '192.168.10.1', ipRange: '', auxAddresses: {} };

  it.each([
    [{ cidr: '' }, 'cidr', 'required'],
    [{ cidr: '192.168.10.0' }, 'cidr', 'not a CIDR prefix'],
    [{ cidr: '192.168.10.5/24' }, 'cidr', 'did you mean 192.168.10.0/24'],
    [{ cidr: '192.168.10.0/31' }, 'cidr', 'too small'],
    [{ cidr: '10.1/8' }, 'cidr', 'not a CIDR prefix'],
    [{ cidr: '192.168.10.0/024' }, 'cidr', 'not a CIDR prefix'],
    [{ gateway: '' }, 'gateway', 'required'],
    [{ gateway: '10.0.0.1' }, 'gateway', 'not inside the subnet 192.168.10.0/24'],
    [{ gateway: '192.168.10.0' }, 'gateway', "subnet's own address"],
    [{ gateway: '192.168.10.255' }, 'gateway', 'broadcast'],
    [{ gateway: '2001:db8::1' }, 'gateway', 'not inside the subnet'],
    [{ gateway: 'gw' }, 'gateway', 'not an IP address'],
    [{ ipRange: '192.168.11.0/25' }, 'ip_range', 'not inside the subnet'],
    [{ ipRange: '192.168.10.1/25' }, 'ip_range', 'not a CIDR prefix'],
    [{ auxAddresses: { router: '192.168.10.1' } }, 'aux_addresses[router]', 'gateway already'],
    [{ auxAddresses: { nas: '192.168.20.5' } }, 'aux_addresses[nas]', 'not inside the subnet'],
  ] as [object, string, string][])('refuses subnet %j in field %s', (overrides, field, words) => {
    const err = refusal({ subnets: [{ ...subnet, ...overrides }] });
    expect(err.field).toBe(`network.subnets[0].${field}`);
    expect(err.message).toContain(words);
  });

  it('refuses overlapping subnets within one network', () => {
    const err = refusal({ subnets: [subnet, { ...subnet, cidr: '192.168.0.0/16', gateway: '192.168.0.1' }] });
    expect(err.field).toBe('network.subnets[1].cidr');
    expect(err.message).toContain('overlaps subnets[0]');
  });

  it('takes an IPv4 and an IPv6 subnet together', () => {
    const spec = normalizeNetworkSpec(
      input({
        subnets: [
          subnet,
          { cidr: 'fd00:10::/64', gateway: 'fd00:10::1', ipRange: 'fd00:10::/80', auxAddresses: {} },
        ],
      }),
    );
    expect(spec.subnets.map((s) => s.cidr)).toEqual(['192.168.10.0/24', 'fd00:10::/64']);
  });
});
