/**
 * The fleet through `mvnet fleet`, on the trunked switch: one fleet file declares VLAN 30 on all three
 * hosts with a /27 of 192.168.30.0/24 each and a container per host; `fleet plan`, then `fleet apply`
 * rolls it out (canary h1, then waves), and the containers reach each other and the VLAN's router
 * across hosts. A second file moves the network to VLAN 40, which no switch port carries: the canary's
 * gateway probe fails, h1 rolls itself back, no other host starts, and every host is as it was.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ip } from '../ipLinks';
import { switchNetns } from '../topology/topology';
import type { Scenario, ScenarioContext } from './Scenario';
import { assertSame, expectAllPairsPing, expectPing, ipv4Of, vlanLinks, type Member } from './netChecks';

interface FleetJson {
  ok: boolean;
  hosts: { name: string; state: string; message: string; changes?: number }[];
}

function fleetFile(ctx: ScenarioContext, vlan: number, containers: Record<string, string>): string {
  const hosts = ctx.hosts.map((h) => `  - {name: ${h}, address: "${ctx.agents.address(h)}"}`);
  const endpoints = ctx.hosts.map(
    (h, i) => `  - {host: ${h}, name: w${i + 1}, network: vlan30, netns: ${containers[h]}}`,
  );
  return [
    'hosts:',
    ...hosts,
    'networks:',
    `  - name: vlan30`,
    `    parent: eth0.${vlan}`,
    '    subnets: [{cidr: 192.168.30.0/24, gateway: 192.168.30.1, ipRangePerHost: 27}]',
    'endpoints:',
    ...endpoints,
    'rollout: {canary: 1, maxUnavailable: 1, confirmWithin: 30s, probeGateways: true}',
    '',
  ].join('\n');
}

/** VLAN 30's router: an address on the switch's own port in VLAN 30. */
function placeRouter(ctx: ScenarioContext): void {
  const sw = switchNetns(ctx.topology);
  ctx.step('the switch gets a router on VLAN 30: 192.168.30.1 on br0.30');
  // The bridge's own port joins VLAN 30 (vlan_filtering is on), and a VLAN link on it holds the address.
  execFileSync('ip', ['netns', 'exec', sw, 'bridge', 'vlan', 'add', 'vid', '30', 'dev', 'br0', 'self']);
  ip('-n', sw, 'link', 'add', 'link', 'br0', 'name', 'br0.30', 'type', 'vlan', 'id', '30');
  ip('-n', sw, 'addr', 'add', '192.168.30.1/24', 'dev', 'br0.30');
  ip('-n', sw, 'link', 'set', 'br0.30', 'up');
  ctx.defer(() => {
    ip('-n', sw, 'link', 'del', 'br0.30');
    execFileSync('ip', ['netns', 'exec', sw, 'bridge', 'vlan', 'del', 'vid', '30', 'dev', 'br0', 'self']);
  });
}

export const fleetVlan30: Scenario = {
  name: 'fleet-vlan30',
  summary:
    'mvnet fleet rolls VLAN 30 with a /27 per host out to three hosts (traffic across hosts); a move to VLAN 40, which no port carries, fails on the canary and leaves every host as it was',
  async run(ctx) {
    placeRouter(ctx);
    const containers = Object.fromEntries(ctx.hosts.map((h, i) => [h, ctx.container(`w${i + 1}`)]));
    const dir = fs.mkdtempSync(path.join(process.env.MVNET_LAB_STATE ?? '/tmp', 'fleet-'));
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const vlan30 = file('vlan30.yaml', fleetFile(ctx, 30, containers));
    const fleet = ([verb, ...args]: string[]) =>
      ctx.orchestrator.fleetCli([verb, '--output', 'json', ...args]);
    ctx.defer(async () => {
      await fleet([
        'apply',
        '-f',
        file(
          'empty.yaml',
          fleetFile(ctx, 30, containers).replace(
            /networks:[\s\S]*rollout/,
            'networks: []\nendpoints: []\nrollout',
          ),
        ),
      ]);
    });

    ctx.step('fleet plan: every host gets vlan30 and its container, nothing refused');
    const plan = await fleet(['plan', '-f', vlan30]);
    assertSame(plan.code, 0, `fleet plan's exit code (${plan.stderr})`);

    ctx.step('fleet apply: h1 first (the canary), then one host at a time; every host Available');
    const applied = await fleet(['apply', '-f', vlan30]);
    const result = JSON.parse(applied.stdout) as FleetJson;
    assertSame(
      [applied.code, result.ok, result.hosts.map((h) => h.state)],
      [0, true, ['Available', 'Available', 'Available']],
      `fleet apply (${applied.stderr})`,
    );

    ctx.step("each host made eth0.30, and its container's address is in a /27 of its own");
    const members: Member[] = ctx.hosts.map((h, i) => {
      assertSame(vlanLinks(ctx.hostNetns(h)), ['eth0.30'], `the VLAN links of ${h}`);
      const [address] = ipv4Of(containers[h], 'eth0');
      return { name: `w${i + 1}`, netns: containers[h], ip: address.split('/')[0] };
    });
    const blocks = members.map((m) => Number(m.ip.split('.')[3]) >> 5);
    assertSame(new Set(blocks).size, 3, `the /27 blocks of ${members.map((m) => m.ip).join(', ')}`);

    ctx.step("the containers reach each other across hosts in VLAN 30, and VLAN 30's router");
    await expectAllPairsPing(members);
    for (const m of members) await expectPing(m, '192.168.30.1');

    ctx.step('a second file moves vlan30 to VLAN 40, which no port carries: fleet apply fails on the canary');
    const moved = await fleet(['apply', '-f', file('vlan40.yaml', fleetFile(ctx, 40, containers))]);
    const failed = JSON.parse(moved.stdout) as FleetJson;
    assertSame(
      [moved.code, failed.ok, failed.hosts.map((h) => h.state)],
      [1, false, ['Failing', 'Aborted', 'Aborted']],
      'the second rollout',
    );
    if (!failed.hosts[0].message.includes('gateway 192.168.30.1 of network vlan30 answers ARP'))
      throw new Error(`h1's failure does not name its gateway probe: ${failed.hosts[0].message}`);

    ctx.step('every host is as it was: eth0.30 only, the same addresses, traffic across hosts');
    for (const [i, h] of ctx.hosts.entries()) {
      assertSame(vlanLinks(ctx.hostNetns(h)), ['eth0.30'], `the VLAN links of ${h}`);
      assertSame(ipv4Of(containers[h], 'eth0')[0].split('/')[0], members[i].ip, `w${i + 1}'s address`);
    }
    await expectAllPairsPing(members);
  },
};
