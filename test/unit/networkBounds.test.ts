import { ExhaustedError, InvalidSpecError, PreconditionError } from '../../agent/src/domain/errors';
import {
  MAX_AUX_ADDRESSES_PER_NETWORK,
  MAX_LABELS,
  MAX_NETWORKS_PER_HOST,
  MAX_SUBNETS_PER_NETWORK,
} from '../../agent/src/domain/limits';
import type { NetworkInput } from '../../agent/src/domain/normalizeNetwork';
import { makeMemoryHost, networkInput, subnet24, type MemoryHost } from '../support/memoryHost';

/** A network on eth0 with one /24, and the given changes. */
function net(overrides: Partial<NetworkInput>): NetworkInput {
  return networkInput({ name: 'n', parent: 'eth0', subnets: subnet24(10), ...overrides });
}

/** Labels with `own` put in as own properties (a `__proto__` key as a decoder that keeps it would). */
function labelsWith(own: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(own)) {
    Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return labels;
}

const PROTO_LABEL = JSON.parse('{"__proto__": "x"}') as Record<string, string>;

const v6 = { cidr: 'fd00:10::/64', gateway: 'fd00:10::1', ipRange: '', auxAddresses: {} };

/** `n` aux addresses in 192.168.10.0/24, named a0, a1... */
function auxes(n: number, from = 0): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`a${from + i}`, `192.168.10.${10 + from + i}`]),
  );
}

