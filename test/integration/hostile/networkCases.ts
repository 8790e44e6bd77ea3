/**
 * Hostile CreateNetwork requests: every field of Network, spoiled one at a time, with the code the
 * agent must answer and the field its message must name.
 */
import { MacvlanMode } from '../../../client/src';
import { networkCases, Status, subnet, type HostileCase } from './hostileCase';

const INVALID = Status.INVALID_ARGUMENT;
const PRECONDITION = Status.FAILED_PRECONDITION;
const long = (n: number) => 'x'.repeat(n);

export const NETWORK_CASES: HostileCase[] = [
  ...networkCases(INVALID, /^network\.name: /, [
    ['with no name', { name: '' }],
    ['named -x', { name: '-x' }],
    ['named .x', { name: '.x' }],
    ['named with a space', { name: 'a b' }],
    ['named with a slash', { name: 'a/b' }],
    ['named ../x', { name: '../x' }],
    ['named with a NUL', { name: 'a\u0000b' }],
    ['named with a newline', { name: 'a\nb' }],
    ['named with an escape sequence', { name: '\u001b[31mred' }],
    ['named with a non-ASCII letter', { name: 'café' }],
    ['named with an emoji', { name: 'net\ud83d\ude00' }],
    ['named with 65 characters', { name: long(65) }],
    ['named with 5,000 characters', { name: long(5000) }],
    ['named with a colon', { name: 'a:b' }],
  ]),
  ...networkCases(INVALID, /^network\.parent: /, [
    ['on a parent with a space', { parent: 'eth0 up' }],
    ['on a parent with a slash', { parent: 'a/b' }],
    ['on a parent of 16 bytes', { parent: long(16) }],
    ['on a parent with a newline', { parent: 'eth0\nlink del dev eth0' }],
    ['on a parent with a colon', { parent: 'eth0:1' }],
    ['on a parent with a tab', { parent: 'eth\t0' }],
    ['on a parent with a NUL', { parent: 'eth0\u0000' }],
    ['on parent .', { parent: '.' }],
    ['on sub-interface eth0.', { parent: 'eth0.' }],
    ['on sub-interface eth0.-1', { parent: 'eth0.-1' }],
    ['on sub-interface eth0.99999', { parent: 'eth0.99999' }],
    ['on sub-interface eth0.0', { parent: 'eth0.0' }],
    ['on sub-interface eth0.4095', { parent: 'eth0.4095' }],
    ['on sub-interface eth0.x', { parent: 'eth0.x' }],
    ['on sub-interface .10', { parent: '.10' }],
    ['on parent ..', { parent: '..' }],
  ]),
  ...networkCases(INVALID, /^network\.vlan_id: /, [
    ['with VLAN 4095', { vlanId: 4095 }],
    ['with VLAN 65536', { vlanId: 65536 }],
    ['with a VLAN that contradicts its sub-interface', { parent: 'eth0.10', vlanId: 20 }],
    ['with a VLAN and no parent', { parent: '', vlanId: 10 }],
  ]),
  ...networkCases(INVALID, /^network\.mode: /, [
    ['in macvlan mode 5', { mode: 5 as MacvlanMode }],
    ['in macvlan mode 999', { mode: 999 as MacvlanMode }],
  ]),
  ...networkCases(INVALID, /^network\.mtu: /, [
    ['with MTU 1', { mtu: 1 }],
    ['with MTU 67', { mtu: 67 }],
    ['with MTU 65536', { mtu: 65536 }],
    ['with MTU 4294967295', { mtu: 4294967295 }],
  ]),
  ...networkCases(INVALID, /^network\.internal: /, [['internal, with a parent', { internal: true }]]),
  ...networkCases(INVALID, /^network\.subnets/, [
    ['with no subnet', { subnets: [] }],
    ['with subnet ""', { subnets: [subnet({ cidr: '' })] }],
    ['with subnet "x"', { subnets: [subnet({ cidr: 'x' })] }],
    ['with subnet 10.30.0.0 (no length)', { subnets: [subnet({ cidr: '10.30.0.0' })] }],
    ['with subnet 10.30.0.0/24/24', { subnets: [subnet({ cidr: '10.30.0.0/24/24' })] }],
    ['with subnet 10.30.0.0/024', { subnets: [subnet({ cidr: '10.30.0.0/024' })] }],
    ['with subnet 10.30.0.0/ 24', { subnets: [subnet({ cidr: '10.30.0.0/ 24' })] }],
    ['with subnet 1.2.3.4.5/24', { subnets: [subnet({ cidr: '1.2.3.4.5/24' })] }],
    ['with gateway 10.30.0.1/24', { subnets: [subnet({ gateway: '10.30.0.1/24' })] }],
    ['with gateway 10.30.0.01', { subnets: [subnet({ gateway: '10.30.0.01' })] }],
    [
      'with an IPv6 gateway outside its subnet',
      { subnets: [subnet({ cidr: 'fd30::/64', gateway: 'fd31::1' })] },
    ],
    ['with subnet 10.30.0.1/24 (host bits)', { subnets: [subnet({ cidr: '10.30.0.1/24' })] }],
    ['with subnet 10.30.0.0/31', { subnets: [subnet({ cidr: '10.30.0.0/31', gateway: '10.30.0.1' })] }],
    ['with subnet 10.30.0.0/33', { subnets: [subnet({ cidr: '10.30.0.0/33' })] }],
    ['with subnet 10.30.0.0/-1', { subnets: [subnet({ cidr: '10.30.0.0/-1' })] }],
    ['with subnet 10.30/24', { subnets: [subnet({ cidr: '10.30/24' })] }],
    ['with subnet 010.30.0.0/24 (octal)', { subnets: [subnet({ cidr: '010.30.0.0/24' })] }],
    ['with subnet fd30::/127', { subnets: [subnet({ cidr: 'fd30::/127', gateway: 'fd30::1' })] }],
    ['with subnet fd30::/129', { subnets: [subnet({ cidr: 'fd30::/129', gateway: 'fd30::1' })] }],
    ['with subnet fe80::%eth0/64', { subnets: [subnet({ cidr: 'fe80::%eth0/64', gateway: 'fe80::1' })] }],
    ['with no gateway', { subnets: [subnet({ gateway: '' })] }],
    ['with gateway outside the subnet', { subnets: [subnet({ gateway: '10.31.0.1' })] }],
    ["with gateway the subnet's own address", { subnets: [subnet({ gateway: '10.30.0.0' })] }],
    ['with gateway the broadcast address', { subnets: [subnet({ gateway: '10.30.0.255' })] }],
    ['with gateway of the other family', { subnets: [subnet({ gateway: 'fd30::1' })] }],
    ['with gateway "x"', { subnets: [subnet({ gateway: 'x' })] }],
    ['with ip_range outside the subnet', { subnets: [subnet({ ipRange: '10.31.0.0/25' })] }],
    ['with ip_range wider than the subnet', { subnets: [subnet({ ipRange: '10.30.0.0/23' })] }],
    ['with ip_range with host bits', { subnets: [subnet({ ipRange: '10.30.0.5/25' })] }],
    ['with ip_range "x"', { subnets: [subnet({ ipRange: 'x' })] }],
    ['with an aux address without a name', { subnets: [subnet({ auxAddresses: { '': '10.30.0.5' } })] }],
    ['with an aux address outside the subnet', { subnets: [subnet({ auxAddresses: { a: '10.31.0.5' } })] }],
    ['with an aux address on the gateway', { subnets: [subnet({ auxAddresses: { a: '10.30.0.1' } })] }],
    ['with an aux address "x"', { subnets: [subnet({ auxAddresses: { a: 'x' } })] }],
    ["with an aux address the subnet's own", { subnets: [subnet({ auxAddresses: { a: '10.30.0.0' } })] }],
    [
      'with two subnets that overlap',
      { subnets: [subnet(), subnet({ cidr: '10.30.0.0/25', gateway: '10.30.0.2' })] },
    ],
    ['with the same subnet twice', { subnets: [subnet(), subnet()] }],
  ]),
  ...networkCases(INVALID, /^network\.labels/, [
    ['with a label without a key', { labels: { '': 'v' } }],
    ['with label constructor', { labels: { constructor: 'x' } }],
    ['with label prototype', { labels: { prototype: 'x' } }],
    ['with a label key with a space', { labels: { 'a b': 'x' } }],
    ['with a label key starting with a dash', { labels: { '-a': 'x' } }],
    ['with a label key of 64 characters', { labels: { [long(64)]: 'x' } }],
    ['with a label prefix that is no DNS name', { labels: { 'a_b.c/d': 'x' } }],
    ['with a label key of two slashes', { labels: { 'a/b/c': 'x' } }],
    ['with a label value of 64 characters', { labels: { tier: long(64) } }],
    ['with a label value with a space', { labels: { tier: 'a b' } }],
    ['with a label value with a newline', { labels: { tier: 'a\nb' } }],
    ['with a label value with a NUL', { labels: { tier: 'a\u0000' } }],
    ['with 33 labels', { labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }],
  ]),
  ...networkCases(INVALID, /^network\.subnets/, [
    [
      'with 9 subnets',
      {
        subnets: Array.from({ length: 9 }, (_, i) =>
          subnet({ cidr: `10.40.${i}.0/24`, gateway: `10.40.${i}.1` }),
        ),
      },
    ],
    ['with subnet 0.0.0.0/0', { subnets: [subnet({ cidr: '0.0.0.0/0', gateway: '10.30.0.1' })] }],
    ['with subnet ::/0', { subnets: [subnet({ cidr: '::/0', gateway: 'fd30::1' })] }],
    [
      'with 17 aux addresses',
      {
        subnets: [
          subnet({
            auxAddresses: Object.fromEntries(
              Array.from({ length: 17 }, (_, i) => [`a${i}`, `10.30.0.${i + 10}`]),
            ),
          }),
        ],
      },
    ],
    [
      'with an aux address named with a NUL',
      { subnets: [subnet({ auxAddresses: { 'a\u0000': '10.30.0.9' } })] },
    ],
  ]),
  ...networkCases(INVALID, /^network\.parent: /, [
    ['on sub-interface eth0.0010 (a VLAN id with leading zeros)', { parent: 'eth0.0010' }],
  ]),
  ...networkCases(INVALID, /^network\.mtu: /, [
    [
      'with MTU 1279 and an IPv6 subnet',
      { mtu: 1279, subnets: [subnet({ cidr: 'fd30::/64', gateway: 'fd30::1' })] },
    ],
  ]),
  ...networkCases(PRECONDITION, /parent nope0 does not exist/, [
    ['on a parent that does not exist', { parent: 'nope0' }],
  ]),
  ...networkCases(PRECONDITION, /mtu 9000 is above the MTU 1500 of parent eth0/, [
    ["with an MTU above its parent's", { mtu: 9000 }],
  ]),
  ...networkCases(PRECONDITION, /overlaps 10\.20\.0\.0\/24 of network base/, [
    ["with BASE's subnet", { subnets: [subnet({ cidr: '10.20.0.0/24', gateway: '10.20.0.1' })] }],
    ['with a subnet inside BASE', { subnets: [subnet({ cidr: '10.20.0.64/26', gateway: '10.20.0.65' })] }],
    ['with a subnet around BASE', { subnets: [subnet({ cidr: '10.20.0.0/16', gateway: '10.20.1.1' })] }],
  ]),
  ...networkCases(PRECONDITION, /lacks 802\.1q|cannot create sub-interface/, [
    ['on a sub-interface the kernel cannot make', { parent: 'eth0.10' }],
  ]),
  ...networkCases(PRECONDITION, /dummy/, [
    ['internal, on a kernel without dummy links', { parent: '', internal: true }],
  ]),
  ...networkCases(
    PRECONDITION,
    /parent eth0 is used by network base: a passthru network needs its parent alone/,
    [["in passthru mode on BASE's parent", { mode: MacvlanMode.MACVLAN_MODE_PASSTHRU }]],
  ),
  ...networkCases(
    PRECONDITION,
    /parent eth1 carries the host's address 10\.99\.0\.2\/24: a passthru network/,
    [
      [
        'in passthru mode on the link the host lives on',
        { parent: 'eth1', mode: MacvlanMode.MACVLAN_MODE_PASSTHRU },
      ],
    ],
  ),
  ...networkCases(PRECONDITION, /parent eth2 carries the host's default route: a passthru network/, [
    [
      "in passthru mode on the link of the host's default route",
      { parent: 'eth2', mode: MacvlanMode.MACVLAN_MODE_PASSTHRU },
    ],
  ]),
  ...networkCases(PRECONDITION, /parent eth0\.10 of sub-interface eth0\.10\.20 does not exist/, [
    ['on sub-interface eth0.10.20 (a VLAN of a VLAN that is not there)', { parent: 'eth0.10.20' }],
  ]),
  ...networkCases(PRECONDITION, /parent lo/, [['on the loopback', { parent: 'lo' }]]),
  ...networkCases(Status.ALREADY_EXISTS, /network base already exists with another/, [
    ['named as BASE, with another spec', { name: 'base' }],
  ]),
];
