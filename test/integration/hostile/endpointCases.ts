/**
 * Hostile CreateEndpoint requests: every field of Endpoint, spoiled one at a time, with the code the
 * agent must answer and what its message must name. The netns cases include the paths a client may
 * not make a root agent open, and namespaces it may not enter.
 */
import { endpointCases, Status, type HostileCase } from './hostileCase';
import { HOST_ADDRESS } from './hostileHost';

const INVALID = Status.INVALID_ARGUMENT;
const PRECONDITION = Status.FAILED_PRECONDITION;
const long = (n: number) => 'x'.repeat(n);

export const ENDPOINT_CASES: HostileCase[] = [
  ...endpointCases(INVALID, /^endpoint\.network: /, [
    ['on no network', { network: '' }],
    ['on network -x', { network: '-x' }],
    ['on a network named with a NUL', { network: 'a\u0000' }],
    ['on a network of 65 characters', { network: long(65) }],
  ]),
  ...endpointCases(Status.NOT_FOUND, /network nope not found/, [
    ['on a network that does not exist', { network: 'nope' }],
  ]),
  ...endpointCases(INVALID, /^endpoint\.name: /, [
    ['named -x', { name: '-x' }],
    ['named with a space', { name: 'a b' }],
    ['named with a slash', { name: 'a/b' }],
    ['named with a newline', { name: 'a\nb' }],
    ['named with 65 characters', { name: long(65) }],
    ['named with a non-ASCII letter', { name: 'ñ' }],
  ]),
  ...endpointCases(INVALID, /^endpoint\.netns: /, [
    ['in no netns', { netns: '' }],
    ['in /etc/shadow', { netns: '/etc/shadow' }],
    ['in /tmp/ns', { netns: '/tmp/ns' }],
    ['in /dev/zero', { netns: '/dev/zero' }],
    ['in /var/run/netns/../../etc/passwd', { netns: '/var/run/netns/../../etc/passwd' }],
    ['in /var/run/netns/a/b', { netns: '/var/run/netns/a/b' }],
    ['in /proc/self/ns/net', { netns: '/proc/self/ns/net' }],
    ['in /proc/1/ns/mnt', { netns: '/proc/1/ns/mnt' }],
    ['in /proc/1/root/var/run/netns/x', { netns: '/proc/1/root/var/run/netns/x' }],
    ['in pid:0', { netns: 'pid:0' }],
    ['in pid:-1', { netns: 'pid:-1' }],
    ['in pid:99999999999', { netns: 'pid:99999999999' }],
    ['in pid:abc', { netns: 'pid:abc' }],
    ['in a/b', { netns: 'a/b' }],
    ['in ..', { netns: '..' }],
    ['in .hidden', { netns: '.hidden' }],
    ['in a netns named with a newline', { netns: 'c1\nc2' }],
    ['in a netns named with a NUL', { netns: 'c\u0000' }],
    ['in a netns of 256 characters', { netns: long(256) }],
    ['in a netns with a leading space', { netns: ' c1' }],
    ['in /run/netns/../x', { netns: '/run/netns/../x' }],
    ['in /var/run/netns/.', { netns: '/var/run/netns/.' }],
    ['in /var/run/netns/', { netns: '/var/run/netns/' }],
    ['in pid:1x', { netns: 'pid:1x' }],
    ['in pid: 1', { netns: 'pid: 1' }],
    ['in /proc/x/ns/net', { netns: '/proc/x/ns/net' }],
    ['in /proc/1/ns/net/ (a trailing slash)', { netns: '/proc/1/ns/net/' }],
    ['in //var/run/netns/c1', { netns: '//var/run/netns/c1' }],
    ['in /var/run/netns//c1', { netns: '/var/run/netns//c1' }],
    ['in ~/ns', { netns: '~/ns' }],
  ]),
  ...endpointCases(PRECONDITION, /does not exist: start the container first/, [
    ['in a netns that does not exist', { netns: 'mvt-no-such-netns' }],
    ['in the netns of a pid that does not exist', { netns: 'pid:4194000' }],
  ]),
  ...endpointCases(PRECONDITION, /is the host's own network namespace/, [
    ["in the host's own netns, by name", (h) => ({ netns: h.host.ns })],
    ["in the host's own netns, by path", (h) => ({ netns: `/var/run/netns/${h.host.ns}` })],
    ["in the agent's own netns, by its pid", (h) => ({ netns: `pid:${h.agent.pid}` })],
    ["in the agent's own netns, by /proc", (h) => ({ netns: `/proc/${h.agent.pid}/ns/net` })],
  ]),
  ...endpointCases(INVALID, /^endpoint\.ifname: /, [
    ['as interface a/b', { ifname: 'a/b' }],
    ['as interface of 16 bytes', { ifname: long(16) }],
    ['as interface "eth0 up"', { ifname: 'eth0 up' }],
    ['as interface .', { ifname: '.' }],
    ['as interface ..', { ifname: '..' }],
    ['as interface eth0:1', { ifname: 'eth0:1' }],
    ['as interface with a newline', { ifname: 'eth\n0' }],
    ['as interface of 8 two-byte letters', { ifname: 'éééééééé' }],
  ]),
  ...endpointCases(PRECONDITION, /endpoint\.ifname: eth0 in .* is used by endpoint e1 of network base/, [
    ['as eth0 where e1 is eth0', (h) => ({ netns: h.c1, ifname: 'eth0' })],
  ]),
  ...endpointCases(INVALID, /^endpoint\.ipv4_address: /, [
    ['at 10.20.0', { ipv4Address: '10.20.0' }],
    ['at 10.20.0.1.1', { ipv4Address: '10.20.0.1.1' }],
    ['at 010.20.0.7 (octal)', { ipv4Address: '010.20.0.7' }],
    ['at 0x0a.20.0.7', { ipv4Address: '0x0a.20.0.7' }],
    ['at 10.20.0.256', { ipv4Address: '10.20.0.256' }],
    ['at 10.20.0.7/24', { ipv4Address: '10.20.0.7/24' }],
    ['at an IPv6 address, in the IPv4 field', { ipv4Address: 'fd20::7' }],
    ['at an address outside the subnets', { ipv4Address: '10.21.0.7' }],
    ["at the subnet's own address", { ipv4Address: '10.20.0.0' }],
    ["at the subnet's broadcast address", { ipv4Address: '10.20.0.255' }],
    ['at an address with a newline', { ipv4Address: '10.20.0.7\n' }],
  ]),
  ...endpointCases(INVALID, /^endpoint\.ipv6_address: /, [
    ['at an IPv4 address, in the IPv6 field', { ipv6Address: '10.20.0.7' }],
    ['at fd20::7%eth0', { ipv6Address: 'fd20::7%eth0' }],
    ['at an IPv6 address outside the subnets', { ipv6Address: 'fd21::7' }],
    ['at fd20:::7', { ipv6Address: 'fd20:::7' }],
    ["at the IPv6 subnet's own address", { ipv6Address: 'fd20::' }],
    ['at fd20::7/64', { ipv6Address: 'fd20::7/64' }],
  ]),
  ...endpointCases(PRECONDITION, /endpoint\.ipv4_address: 10\.20\.0\.1 is taken by the gateway/, [
    ['at the gateway', { ipv4Address: '10.20.0.1' }],
  ]),
  ...endpointCases(PRECONDITION, /endpoint\.ipv4_address: 10\.20\.0\.5 is taken by aux address nas/, [
    ['at the aux address', { ipv4Address: '10.20.0.5' }],
  ]),
  ...endpointCases(PRECONDITION, /endpoint\.ipv4_address: 10\.20\.0\.10 is taken by endpoint e1/, [
    ["at e1's address", { ipv4Address: '10.20.0.10' }],
  ]),
  ...endpointCases(PRECONDITION, /is taken by the host \(10\.20\.0\.2\/24 on eth0\)/, [
    ["at the host's own address", { ipv4Address: HOST_ADDRESS }],
  ]),
  ...endpointCases(PRECONDITION, /is taken by the host's route 10\.20\.0\.128\/25 dev eth0/, [
    ["at an address the host's own route sends elsewhere", { ipv4Address: '10.20.0.200' }],
  ]),
  ...endpointCases(PRECONDITION, /endpoint\.ipv6_address: fd20::1 is taken by the gateway/, [
    ['at the IPv6 gateway', { ipv6Address: 'fd20::1' }],
  ]),
  ...endpointCases(INVALID, /^endpoint\.mac_address: /, [
    ['with MAC zz:00:00:00:00:01', { macAddress: 'zz:00:00:00:00:01' }],
    ['with MAC 02:00:00:00:01', { macAddress: '02:00:00:00:01' }],
    ['with MAC 02:00:00:00:00:01:02', { macAddress: '02:00:00:00:00:01:02' }],
    ['with a multicast MAC', { macAddress: '01:00:5e:00:00:01' }],
    ['with the broadcast MAC', { macAddress: 'ff:ff:ff:ff:ff:ff' }],
    ['with the zero MAC', { macAddress: '00:00:00:00:00:00' }],
    ['with MAC 2:0:0:0:0:1', { macAddress: '2:0:0:0:0:1' }],
    ['with a MAC with a newline', { macAddress: '02:00:00:00:00:01\n' }],
  ]),
  ...endpointCases(Status.ALREADY_EXISTS, /endpoint e1 already exists on network base with another/, [
    ['named e1, in another netns', { name: 'e1' }],
    [
      'named e1, in its netns, at another address',
      (h) => ({ name: 'e1', netns: h.c1, ipv4Address: '10.20.0.11' }),
    ],
  ]),
];
