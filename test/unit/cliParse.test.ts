import { CliUsageError } from '../../client/src/cli/CliUsageError';
import { networkSpecFromFlags, type NetworkCreateFlags } from '../../client/src/cli/networkSpecFromFlags';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';

function refusal(flags: NetworkCreateFlags): string {
  try {
    networkSpecFromFlags('n1', flags);
  } catch (err) {
    if (err instanceof CliUsageError) return err.message;
    throw err;
  }
  throw new Error('expected the flags to be refused');
}

describe('networkSpecFromFlags', () => {
  it('turns the seed demo command into a bridge-mode spec on eth0.10', () => {
    const spec = networkSpecFromFlags('macvlan10', {
      driver: 'macvlan',
      subnet: ['192.168.10.0/24'],
      gateway: ['192.168.10.1'],
      opt: ['parent=eth0.10'],
    });
    expect(spec).toEqual({
      name: 'macvlan10',
      parent: 'eth0.10',
      vlanId: 0,
      mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
      subnets: [{ cidr: '192.168.10.0/24', gateway: '192.168.10.1', ipRange: '', auxAddresses: {} }],
      mtu: 0,
      internal: false,
      promiscuous: false,
      hostAccess: false,
      labels: {},
    });
  });

  it('defaults the driver to macvlan', () => {
    expect(
      networkSpecFromFlags('n1', { subnet: ['10.0.0.0/24'], gateway: ['10.0.0.1'] }).subnets,
    ).toHaveLength(1);
  });

  describe('pairing gateways with subnets', () => {
    it('pairs the i-th gateway with the i-th subnet', () => {
      const spec = networkSpecFromFlags('n1', {
        subnet: ['10.1.0.0/24', '10.2.0.0/24'],
        gateway: ['10.1.0.1', '10.2.0.1'],
      });
      expect(spec.subnets.map((s) => [s.cidr, s.gateway])).toEqual([
        ['10.1.0.0/24', '10.1.0.1'],
        ['10.2.0.0/24', '10.2.0.1'],
      ]);
    });

    it('gives each gateway the subnet that contains it, whatever the order (as Docker does)', () => {
      const spec = networkSpecFromFlags('n1', {
        subnet: ['10.1.0.0/24', '10.2.0.0/24'],
        gateway: ['10.2.0.1', '10.1.0.254'],
      });
      expect(spec.subnets.map((s) => s.gateway)).toEqual(['10.1.0.254', '10.2.0.1']);
    });

    it('pairs IPv4 and IPv6 gateways with the subnets of their family when the flags are mixed', () => {
      const spec = networkSpecFromFlags('n1', {
        subnet: ['192.168.10.0/24', '2001:db8:10::/64', '192.168.20.0/24'],
        gateway: ['2001:db8:10::1', '192.168.10.1', '192.168.20.1'],
        ipv6: true,
      });
      expect(spec.subnets.map((s) => [s.cidr, s.gateway])).toEqual([
        ['192.168.10.0/24', '192.168.10.1'],
        ['2001:db8:10::/64', '2001:db8:10::1'],
        ['192.168.20.0/24', '192.168.20.1'],
      ]);
    });

    it('passes a gateway inside no subnet to the next subnet of its family, for the agent to name the field', () => {
      const spec = networkSpecFromFlags('n1', {
        subnet: ['2001:db8::/64', '192.168.0.0/24'],
        gateway: ['10.0.0.1'],
        ipv6: true,
      });
      expect(spec.subnets.map((s) => s.gateway)).toEqual(['', '10.0.0.1']);
    });

    it('leaves a subnet without --gateway with an empty gateway (the agent asks for one)', () => {
      expect(networkSpecFromFlags('n1', { subnet: ['10.0.0.0/24'] }).subnets[0].gateway).toBe('');
    });

    it('refuses more gateways than subnets', () => {
      expect(refusal({ subnet: ['10.0.0.0/24'], gateway: ['10.0.0.1', '10.0.0.2'] })).toMatch(
        /2 --gateway and 0 --ip-range for 1 --subnet: every gateway or ip-range needs its subnet/,
      );
    });

    it('refuses two gateways inside one subnet', () => {
      expect(refusal({ subnet: ['10.0.0.0/24', '10.0.1.0/24'], gateway: ['10.0.0.1', '10.0.0.2'] })).toBe(
        'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)',
      );
    });

    it('refuses a gateway with no subnet of its family left', () => {
      expect(
        refusal({ subnet: ['10.0.0.0/24', '2001:db8::/64'], gateway: ['10.0.0.1', '10.9.9.9'], ipv6: true }),
      ).toBe('no matching subnet for gateway 10.9.9.9');
    });

    it('refuses a subnet or a gateway that does not parse', () => {
      expect(refusal({ subnet: ['10.0.0.0'] })).toBe(
        '--subnet "10.0.0.0": not a CIDR prefix like 192.168.10.0/24',
      );
      expect(refusal({ subnet: ['10.0.0.0/33'] })).toMatch(/not a CIDR prefix/);
      expect(refusal({ subnet: ['10.0.0.0/24'], gateway: ['router'] })).toBe(
        '--gateway "router": not an IP address',
      );
    });
  });

  describe('ip ranges and aux addresses', () => {
    const two: NetworkCreateFlags = {
      subnet: ['192.168.10.0/24', '192.168.20.0/24'],
      gateway: ['192.168.10.1', '192.168.20.1'],
    };

    it('assigns each ip-range and aux address to the subnet that contains it', () => {
      const spec = networkSpecFromFlags('n1', {
        ...two,
        ipRange: ['192.168.20.128/25', '192.168.10.0/25'],
        auxAddress: ['printer=192.168.20.5', 'nas=192.168.10.6', 'router2=192.168.10.2'],
      });
      expect(spec.subnets.map((s) => [s.ipRange, s.auxAddresses])).toEqual([
        ['192.168.10.0/25', { nas: '192.168.10.6', router2: '192.168.10.2' }],
        ['192.168.20.128/25', { printer: '192.168.20.5' }],
      ]);
    });

    it('keeps the last address of an aux name given twice', () => {
      const spec = networkSpecFromFlags('n1', { ...two, auxAddress: ['a=192.168.10.5', 'a=192.168.20.5'] });
      expect(spec.subnets.map((s) => s.auxAddresses)).toEqual([{}, { a: '192.168.20.5' }]);
    });

    it('refuses an ip-range or aux address inside no subnet', () => {
      expect(refusal({ ...two, ipRange: ['10.0.0.0/25'] })).toBe(
        'no matching subnet for ip-range 10.0.0.0/25',
      );
      expect(refusal({ ...two, auxAddress: ['x=10.0.0.5'] })).toBe(
        'no matching subnet for aux-address 10.0.0.5',
      );
    });

    it('refuses two ip-ranges on one subnet', () => {
      expect(refusal({ ...two, ipRange: ['192.168.10.0/25', '192.168.10.128/25'] })).toBe(
        'cannot configure multiple ranges (192.168.10.128/25, 192.168.10.0/25) on the same subnet (192.168.10.0/24)',
      );
    });

    it('refuses an aux address without a name or with a bad address', () => {
      expect(refusal({ ...two, auxAddress: ['192.168.10.5'] })).toMatch(
        /--aux-address "192.168.10.5": use name=ip/,
      );
      expect(refusal({ ...two, auxAddress: ['x=nas'] })).toBe('--aux-address x=nas: not an IP address');
    });
  });

  describe('driver options', () => {
    const base: NetworkCreateFlags = { subnet: ['10.0.0.0/24'], gateway: ['10.0.0.1'] };

    it('reads every option of the macvlan driver', () => {
      const spec = networkSpecFromFlags('n1', {
        ...base,
        opt: [
          'parent=eth0',
          'vlan_id=10',
          'macvlan_mode=vepa',
          'mtu=1400',
          'promiscuous=true',
          'host_access=1',
        ],
      });
      expect(spec).toMatchObject({
        parent: 'eth0',
        vlanId: 10,
        mode: MacvlanMode.MACVLAN_MODE_VEPA,
        mtu: 1400,
        promiscuous: true,
        hostAccess: true,
      });
    });

    it("takes Docker's generic MTU option too", () => {
      expect(networkSpecFromFlags('n1', { ...base, opt: ['com.docker.network.driver.mtu=9000'] }).mtu).toBe(
        9000,
      );
    });

    it.each(['bridge', 'private', 'vepa', 'passthru'])('accepts macvlan_mode=%s', (mode) => {
      expect(networkSpecFromFlags('n1', { ...base, opt: [`macvlan_mode=${mode}`] }).mode).toBe(
        MacvlanMode[`MACVLAN_MODE_${mode.toUpperCase()}` as keyof typeof MacvlanMode],
      );
    });

    it('refuses an unknown option, naming it', () => {
      expect(refusal({ ...base, opt: ['parnet=eth0'] })).toMatch(
        /^-o parnet: unknown option for the macvlan driver: use parent, /,
      );
      expect(refusal({ ...base, opt: ['constructor=x'] })).toMatch(/^-o constructor: unknown option/);
    });

    it('refuses bad values', () => {
      expect(refusal({ ...base, opt: ['macvlan_mode=l2'] })).toBe(
        '-o macvlan_mode=l2: unknown macvlan mode: use bridge, private, vepa, passthru',
      );
      expect(refusal({ ...base, opt: ['mtu=big'] })).toBe('-o mtu=big: not a number');
      expect(refusal({ ...base, opt: ['promiscuous=maybe'] })).toBe(
        '-o promiscuous=maybe: use true or false',
      );
      expect(refusal({ ...base, opt: ['parent'] })).toMatch(/-o "parent": use key=value/);
    });
  });

  it('refuses a driver other than macvlan, naming it', () => {
    expect(refusal({ driver: 'bridge', subnet: ['10.0.0.0/24'] })).toMatch(
      /^driver "bridge" is not supported/,
    );
  });

  it('refuses an IPv6 subnet without --ipv6, saying to add it', () => {
    expect(refusal({ subnet: ['2001:db8::/64'], gateway: ['2001:db8::1'] })).toBe(
      '--subnet 2001:db8::/64 is an IPv6 subnet: add --ipv6 to enable IPv6 on the network',
    );
  });

  it('refuses --ipv6 without an IPv6 subnet', () => {
    expect(refusal({ subnet: ['10.0.0.0/24'], ipv6: true })).toMatch(/^--ipv6 needs an IPv6 --subnet/);
  });

  it('sets internal and labels', () => {
    const spec = networkSpecFromFlags('n1', {
      subnet: ['10.0.0.0/24'],
      internal: true,
      label: ['team=net', 'lab', 'a=b=c'],
    });
    expect(spec.internal).toBe(true);
    expect(spec.labels).toEqual({ team: 'net', lab: '', a: 'b=c' });
  });
});
