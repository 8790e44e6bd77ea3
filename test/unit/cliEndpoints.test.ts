import { CliUsageError } from '../../client/src/cli/CliUsageError';
import { withPrefixLength } from '../../client/src/cli/cidr';
import { dockerContainerView } from '../../client/src/cli/dockerNetworkView';
import { endpointSpecFromFlags, type NetworkConnectFlags } from '../../client/src/cli/endpointSpecFromFlags';
import { findContainerEndpoints, netnsIdentity } from '../../client/src/cli/findContainerEndpoints';
import { EndpointState, type Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import type { Network } from '../../proto/gen/mvnet/v1/network';

function refusal(flags: NetworkConnectFlags): string {
  try {
    endpointSpecFromFlags('mvnet', 'c1', flags);
  } catch (err) {
    if (err instanceof CliUsageError) return err.message;
    throw err;
  }
  throw new Error('expected the flags to be refused');
}

function endpoint(name: string, netns: string, overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    name,
    network: 'mvnet',
    netns,
    ifname: 'eth0',
    ipv4Address: '',
    ipv6Address: '',
    macAddress: '02:00:00:00:00:01',
    labels: {},
    status: { state: EndpointState.ENDPOINT_STATE_READY, message: '', revision: 1 },
    ...overrides,
  };
}

describe('endpointSpecFromFlags', () => {
  it("turns the seed's --ip into the endpoint's IPv4 address", () => {
    expect(endpointSpecFromFlags('mvnet', 'c1', { ip: '192.168.0.3' })).toEqual({
      network: 'mvnet',
      netns: 'c1',
      ipv4Address: '192.168.0.3',
    });
  });

  it('leaves out every flag not given, for the agent to pick', () => {
    expect(endpointSpecFromFlags('mvnet', 'pid:42', {})).toEqual({ network: 'mvnet', netns: 'pid:42' });
  });

  it('passes every flag through', () => {
    const flags = {
      ip: '10.0.0.2',
      ip6: '2001:db8::2',
      macAddress: '02:42:c0:a8:00:03',
      ifname: 'eth1',
      name: 'web',
    };
    expect(endpointSpecFromFlags('n1', '/var/run/netns/c1', flags)).toEqual({
      network: 'n1',
      netns: '/var/run/netns/c1',
      name: 'web',
      ipv4Address: '10.0.0.2',
      ipv6Address: '2001:db8::2',
      macAddress: '02:42:c0:a8:00:03',
      ifname: 'eth1',
    });
  });

  it('refuses an address with a prefix, naming the address without it', () => {
    expect(refusal({ ip: '192.168.0.3/24' })).toMatch(
      /^--ip 192\.168\.0\.3\/24: give the address without prefix \(--ip 192\.168\.0\.3\)/,
    );
    expect(refusal({ ip6: '2001:db8::3/64' })).toMatch(
      /^--ip6 2001:db8::3\/64: give the address without prefix/,
    );
  });

  it('refuses an address of the other family or no address at all', () => {
    expect(refusal({ ip: '2001:db8::3' })).toBe('--ip "2001:db8::3": not an IPv4 address like 192.168.0.3');
    expect(refusal({ ip6: '192.168.0.3' })).toBe('--ip6 "192.168.0.3": not an IPv6 address like 2001:db8::3');
    expect(refusal({ ip: 'c1' })).toMatch(/^--ip "c1": not an IPv4 address/);
    expect(refusal({ ip: '' })).toMatch(/^--ip "": not an IPv4 address/);
  });
});

describe('netnsIdentity', () => {
  it('reads a name and the paths of a named netns as the same namespace', () => {
    expect(netnsIdentity('c1')).toBe('name:c1');
    expect(netnsIdentity('/run/netns/c1')).toBe('name:c1');
    expect(netnsIdentity('/var/run/netns/c1')).toBe('name:c1');
  });

  it("reads pid:N and /proc/N/ns/net as process N's namespace", () => {
    expect(netnsIdentity('pid:1234')).toBe('pid:1234');
    expect(netnsIdentity('/proc/1234/ns/net')).toBe('pid:1234');
    expect(netnsIdentity('pid:01234')).toBe('pid:1234');
  });

  it('keeps any other absolute path as that file', () => {
    expect(netnsIdentity('/var/lib/containers/ns/c1')).toBe('path:/var/lib/containers/ns/c1');
  });
});

describe('findContainerEndpoints', () => {
  const endpoints = [endpoint('c1', 'mvdemo-c1'), endpoint('web', 'c1'), endpoint('db', 'pid:42')];

  it('takes the endpoint of that name first, as Docker takes a container name', () => {
    expect(findContainerEndpoints(endpoints, 'c1').map((e) => e.name)).toEqual(['c1']);
  });

  it("finds an endpoint by its container's netns, however the netns is written", () => {
    expect(findContainerEndpoints(endpoints, 'mvdemo-c1').map((e) => e.name)).toEqual(['c1']);
    expect(findContainerEndpoints(endpoints, '/var/run/netns/mvdemo-c1').map((e) => e.name)).toEqual(['c1']);
    expect(findContainerEndpoints(endpoints, '/proc/42/ns/net').map((e) => e.name)).toEqual(['db']);
  });

  it('finds every attachment of a container attached twice to the network', () => {
    const twice = [endpoint('a', 'c2'), endpoint('b', 'c2', { ifname: 'eth1' }), endpoint('c', 'c3')];
    expect(findContainerEndpoints(twice, 'c2').map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('finds nothing for a container that is not connected', () => {
    expect(findContainerEndpoints(endpoints, 'c9')).toEqual([]);
  });
});

describe('withPrefixLength', () => {
  const cidrs = ['192.168.0.0/24', '10.1.0.0/16', '2001:db8::/64'];

  it("adds the prefix length of the subnet holding the address, as Docker's inspect shows it", () => {
    expect(withPrefixLength('192.168.0.3', cidrs)).toBe('192.168.0.3/24');
    expect(withPrefixLength('10.1.2.3', cidrs)).toBe('10.1.2.3/16');
    expect(withPrefixLength('2001:db8::3', cidrs)).toBe('2001:db8::3/64');
  });

  it('leaves an empty address empty, and one outside every subnet as it is', () => {
    expect(withPrefixLength('', cidrs)).toBe('');
    expect(withPrefixLength('172.16.0.3', cidrs)).toBe('172.16.0.3');
  });
});

describe('dockerContainerView', () => {
  it("shows an endpoint as an entry of Docker's Containers, with mvnet's fields after Docker's", () => {
    const network = {
      name: 'mvnet',
      subnets: [{ cidr: '192.168.0.0/24', gateway: '192.168.0.1', ipRange: '', auxAddresses: {} }],
    } as unknown as Network;
    const view = dockerContainerView(endpoint('c1', 'mvdemo-c1', { ipv4Address: '192.168.0.3' }), network);
    expect(view).toEqual({
      Name: 'c1',
      EndpointID: 'mvnet/c1',
      MacAddress: '02:00:00:00:00:01',
      IPv4Address: '192.168.0.3/24',
      IPv6Address: '',
      Netns: 'mvdemo-c1',
      Ifname: 'eth0',
      State: 'ready',
    });
    expect(Object.keys(view).slice(0, 5)).toEqual([
      'Name',
      'EndpointID',
      'MacAddress',
      'IPv4Address',
      'IPv6Address',
    ]);
  });
});
