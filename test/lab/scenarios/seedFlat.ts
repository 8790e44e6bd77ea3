/**
 * Seed demo 1, across three hosts: `docker network create -d macvlan --subnet 192.168.0.0/24
 * --gateway 192.168.0.1 -o parent=eth0 mvnet`, given to every host's agent through the CLI, and a
 * container on every host (`--ip 192.168.0.3`, .4, .5). The hosts' eth0 share the switch's untagged
 * VLAN, so the containers are on one flat network: every pair pings.
 */
import assert from 'node:assert/strict';
import { NetworkState } from '../../../client/src';
import type { Scenario } from './Scenario';
import {
  assertEndpointLink,
  assertSame,
  expectAllPairsPing,
  linkIn,
  markedLinks,
  type Member,
} from './netChecks';

const NETWORK = 'mvnet';
const GATEWAY = '192.168.0.1';
const READY = NetworkState.NETWORK_STATE_READY;

/** The seed's command, word for word. */
const SEED_CREATE = [
  ...'network create -d macvlan --subnet 192.168.0.0/24'.split(' '),
  ...`--gateway ${GATEWAY} -o parent=eth0 ${NETWORK}`.split(' '),
];

const CONTAINERS = [
  { name: 'c1', host: 'h1', ip: '192.168.0.3' },
  { name: 'c2', host: 'h2', ip: '192.168.0.4' },
  { name: 'c3', host: 'h3', ip: '192.168.0.5' },
];

export const seedFlat: Scenario = {
  name: 'seed-flat',
  summary:
    'seed demo 1 across three hosts: one macvlan network on eth0, a container on every host, every pair pings',
  async run(ctx) {
    const { orchestrator } = ctx;
    ctx.step(
      `creates ${NETWORK} on eth0 of every host at once with the CLI: the seed's docker network create`,
    );
    await Promise.all(
      ctx.hosts.map(async (host) => {
        const stdout = await orchestrator.cliOk(host, SEED_CREATE);
        assertSame(stdout, `${NETWORK}\n`, `what network create printed on ${host}`);
      }),
    );

    ctx.step(`every agent reports ${NETWORK} ready on eth0, a NIC it did not make`);
    for (const host of ctx.hosts) {
      const { parent, vlanId, status } = await orchestrator.sdk(host).getNetwork(NETWORK);
      const { state, parentLink, parentLinkOwned } = status ?? {};
      assertSame(
        { parent, vlanId, state, parentLink, parentLinkOwned },
        { parent: 'eth0', vlanId: 0, state: READY, parentLink: 'eth0', parentLinkOwned: false },
        `${NETWORK} on ${host}`,
      );
    }

    ctx.step('connects c1 on h1 with the CLI (its --ip, as docker run), c2 on h2 and c3 on h3 with the SDK');
    const [c1, ...others] = CONTAINERS;
    const c1Netns = ctx.container(c1.name);
    const printed = await orchestrator.cliJson<{ ipv4Address?: string; macAddress?: string }>(
      c1.host,
      `network connect --ip ${c1.ip} --name ${c1.name} ${NETWORK} ${c1Netns}`.split(' '),
    );
    const endpoints = [await orchestrator.sdk(c1.host).getEndpoint(NETWORK, c1.name)];
    assertSame(
      { ip: printed.ipv4Address, mac: printed.macAddress },
      { ip: c1.ip, mac: endpoints[0].macAddress },
      'c1 as the CLI printed it and as the SDK reads it',
    );
    for (const { name, host, ip } of others) {
      const netns = ctx.container(name);
      const spec = { network: NETWORK, name, netns, ipv4Address: ip };
      endpoints.push((await orchestrator.sdk(host).createEndpoint(spec)).endpoint);
    }

    ctx.step(
      "each container has a macvlan with its endpoint's address and MAC, the mark, the seed's gateway",
    );
    const members: Member[] = endpoints.map((e) => ({ name: e.name, netns: e.netns, ip: e.ipv4Address }));
    for (const endpoint of endpoints)
      assertEndpointLink(endpoint.netns, endpoint, { prefix: 24, gateway: GATEWAY });
    assertSame(new Set(endpoints.map((e) => e.macAddress)).size, 3, 'distinct MACs of the three endpoints');

    ctx.step('every container reaches every other, across the switch');
    await expectAllPairsPing(members);

    ctx.step(
      `removes ${NETWORK} from every host: the containers lose their link, eth0 stays up and unmarked`,
    );
    await Promise.all(
      ctx.hosts.map((host) => orchestrator.sdk(host).deleteNetwork(NETWORK, { force: true })),
    );
    for (const member of members)
      assertSame(linkIn(member.netns, 'eth0'), undefined, `${member.name}'s eth0`);
    for (const host of ctx.hosts) {
      const eth0 = linkIn(ctx.hostNetns(host), 'eth0');
      assert.ok(eth0?.flags?.includes('UP'), `eth0 of ${host} should still be up`);
      assertSame(markedLinks(ctx.hostNetns(host)), [], `links marked by the agent on ${host}`);
    }
  },
};
