/**
 * What scenarios check on the lab's kernel, directly (not through the agents): pings between
 * containers, and links as `ip -d -j link` shows them. Assertions are node:assert's and assertSame (no
 * jest `expect`), so a scenario runs the same under jest and under `npm run lab -- <scenario>`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import type { Endpoint } from '../../../client/src';
import { ip, showLinks, type IpLink } from '../ipLinks';
import { waitFor } from '../../support/waitFor';

/**
 * Fails unless `actual` deep-equals `expected`, with both in the message, one line each (node's
 * assert drops its diff as soon as a message is given, and scenarios also run outside jest).
 */
export function assertSame<T>(actual: T, expected: T, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  throw new Error(`${what}:\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`);
}

/** A container as scenarios use it: its name, its netns, and the address it pings and is pinged at. */
export interface Member {
  name: string;
  netns: string;
  ip: string;
}

/** `ip netns exec NS ping -c 1 -W 1 ADDRESS`: whether an answer came within a second. */
export function pings(fromNetns: string, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', fromNetns, 'ping', '-c', '1', '-W', '1', address], (err) =>
      resolve(err === null),
    );
  });
}

/** Waits until `from` gets an answer from `address` (a new link may take a moment: ARP, carrier). */
export async function expectPing(from: Member, to: Member | string, deadlineMs = 10_000): Promise<void> {
  const address = typeof to === 'string' ? to : to.ip;
  const what = `${from.name} to reach ${typeof to === 'string' ? to : `${to.name} (${to.ip})`}`;
  await waitFor(what, () => pings(from.netns, address), deadlineMs);
}

/** Every ordered pair of `members` pings, one after the other. */
export async function expectAllPairsPing(members: Member[]): Promise<void> {
  for (const from of members) for (const to of members) if (from !== to) await expectPing(from, to);
}

/**
 * Each `from` pings its address once (in parallel: a ping that gets no answer costs a second); fails
 * naming every pair that did get one.
 */
export async function expectNoPing(pairs: [Member, Member | string][]): Promise<void> {
  const answered = await Promise.all(
    pairs.map(async ([from, to]) => {
      const address = typeof to === 'string' ? to : to.ip;
      return (await pings(from.netns, address)) ? `${from.name} -> ${address}` : undefined;
    }),
  );
  const leaks = answered.filter((a) => a !== undefined);
  assertSame(leaks, [], 'pings that should have got no answer but did');
}

/** One link of a namespace, or undefined. */
export function linkIn(netns: string, name: string): IpLink | undefined {
  return showLinks(netns).find((l) => l.ifname === name);
}

/** The IPv4 addresses of a link, as `address/prefix`. */
export function ipv4Of(netns: string, link: string): string[] {
  const [info] = JSON.parse(ip('-n', netns, '-j', '-4', 'addr', 'show', 'dev', link)) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  return (info?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

/** The gateway of the namespace's default route, or undefined. */
export function defaultGateway(netns: string): string | undefined {
  const routes = JSON.parse(ip('-n', netns, '-j', '-4', 'route', 'show', 'default')) as {
    gateway?: string;
  }[];
  return routes[0]?.gateway;
}

/** Checks that `name` in the host's namespace is an 802.1q link of `vlan` on `parent`, up, with `alias`. */
export function assertVlanLink(
  netns: string,
  name: string,
  expected: { parent: string; vlan: number; alias: string },
): IpLink {
  const link = linkIn(netns, name);
  assert.ok(link, `${name} should exist in ${netns}`);
  assertSame(
    {
      kind: link.linkinfo?.info_kind,
      vlan: link.linkinfo?.info_data?.id,
      parent: link.link,
      alias: link.ifalias,
      up: link.flags?.includes('UP'),
    },
    { kind: 'vlan', vlan: expected.vlan, parent: expected.parent, alias: expected.alias, up: true },
    `${name} in ${netns}`,
  );
  return link;
}

/**
 * Checks an endpoint against the container's kernel: its link is a macvlan with the endpoint's MAC,
 * the agent's mark and `prefix`-long address, and the default route goes to `gateway`.
 */
export function assertEndpointLink(
  netns: string,
  endpoint: Endpoint,
  expected: { prefix: number; gateway: string },
): void {
  const link = linkIn(netns, endpoint.ifname);
  assert.ok(link, `${endpoint.name}'s ${endpoint.ifname} should exist in ${netns}`);
  assertSame(
    {
      kind: link.linkinfo?.info_kind,
      mac: link.address,
      alias: link.ifalias,
      addresses: ipv4Of(netns, endpoint.ifname),
      gateway: defaultGateway(netns),
    },
    {
      kind: 'macvlan',
      mac: endpoint.macAddress,
      alias: `mvnet:${endpoint.network}/${endpoint.name}`,
      addresses: [`${endpoint.ipv4Address}/${expected.prefix}`],
      gateway: expected.gateway,
    },
    `${endpoint.name}'s link in ${netns}`,
  );
}

/** Names of the links in a host's namespace that carry the agent's mark. */
export function markedLinks(netns: string): string[] {
  return showLinks(netns)
    .filter((l) => l.ifalias?.startsWith('mvnet:'))
    .map((l) => l.ifname);
}

/** The names of the 802.1q links of a host. */
export function vlanLinks(netns: string): string[] {
  return showLinks(netns)
    .filter((l) => l.linkinfo?.info_kind === 'vlan')
    .map((l) => l.ifname)
    .sort();
}