/** An unprintable character anywhere in a message: what the agent must never send back. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

describe('network bounds, checked before any work', () => {
  let host: MemoryHost;
  beforeEach(async () => {
    host = await makeMemoryHost({
      links: [
        { name: 'eth0', mtu: 1500 },
        { name: 'tiny0', mtu: 1000 },
      ],
    });
  });
  afterEach(() => host.close());

  /** The refusal of `input`: nothing changed in the kernel or the state; its message safe to print. */
  async function refusal(input: NetworkInput): Promise<Error> {
    const before = { links: await host.driver.listLinks(), revision: host.store.revision() };
    const changes = host.driver.changes.length;
    const err = await host.networks.createNetwork(input).then(
      () => new Error('expected a refusal'),
      (e: Error) => e,
    );
    expect(await host.driver.listLinks()).toEqual(before.links);
    expect(host.store.revision()).toBe(before.revision);
    expect(host.driver.changes.length).toBe(changes);
    expect(host.store.listNetworks().map((n) => n.spec.name)).not.toContain(input.name);
    expect(err.message).not.toMatch(UNPRINTABLE);
    expect(err.message.length).toBeLessThan(400);
    return err;
  }

  const subnets = (n: number) =>
    Array.from({ length: n }, (_, i) => subnet24(100 + i)[0]) as NetworkInput['subnets'];
  const longKey = `${'a'.repeat(254)}/x`;

  it.each([
    ['too many subnets', { subnets: subnets(MAX_SUBNETS_PER_NETWORK + 1) }, 'network.subnets', 'at most 8'],
    [
      'too many aux addresses, all subnets together',
      {
        subnets: [
          { ...subnet24(10)[0], auxAddresses: auxes(10) },
          {
            ...subnet24(11)[0],
            auxAddresses: { b: '192.168.11.9', ...auxes(MAX_AUX_ADDRESSES_PER_NETWORK - 10) },
          },
        ],
      },
      'network.subnets[1].aux_addresses',
      'at most 16',
    ],
    [
      'an aux name not a name',
      { subnets: [{ ...subnet24(10)[0], auxAddresses: { '-x': '192.168.10.9' } }] },
      'network.subnets[0].aux_addresses[-x]',
      'starting with a letter',
    ],
    [
      'an aux name too long',
      { subnets: [{ ...subnet24(10)[0], auxAddresses: { ['a'.repeat(64)]: '192.168.10.9' } }] },
      'network.subnets[0].aux_addresses[',
      'characters',
    ],
    [
      'a reserved aux name',
      { subnets: [{ ...subnet24(10)[0], auxAddresses: { constructor: '192.168.10.9' } }] },
      'network.subnets[0].aux_addresses[constructor]',
      'reserved',
    ],
    [
      'a NUL in an aux name',
      { subnets: [{ ...subnet24(10)[0], auxAddresses: { 'a\u0000b': '192.168.10.9' } }] },
      'network.subnets[0].aux_addresses["a\\u0000b"]',
      'U+0000',
    ],
    [
      'too many labels',
      { labels: Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`k${i}`, ''])) },
      'network.labels',
      'at most 32',
    ],
    [
      'labels too big in all',
      { labels: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, `v${'x'.repeat(62)}`])) },
      'network.labels',
      'at most 2048',
    ],
    ['a label key with a space', { labels: { 'a b': '' } }, 'network.labels["a b"]', 'a key is'],
    ['a label key starting with -', { labels: { '-a': '' } }, 'network.labels[-a]', 'a key is'],
    ['a label key ending with .', { labels: { 'a.': '' } }, 'network.labels[a.]', 'a key is'],
    ['a label name of 64 characters', { labels: { ['a'.repeat(64)]: '' } }, 'network.labels[', 'a key is'],
    [
      'an upper-case prefix',
      { labels: { 'Example.com/x': '' } },
      'network.labels[Example.com/x]',
      'DNS subdomain',
    ],
    ['an empty prefix', { labels: { '/x': '' } }, 'network.labels[/x]', 'DNS subdomain'],
    ['two slashes', { labels: { 'a/b/c': '' } }, 'network.labels[a/b/c]', 'a key is'],
    ['a prefix of 254 characters', { labels: { [longKey]: '' } }, 'network.labels["aaaa', 'DNS subdomain'],
    ['an empty key', { labels: { '': 'v' } }, 'network.labels[""]', 'non-empty key'],
    ['a value of 64 characters', { labels: { a: 'v'.repeat(64) } }, 'network.labels[a]', 'a value is'],
    ['a value with a space', { labels: { a: 'v v' } }, 'network.labels[a]', 'a value is'],
    ['a control character in a value', { labels: { a: 'v\u0007' } }, 'network.labels[a]', 'a value is'],
    ['the key constructor', { labels: { constructor: 'x' } }, 'network.labels[constructor]', 'reserved'],
    ['the key toString', { labels: { toString: 'x' } }, 'network.labels[toString]', 'reserved'],
    ['the key prototype', { labels: { prototype: 'x' } }, 'network.labels[prototype]', 'reserved'],
    ['the key __proto__', { labels: labelsWith(PROTO_LABEL) }, 'network.labels[__proto__]', 'reserved'],
    ['a control character in the parent', { parent: 'eth\u0001' }, 'network.parent', 'U+0001'],
    ['a bidi override in the parent', { parent: 'eth\u202e0' }, 'network.parent', 'U+202E'],
    ['a VLAN id with leading zeros', { parent: 'eth0.0010' }, 'network.parent', 'no leading zeros'],
    ['a VLAN id of 0 written 00', { parent: 'eth0.00' }, 'network.parent', 'no leading zeros'],
    [
      'an IPv4 /0',
      { subnets: [{ cidr: '0.0.0.0/0', gateway: '10.0.0.1', ipRange: '', auxAddresses: {} }] },
      'network.subnets[0].cidr',
      'every address',
    ],
    [
      'an IPv6 /0',
      { subnets: [{ cidr: '::/0', gateway: 'fd00::1', ipRange: '', auxAddresses: {} }] },
      'network.subnets[0].cidr',
      'every address',
    ],
    [
      'an MTU below 1280 on an IPv6 network',
      { mtu: 1279, subnets: [subnet24(10)[0], v6] },
      'network.mtu',
      "IPv6's minimum of 1280",
    ],
    [
      'a megabyte of CIDR',
      {
        subnets: [
          { cidr: `10.0.0.0/8${'9'.repeat(1 << 20)}`, gateway: '10.0.0.1', ipRange: '', auxAddresses: {} },
        ],
      },
      'network.subnets[0].cidr',
      '(1048586 characters)',
    ],
    [
      'a CIDR with a newline',
      { subnets: [{ cidr: '10.0.0.0/8\nx', gateway: '10.0.0.1', ipRange: '', auxAddresses: {} }] },
      'network.subnets[0].cidr',
      '"10.0.0.0/8\\nx"',
    ],
  ] as [string, Partial<NetworkInput>, string, string][])(
    'refuses %s with INVALID_ARGUMENT',
    async (_what, overrides, field, words) => {
      const err = await refusal(net(overrides));
      expect(err).toBeInstanceOf(InvalidSpecError);
      expect((err as InvalidSpecError).field.startsWith(field)).toBe(true);
      expect(err.message).toContain(words);
    },
  );

  it('takes labels by Kubernetes rules, and the most the bounds allow', async () => {
    const labels = {
      'example.com/tier': 'web',
      'app.kubernetes.io/name': 'mvnet',
      a: '',
      'A_b.c-D': 'V_1.x-Y',
      [`${'a'.repeat(63)}.example.com/n`]: 'v'.repeat(63),
    };
    const { network } = await host.networks.createNetwork(net({ labels }));
    expect(Object.keys(network.spec.labels)).toEqual(Object.keys(labels).sort());
    await host.networks.deleteNetwork('n', false);
    const full = net({
      name: 'full',
      subnets: [
        ...subnets(MAX_SUBNETS_PER_NETWORK - 1),
        { ...subnet24(10)[0], auxAddresses: auxes(MAX_AUX_ADDRESSES_PER_NETWORK) },
      ],
    });
    expect((await host.networks.createNetwork(full)).network.spec.subnets).toHaveLength(8);
  });

  it('takes an MTU below 1280 on an IPv4-only network, and refuses an IPv6 one on a parent below 1280', async () => {
    await host.networks.createNetwork(net({ mtu: 1000 }));
    const err = await refusal(net({ name: 'm', parent: 'tiny0', subnets: [v6] }));
    expect(err).toBeInstanceOf(PreconditionError);
    expect(err.message).toContain('parent tiny0 has MTU 1000');
  });

  it(`keeps at most ${MAX_NETWORKS_PER_HOST} networks, and still answers a retry of one of them`, async () => {
    for (let i = 0; i < MAX_NETWORKS_PER_HOST; i++) {
      await host.networks.createNetwork(net({ name: `n${i}`, subnets: [subnet24(i)[0]] }));
    }
    const err = await refusal(net({ name: 'one-more', subnets: [subnet24(200)[0]] }));
    expect(err).toBeInstanceOf(ExhaustedError);
    expect(err.message).toMatch(/^network: this host has 128 networks/);
    expect(
      (await host.networks.createNetwork(net({ name: 'n5', subnets: [subnet24(5)[0]] }))).network.spec.name,
    ).toBe('n5');
  }, 60_000);

  it.each([
    ['get', (name: string) => host.networks.getNetwork(name)],
    ['delete', (name: string) => host.networks.deleteNetwork(name, false)],
  ])('%s refuses a name that is no name, quoting it cut', async (_op, run) => {
    const err = (await run(`x\u0000${'y'.repeat(5000)}`).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect((err as InvalidSpecError).field).toBe('name');
    expect(err.message).toContain('"x\\u0000yyy');
    expect(err.message).toContain('(5002 characters)');
  });
});
