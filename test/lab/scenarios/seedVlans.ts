/**
 * Seed demo 2, across three hosts whose eth0 are trunk ports carrying VLANs 10 and 20: networks on
 * eth0.10 and eth0.20 on every host, each agent making the sub-interfaces itself. Containers in one
 * VLAN reach each other across hosts; a container in VLAN 20 never reaches VLAN 10, even with an
 * address of VLAN 10's subnet (given by hand), though it reaches that address over VLAN 20: only the
 * VLAN keeps them apart.
 */
import assert from 'node:assert/strict';
import { ip } from '../ipLinks';
import type { Scenario, ScenarioContext } from './Scenario';
import {
  assertEndpointLink,
  assertSame,
  assertVlanLink,
  expectAllPairsPing,
  expectNoPing,
  expectPing,
  linkIn,
  vlanLinks,
  type Member,
} from './netChecks';

const subnet = (n: number) => ({
  cidr: `192.168.${n}.0/24`,
  gateway: `192.168.${n}.1`,
  ipRange: '',
  auxAddresses: {},
});

/** The seed's command for VLAN 10, word for word. */
const SEED_CREATE_10 = [
  ...'network create -d macvlan --subnet 192.168.10.0/24 --gateway 192.168.10.1'.split(' '),
  ...'-o parent=eth0.10 macvlan10'.split(' '),
];

const VLAN10 = [
  { name: 'a1', host: 'h1', ip: '192.168.10.2' },
  { name: 'a2', host: 'h2', ip: '192.168.10.3' },
  { name: 'a3', host: 'h3', ip: '192.168.10.4' },
];
const VLAN20 = [
  { name: 'b1', host: 'h1', ip: '192.168.20.2' },
  { name: 'b2', host: 'h2', ip: '192.168.20.3' },
  { name: 'b3', host: 'h3', ip: '192.168.20.4' },
];

async function createNetworks(ctx: ScenarioContext): Promise<void> {
  ctx.step("creates macvlan10 with parent eth0.10 on every host at once with the CLI: the seed's command");
  await Promise.all(ctx.hosts.map((host) => ctx.orchestrator.cliOk(host, SEED_CREATE_10)));
  ctx.step('creates macvlan20 on every host at once with the SDK, as parent eth0 and VLAN id 20');
  const created = await Promise.all(
    ctx.hosts.map((host) =>
      ctx.orchestrator
        .sdk(host)
        .createNetwork({ name: 'macvlan20', parent: 'eth0', vlanId: 20, subnets: [subnet(20)] }),
    ),
  );
  ctx.step('each agent stored macvlan20 in normal form, parent eth0.20, a sub-interface of its own');
  for (const [i, { network }] of created.entries()) {
    const { parent, vlanId, status } = network;
    assertSame(
      { parent, vlanId, link: status?.parentLink, owned: status?.parentLinkOwned },
      { parent: 'eth0.20', vlanId: 20, link: 'eth0.20', owned: true },
      `macvlan20 on ${ctx.hosts[i]}`,
    );
  }
  ctx.step('every host has eth0.10 and eth0.20, 802.1q links on eth0 that its agent made and marked');
  for (const host of ctx.hosts) {
    const netns = ctx.hostNetns(host);
    assertSame(vlanLinks(netns), ['eth0.10', 'eth0.20'], `the VLAN links of ${host}`);
    assertVlanLink(netns, 'eth0.10', { parent: 'eth0', vlan: 10, alias: 'mvnet:macvlan10' });
    assertVlanLink(netns, 'eth0.20', { parent: 'eth0', vlan: 20, alias: 'mvnet:macvlan20' });
  }
}

/** a1, a2, a3 on VLAN 10 (a1 with the CLI, as docker run --net macvlan10 --ip), b1, b2, b3 on VLAN 20. */
async function connectContainers(ctx: ScenarioContext): Promise<{ a: Member[]; b: Member[] }> {
  ctx.step(
    'connects a1 to VLAN 10 on h1 with the CLI; a2, a3 and b1, b2, b3 with the SDK, one of each per host',
  );
  const [a1, ...others] = VLAN10;
  const a1Netns = ctx.container(a1.name);
  await ctx.orchestrator.cliOk(
    a1.host,
    `network connect --ip ${a1.ip} --name a1 macvlan10 ${a1Netns}`.split(' '),
  );
  const endpoints = [await ctx.orchestrator.sdk(a1.host).getEndpoint('macvlan10', a1.name)];
  for (const [network, { name, host, ip: ipv4Address }] of [
    ...others.map((c) => ['macvlan10', c] as const),
    ...VLAN20.map((c) => ['macvlan20', c] as const),
  ]) {
    const netns = ctx.container(name);
    endpoints.push(
      (await ctx.orchestrator.sdk(host).createEndpoint({ network, name, netns, ipv4Address })).endpoint,
    );
  }
  ctx.step("each container's macvlan has its endpoint's address and MAC, the mark, and its VLAN's gateway");
  for (const endpoint of endpoints) {
    const gateway = endpoint.network === 'macvlan10' ? '192.168.10.1' : '192.168.20.1';
    assertEndpointLink(endpoint.netns, endpoint, { prefix: 24, gateway });
  }
  const member = (network: string) =>
    endpoints
      .filter((e) => e.network === network)
      .map((e) => ({ name: e.name, netns: e.netns, ip: e.ipv4Address }));
  return { a: member('macvlan10'), b: member('macvlan20') };
}

export const seedVlans: Scenario = {
  name: 'seed-vlans',
  summary:
    'seed demo 2 across three hosts: VLANs 10 and 20 on sub-interfaces the agents make, containers reach their VLAN across hosts and never the other',
  async run(ctx) {
    await createNetworks(ctx);
    const { a, b } = await connectContainers(ctx);
    const [a1, a2] = a;
    const [b1, , b3] = b;

    ctx.step("VLAN 10's containers reach each other across hosts, and VLAN 20's likewise");
    await expectAllPairsPing(a);
    await expectAllPairsPing(b);

    ctx.step("gives b1 and b3 (VLAN 20) a second address by hand, in VLAN 10's subnet: b3 reaches b1 at it");
    ip('-n', b1.netns, 'addr', 'add', '192.168.10.98/24', 'dev', 'eth0');
    ip('-n', b3.netns, 'addr', 'add', '192.168.10.99/24', 'dev', 'eth0');
    await expectPing(b3, '192.168.10.98');

    ctx.step(
      'across VLANs nothing answers: b3 and b1 cannot reach a1, nor a2 reach b3 at its VLAN 10 address',
    );
    await expectNoPing([
      [b3, a1],
      [b1, a1],
      [a2, '192.168.10.99'],
    ]);

    ctx.step('removes both networks from every host: each agent deletes eth0.10 and eth0.20, eth0 stays');
    await Promise.all(
      ctx.hosts.map(async (host) => {
        for (const network of ['macvlan10', 'macvlan20'])
          await ctx.orchestrator.sdk(host).deleteNetwork(network, { force: true });
      }),
    );
    for (const host of ctx.hosts) {
      assertSame(vlanLinks(ctx.hostNetns(host)), [], `the VLAN links of ${host}`);
      assert.ok(linkIn(ctx.hostNetns(host), 'eth0')?.flags?.includes('UP'), `eth0 of ${host} should be up`);
    }
  },
};
