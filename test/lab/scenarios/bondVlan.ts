/**
 * A bond as the parent of a VLAN: every host's bond0 (active-backup of eth1 and eth2, whose switch
 * ports carry VLAN 30 tagged) gets a network on bond0.30, which each agent makes as an 802.1q link on
 * the bond. Containers reach each other across hosts, and again once h1's bond failed over to its
 * other NIC (a cable cut at the switch); the agents never touch the bond or its NICs.
 */
import assert from 'node:assert/strict';
import { NetworkState } from '../../../client/src';
import { ip, showLinks } from '../ipLinks';
import { switchNetns } from '../topology/topology';
import { waitFor } from '../../support/waitFor';
import type { Scenario, ScenarioContext } from './Scenario';
import {
  assertEndpointLink,
  assertSame,
  assertVlanLink,
  expectAllPairsPing,
  expectPing,
  linkIn,
  type Member,
} from './netChecks';

const NETWORK = 'bond30';

const CREATE =
  `network create --subnet 192.168.30.0/24 --gateway 192.168.30.1 -o parent=bond0.30 ${NETWORK}`.split(' ');

const CONTAINERS = [
  { name: 'p1', host: 'h1', ip: '192.168.30.2' },
  { name: 'p2', host: 'h2', ip: '192.168.30.3' },
  { name: 'p3', host: 'h3', ip: '192.168.30.4' },
];

/** An interface as `mvnet host info --output json` prints it (the fields read here). */
interface HostInterface {
  name: string;
  kind?: string;
  vlanId?: number;
  parent?: string;
  owner?: string;
}

function bondState(netns: string): { active: unknown; slaves: string[] } {
  const links = showLinks(netns);
  return {
    active: links.find((l) => l.ifname === 'bond0')?.linkinfo?.info_data?.active_slave,
    slaves: links
      .filter((l) => l.master === 'bond0')
      .map((l) => l.ifname)
      .sort(),
  };
}

/** The network on every host, with its bond0.30 checked in the kernel and in h1's `mvnet host info`. */
async function createNetworks(ctx: ScenarioContext): Promise<void> {
  ctx.step(`creates ${NETWORK} with parent bond0.30 on every host at once with the CLI`);
  await Promise.all(ctx.hosts.map((host) => ctx.orchestrator.cliOk(host, CREATE)));

  ctx.step(
    'every host has bond0.30, VLAN 30 on bond0, made and marked by its agent; bond0 keeps eth1 and eth2',
  );
  for (const host of ctx.hosts) {
    const netns = ctx.hostNetns(host);
    assertVlanLink(netns, 'bond0.30', { parent: 'bond0', vlan: 30, alias: `mvnet:${NETWORK}` });
    assertSame(bondState(netns).slaves, ['eth1', 'eth2'], `bond0's NICs on ${host}`);
  }

  ctx.step(
    "h1's agent says the same through the CLI (host info): bond0.30 is its own, bond0 and eth1 are foreign",
  );
  const info = await ctx.orchestrator.cliJson<{ interfaces: HostInterface[] }>('h1', ['host', 'info']);
  const shown = (name: string) => {
    const found = info.interfaces.find((i) => i.name === name);
    return found && { kind: found.kind, vlanId: found.vlanId, parent: found.parent, owner: found.owner };
  };
  assertSame(
    [shown('bond0.30'), shown('bond0'), shown('eth1')],
    [
      { kind: 'vlan', vlanId: 30, parent: 'bond0', owner: 'LINK_OWNER_MVNET' },
      { kind: 'bond', vlanId: undefined, parent: undefined, owner: 'LINK_OWNER_FOREIGN' },
      { kind: 'veth', vlanId: undefined, parent: 'bond0', owner: 'LINK_OWNER_FOREIGN' },
    ],
    "bond0.30, bond0 and eth1 in h1's host info",
  );
}

/** h1's active NIC cut at the switch: bond0 fails over, the containers reach each other again, the agent stays out. */
async function failOver(ctx: ScenarioContext, [p1, p2, p3]: Member[]): Promise<void> {
  ctx.step(
    "cuts h1's active NIC at the switch (port h1-eth1 down): bond0 fails over to eth2, p1 is reachable again",
  );
  const h1 = ctx.hostNetns('h1');
  assertSame(bondState(h1).active, 'eth1', "h1's active NIC before the cut");
  const sw = switchNetns(ctx.topology);
  ip('-n', sw, 'link', 'set', 'h1-eth1', 'down');
  ctx.defer(() => void ip('-n', sw, 'link', 'set', 'h1-eth1', 'up'));
  await waitFor('bond0 of h1 to fail over to eth2', () => bondState(h1).active === 'eth2');
  await expectPing(p2, p1);
  await expectPing(p1, p3);

  ctx.step("h1's network stays ready, and its agent left bond0 and its NICs as they were");
  const { status } = await ctx.orchestrator.sdk('h1').getNetwork(NETWORK);
  assertSame(status?.state, NetworkState.NETWORK_STATE_READY, `${NETWORK} on h1 after the failover`);
  assertSame(bondState(h1).slaves, ['eth1', 'eth2'], "bond0's NICs on h1 after the failover");
  assert.ok(linkIn(h1, 'eth1')?.flags?.includes('UP'), 'eth1 of h1 should still be administratively up');
}

export const bondVlan: Scenario = {
  name: 'bond-vlan',
  summary:
    'a network on bond0.30, VLAN 30 on an active-backup bond: made by the agents, containers reach each other across hosts, also after a failover',
  async run(ctx) {
    await createNetworks(ctx);

    ctx.step('connects p1 on h1, p2 on h2 and p3 on h3 with the SDK; every pair pings over VLAN 30');
    const members: Member[] = [];
    for (const { name, host, ip: ipv4Address } of CONTAINERS) {
      const netns = ctx.container(name);
      const spec = { network: NETWORK, name, netns, ipv4Address };
      const { endpoint } = await ctx.orchestrator.sdk(host).createEndpoint(spec);
      assertEndpointLink(netns, endpoint, { prefix: 24, gateway: '192.168.30.1' });
      members.push({ name, netns, ip: ipv4Address });
    }
    await expectAllPairsPing(members);

    await failOver(ctx, members);

    ctx.step(`removes ${NETWORK} from every host: each agent deletes bond0.30, bond0 and its NICs stay`);
    await Promise.all(
      ctx.hosts.map((host) => ctx.orchestrator.sdk(host).deleteNetwork(NETWORK, { force: true })),
    );
    for (const host of ctx.hosts) {
      assertSame(linkIn(ctx.hostNetns(host), 'bond0.30'), undefined, `bond0.30 on ${host}`);
      assertSame(bondState(ctx.hostNetns(host)).slaves, ['eth1', 'eth2'], `bond0's NICs on ${host}`);
    }
  },
};
