/**
 * A commit-confirmed Apply that moves a network from VLAN 10 to VLAN 20, where the switch has no
 * gateway: h1's probe of its gateway, which answered on eth0.10, gets no answer on eth0.20, so h1 rolls
 * the change back by itself before answering (ABORTED, naming the probe); the same with probe_gateways. VLAN 10 works again, the
 * container keeps its address and MAC, and eth0.20 is gone. The gateway is a container on h2 holding
 * 192.168.10.1 on VLAN 10, as a router on the VLAN would.
 */
import { Status } from 'nice-grpc';
import { MvnetError, type ApplySpec } from '../../../client/src';
import type { Scenario, ScenarioContext } from './Scenario';
import { assertSame, expectPing, linkIn, vlanLinks } from './netChecks';

const SUBNET = { cidr: '192.168.10.0/24', gateway: '192.168.10.1', ipRange: '', auxAddresses: {} };
const ON_VLAN = (vlanId: number) => ({ name: 'lan', parent: 'eth0', vlanId, subnets: [SUBNET] });

async function placeRouter(ctx: ScenarioContext): Promise<void> {
  ctx.step("h2 declares VLAN 10 with a container at 192.168.10.1: the VLAN's router for this story");
  const router = ctx.container('router');
  const spec: ApplySpec = {
    networks: [{ ...ON_VLAN(10), subnets: [{ ...SUBNET, gateway: '192.168.10.254' }] }],
    endpoints: [{ name: 'router', network: 'lan', netns: router, ipv4Address: '192.168.10.1' }],
  };
  await ctx.orchestrator.sdk('h2').apply(spec);
  ctx.defer(async () => {
    await ctx.orchestrator.sdk('h2').apply({});
  });
}

export const applyVlanRollback: Scenario = {
  name: 'apply-vlan-rollback',
  summary:
    'an Apply moving a network from VLAN 10 to VLAN 20 (no gateway there) with probe_gateways rolls back by itself, and VLAN 10 works again',
  async run(ctx) {
    await placeRouter(ctx);
    const h1 = ctx.orchestrator.sdk('h1');
    const a1 = { name: 'a1', netns: ctx.container('a1'), ip: '192.168.10.2' };
    const at = (vlanId: number): ApplySpec => ({
      networks: [ON_VLAN(vlanId)],
      endpoints: [{ name: 'a1', network: 'lan', netns: a1.netns, ipv4Address: a1.ip }],
    });
    ctx.defer(async () => {
      await h1.apply({});
    });

    ctx.step('h1 declares the network on VLAN 10 with a1: a1 reaches the router across the switch');
    await h1.apply(at(10));
    await expectPing(a1, '192.168.10.1');
    const before = await h1.getEndpoint('lan', 'a1');

    for (const probeGateways of [false, true]) {
      ctx.step(
        probeGateways
          ? 'h1 is asked again, with every gateway of the spec a required probe: ABORTED again'
          : "h1 is asked to move it to VLAN 20, confirm within 60 s: the gateway's probe passed on VLAN 10 and fails on 20: ABORTED, naming it",
      );
      const refused = await h1.apply(at(20), { confirmWithin: '60s', probeGateways }).then(
        () => undefined,
        (err: unknown) => err,
      );
      if (!(refused instanceof MvnetError) || refused.code !== Status.ABORTED)
        throw new Error(`expected ABORTED, got ${String(refused)}`);
      if (
        !refused.details.includes(
          'gateway 192.168.10.1 of network lan answers ARP (it passed before the change)',
        )
      )
        throw new Error(`the refusal does not name the gateway probe: ${refused.details}`);

      ctx.step(
        'h1 is back on VLAN 10 by itself: eth0.10 only, no pending apply, a1 with its address and MAC',
      );
      assertSame((await h1.getHost()).pendingApply, undefined, 'the pending apply of h1');
      assertSame((await h1.getNetwork('lan')).parent, 'eth0.10', "the network's parent");
      assertSame(vlanLinks(ctx.hostNetns('h1')), ['eth0.10'], 'the VLAN links of h1');
      const after = await h1.getEndpoint('lan', 'a1');
      assertSame([after.macAddress, after.ipv4Address], [before.macAddress, before.ipv4Address], 'a1');
      assertSame(linkIn(a1.netns, 'eth0')?.address, before.macAddress, "a1's MAC in the kernel");
    }

    ctx.step('VLAN 10 traffic works again: a1 reaches the router');
    await expectPing(a1, '192.168.10.1');
  },
};
