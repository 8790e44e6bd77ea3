/**
 * Drift, on VLAN networks across two hosts: eth0.10 deleted by hand on h1 (its containers' links go
 * with it) is made again by h1's agent, marked and up, the containers attached again with their
 * address and MAC and reachable across hosts; the repair shows as DRIFT events in Watch, and nothing
 * else was touched. Then eth0.10 set down by hand on h2 is set up again, while eth0, a parent the
 * agent does not own, set down is reported (networks DEGRADED) and left down.
 */
import assert from 'node:assert/strict';
import { NetworkState } from '../../../client/src';
import { ip } from '../ipLinks';
import { waitFor } from '../../support/waitFor';
import type { Scenario, ScenarioContext } from './Scenario';
import { assertEndpointLink, assertSame, assertVlanLink, expectPing, linkIn, type Member } from './netChecks';
import { describeEvent, watchUntil } from './watchUntil';

const HOSTS = ['h1', 'h2'];
const subnet = (n: number) => ({
  cidr: `192.168.${n}.0/24`,
  gateway: `192.168.${n}.1`,
  ipRange: '',
  auxAddresses: {},
});

/** r1 (h1), r2 (h2) on VLAN 10, r1 attached with the CLI; s1 (h1), s2 (h2) on VLAN 20. */
async function setUp(ctx: ScenarioContext): Promise<{ r1: Member; r2: Member; s1: Member; s2: Member }> {
  ctx.step('creates macvlan10 on eth0.10 and macvlan20 on eth0.20 on h1 and h2 at once with the SDK');
  await Promise.all(
    HOSTS.map(async (host) => {
      await ctx.orchestrator
        .sdk(host)
        .createNetwork({ name: 'macvlan10', parent: 'eth0.10', subnets: [subnet(10)] });
      await ctx.orchestrator
        .sdk(host)
        .createNetwork({ name: 'macvlan20', parent: 'eth0.20', subnets: [subnet(20)] });
    }),
  );
  ctx.step(
    'connects r1 to macvlan10 on h1 with the CLI, r2 (h2) with the SDK, s1 (h1) and s2 (h2) to macvlan20',
  );
  const member = (name: string, ip: string): Member => ({ name, netns: ctx.container(name), ip });
  const r1 = member('r1', '192.168.10.2');
  await ctx.orchestrator.cliOk(
    'h1',
    `network connect --ip ${r1.ip} --name r1 macvlan10 ${r1.netns}`.split(' '),
  );
  const others: [string, string, Member][] = [
    ['h2', 'macvlan10', member('r2', '192.168.10.3')],
    ['h1', 'macvlan20', member('s1', '192.168.20.2')],
    ['h2', 'macvlan20', member('s2', '192.168.20.3')],
  ];
  for (const [host, network, { name, netns, ip }] of others)
    await ctx.orchestrator.sdk(host).createEndpoint({ network, name, netns, ipv4Address: ip });
  const [r2, s1, s2] = others.map(([, , m]) => m);
  await expectPing(r2, r1);
  await expectPing(s2, s1);
  return { r1, r2, s1, s2 };
}

const ifindex = (netns: string, name: string) => linkIn(netns, name)?.ifindex;

type Members = Awaited<ReturnType<typeof setUp>>;

/** eth0.10 deleted by hand on h1: made again, r1 attached again and reachable, DRIFT in Watch, nothing else touched. */
async function deleteSubInterface(ctx: ScenarioContext, { r1, r2, s1, s2 }: Members): Promise<void> {
  const [h1, h2] = HOSTS.map((h) => ctx.hostNetns(h));
  const client = ctx.orchestrator.sdk('h1');
  const { revision } = await client.listNetworks();
  const r1Endpoint = await client.getEndpoint('macvlan10', 'r1');
  const untouched = () => ({ h1Eth020: ifindex(h1, 'eth0.20'), h2Eth010: ifindex(h2, 'eth0.10') });
  const before = {
    eth010: ifindex(h1, 'eth0.10'),
    r1Link: ifindex(r1.netns, 'eth0'),
    untouched: untouched(),
  };

  ctx.step(`deletes eth0.10 on h1 by hand (at revision ${revision}): r1's link goes with it`);
  ip('-n', h1, 'link', 'del', 'eth0.10');

  ctx.step("h1's agent makes eth0.10 again: a new link, VLAN 10 on eth0, marked and up");
  await waitFor('eth0.10 on h1 made again, marked and up', () => {
    const link = linkIn(h1, 'eth0.10');
    return link?.ifalias === 'mvnet:macvlan10' && link.flags?.includes('UP');
  });
  const restored = assertVlanLink(h1, 'eth0.10', { parent: 'eth0', vlan: 10, alias: 'mvnet:macvlan10' });
  assert.notEqual(restored.ifindex, before.eth010, 'eth0.10 on h1 should be a new link');

  ctx.step('r1 is attached again, same address and MAC, and reaches r2 on h2 across the switch, both ways');
  await expectPing(r2, r1, 15_000);
  await expectPing(r1, r2);
  assert.notEqual(ifindex(r1.netns, 'eth0'), before.r1Link, "r1's eth0 should be a new link");
  assertEndpointLink(r1.netns, r1Endpoint, { prefix: 24, gateway: '192.168.10.1' });
  const r1Now = await client.getEndpoint('macvlan10', 'r1');
  assertSame(r1Now.status?.state, r1Endpoint.status?.state, "r1's state after the repair");

  ctx.step(`h1's agent reported both repairs in Watch, as DRIFT events after revision ${revision}`);
  const expected = ['DRIFT network macvlan10', 'DRIFT endpoint r1'];
  const events = await watchUntil(client, revision, (seen) =>
    expected.every((e) => seen.some((s) => describeEvent(s) === e)),
  );
  assert.ok(
    events.every((e) => e.revision > revision),
    'every event after the revision noted',
  );

  ctx.step('nothing else was touched: eth0.20 on h1 and eth0.10 on h2 are the same links, VLAN 20 works');
  assertSame(untouched(), before.untouched, 'ifindex of the links not deleted');
  await expectPing(s1, s2);
}

/** On h2: eth0.10 set down is set up again; eth0, not the agent's, set down is reported and left down. */
async function setLinksDown(ctx: ScenarioContext, { r1, r2, s1, s2 }: Members): Promise<void> {
  const h2 = ctx.hostNetns('h2');
  ctx.step("sets eth0.10 down by hand on h2: h2's agent sets it up again, r1 reaches r2");
  ip('-n', h2, 'link', 'set', 'eth0.10', 'down');
  await waitFor('eth0.10 on h2 up again', () => linkIn(h2, 'eth0.10')?.flags?.includes('UP'));
  await expectPing(r1, r2);

  ctx.step(
    "sets eth0 down by hand on h2: a parent it did not make, so h2's agent reports it and leaves it down",
  );
  ip('-n', h2, 'link', 'set', 'eth0', 'down');
  ctx.defer(() => void ip('-n', h2, 'link', 'set', 'eth0', 'up'));
  const client = ctx.orchestrator.sdk('h2');
  const errorsBefore = ctx.agents.logs('h2').filter((l) => Number(l.level) >= 50).length;
  const degraded = await waitFor('macvlan10 on h2 degraded', async () => {
    const { status } = await client.getNetwork('macvlan10');
    return status?.state === NetworkState.NETWORK_STATE_DEGRADED && status;
  });
  assertSame(
    degraded.message,
    'parent link eth0.10 is down (admin down): its lower link eth0 is down (admin down)',
    'why macvlan10 on h2 is degraded',
  );
  assert.ok(!linkIn(h2, 'eth0')?.flags?.includes('UP'), 'eth0 of h2 should still be down');
  // eth0.10 went down with eth0 and comes back with it: the agent does not fight the kernel over it.
  const errors = ctx.agents
    .logs('h2')
    .filter((l) => Number(l.level) >= 50)
    .slice(errorsBefore);
  assertSame(
    errors.map((l) => l.msg),
    [],
    "h2's agent's errors while eth0 is down",
  );

  ctx.step('sets eth0 up again by hand: both networks on h2 are ready, r1 reaches r2 and s1 reaches s2');
  ip('-n', h2, 'link', 'set', 'eth0', 'up');
  await waitFor('macvlan10 and macvlan20 on h2 ready', async () => {
    const { networks } = await client.listNetworks();
    return networks.every((n) => n.status?.state === NetworkState.NETWORK_STATE_READY);
  });
  await expectPing(r1, r2);
  await expectPing(s1, s2);
}

export const drift: Scenario = {
  name: 'drift',
  summary:
    'drift repaired: eth0.10 deleted by hand comes back marked and up with its containers, reachable across hosts again; a parent set down is reported, not repaired',
  async run(ctx) {
    const members = await setUp(ctx);
    await deleteSubInterface(ctx, members);
    await setLinksDown(ctx, members);

    ctx.step('removes both networks from h1 and h2: eth0.10 and eth0.20 go with them');
    await Promise.all(
      HOSTS.map(async (host) => {
        for (const network of ['macvlan10', 'macvlan20'])
          await ctx.orchestrator.sdk(host).deleteNetwork(network, { force: true });
      }),
    );
    for (const host of HOSTS)
      for (const link of ['eth0.10', 'eth0.20'])
        assertSame(linkIn(ctx.hostNetns(host), link), undefined, `${link} on ${host}`);
  },
};
