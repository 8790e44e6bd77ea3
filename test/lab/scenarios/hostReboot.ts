/**
 * A host reboot: the lab powered off and booted again with the same disk (two phases). Before: networks
 * on eth0.10 with a host-access shim on h1 and h2, addresses from IPAM, containers attached and
 * reachable, and a watcher of h1 that stops at a revision the orchestrator keeps on disk; then one more
 * change it does not see. After: the agents have made eth0.10 and the shim again, marked, with the
 * shim's addresses; the endpoints are LOST (their containers died with the boot); the containers, made
 * again, are attached again with the same address and MAC; the hosts reach their containers through
 * the shims; and the watcher, resuming from its revision, gets every change since, without a gap.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EndpointState, type NetworkSpec } from '../../../client/src';
import type { Scenario, ScenarioContext } from './Scenario';
import { assertSame, assertVlanLink, expectPing, ipv4Of, linkIn, pings, type Member } from './netChecks';
import { describeEvent, watchUntil } from './watchUntil';

/** Each host's network: the same subnet, each its own pool of it, and a shim. */
const network = (host: string): NetworkSpec => ({
  name: 'rb10',
  parent: 'eth0.10',
  hostAccess: true,
  subnets: [
    {
      cidr: '10.40.0.0/24',
      gateway: '10.40.0.1',
      ipRange: host === 'h1' ? '10.40.0.16/28' : '10.40.0.32/28',
      auxAddresses: {},
    },
  ],
});
const CONTAINERS = [
  { name: 'r1', host: 'h1' },
  { name: 'r2', host: 'h2' },
];

/** What the orchestrator keeps on the machine's disk across the reboot. */
interface Kept {
  endpoints: Record<string, { ipv4Address: string; macAddress: string }>;
  /** The last revision h1's watcher saw. */
  watched: number;
}

function keptFile(): string {
  return path.join(process.env.MVNET_LAB_STATE ?? '/tmp', 'host-reboot-orchestrator.json');
}

async function attach(ctx: ScenarioContext, name: string, host: string): Promise<Member> {
  const netns = ctx.container(name);
  const { endpoint } = await ctx.orchestrator.sdk(host).createEndpoint({ network: 'rb10', name, netns });
  return { name, netns, ip: endpoint.ipv4Address };
}

async function before(ctx: ScenarioContext): Promise<void> {
  ctx.step('creates rb10 on eth0.10 with host access on h1 and h2, each with its own pool of 10.40.0.0/24');
  for (const host of ['h1', 'h2']) await ctx.orchestrator.sdk(host).createNetwork(network(host));
  ctx.step('attaches r1 (h1) and r2 (h2), addresses from IPAM; they reach each other, and h1 reaches r1');
  const kept: Kept = { endpoints: {}, watched: 0 };
  const members: Member[] = [];
  for (const { name, host } of CONTAINERS) {
    const member = await attach(ctx, name, host);
    const endpoint = await ctx.orchestrator.sdk(host).getEndpoint('rb10', name);
    kept.endpoints[name] = { ipv4Address: endpoint.ipv4Address, macAddress: endpoint.macAddress };
    members.push(member);
  }
  await expectPing(members[1], members[0]);
  await expectPing({ name: 'h1', netns: ctx.hostNetns('h1'), ip: '' }, members[0]);
  ctx.step("h1's watcher lists h1 and stops there; the orchestrator keeps its revision on disk");
  const listed = await watchUntil(ctx.orchestrator.sdk('h1'), 0, (events) =>
    events.some((e) => describeEvent(e) === 'SYNCED'),
  );
  kept.watched = listed[listed.length - 1].revision;
  ctx.step('then r3 is attached on h1, a change the watcher has not seen');
  await attach(ctx, 'r3', 'h1');
  fs.writeFileSync(keptFile(), JSON.stringify(kept));
  ctx.step('powers the lab off: the agents get no warning (kill -9), the kernel and its namespaces go');
  for (const host of ctx.hosts) await ctx.agents.kill9(host);
}

async function after(ctx: ScenarioContext): Promise<void> {
  const kept = JSON.parse(fs.readFileSync(keptFile(), 'utf8')) as Kept;
  for (const host of ['h1', 'h2']) {
    ctx.step(`${host}'s agent made eth0.10 and the shim again, marked, the shim with its address`);
    const netns = ctx.hostNetns(host);
    assertVlanLink(netns, 'eth0.10', { parent: 'eth0', vlan: 10, alias: 'mvnet:rb10' });
    const rb10 = await ctx.orchestrator.sdk(host).getNetwork('rb10');
    const shim = linkIn(netns, rb10.status!.hostLink);
    assert.ok(shim, `the shim ${rb10.status!.hostLink} of ${host} should be there again`);
    assertSame(shim.ifalias, 'mvnet:rb10', `the mark of ${host}'s shim`);
    assertSame(
      ipv4Of(netns, shim.ifname),
      rb10.status!.hostAddresses.map((a) => `${a}/32`), // a host address; routes go to each endpoint
      `the addresses of ${host}'s shim`,
    );
  }
  ctx.step('the endpoints are LOST: their containers died with the boot; their leases are kept');
  const lost = [
    ...(await ctx.orchestrator.sdk('h1').listEndpoints('rb10')).endpoints,
    ...(await ctx.orchestrator.sdk('h2').listEndpoints('rb10')).endpoints,
  ];
  assertSame(
    lost.map((e) => [e.name, e.status?.state]).sort(),
    [
      ['r1', EndpointState.ENDPOINT_STATE_LOST],
      ['r2', EndpointState.ENDPOINT_STATE_LOST],
      ['r3', EndpointState.ENDPOINT_STATE_LOST],
    ],
    'the endpoints after the reboot',
  );

  ctx.step("h1's watcher resumes from its revision: every change since, in order, without a gap");
  const { revision: now } = await ctx.orchestrator.sdk('h1').listNetworks();
  const missed = await watchUntil(ctx.orchestrator.sdk('h1'), kept.watched, (events) =>
    events.some((e) => e.revision >= now),
  );
  assertSame(
    missed.map((e) => e.revision),
    Array.from({ length: now - kept.watched }, (_, i) => kept.watched + 1 + i),
    'the revisions the resumed watcher got',
  );
  assert.ok(
    missed.some((e) => describeEvent(e) === 'ADDED endpoint r3'),
    `the resumed watcher should see r3 added before the reboot; it saw ${missed.map(describeEvent).join(', ')}`,
  );

  ctx.step('the containers are made again and attached again: the same address and MAC as before');
  const members: Member[] = [];
  for (const { name, host } of CONTAINERS) {
    const netns = ctx.container(name);
    const { endpoint } = await ctx.orchestrator.sdk(host).createEndpoint({ network: 'rb10', name, netns });
    assertSame(
      { ipv4Address: endpoint.ipv4Address, macAddress: endpoint.macAddress },
      kept.endpoints[name],
      `${name} attached again`,
    );
    members.push({ name, netns, ip: endpoint.ipv4Address });
  }
  ctx.step('r1 and r2 reach each other across hosts; each host reaches its container through its shim');
  await expectPing(members[1], members[0]);
  await expectPing({ name: 'h1', netns: ctx.hostNetns('h1'), ip: '' }, members[0]);
  assert.ok(await pings(ctx.hostNetns('h2'), members[1].ip), 'h2 should reach r2 through its shim');
  for (const host of ['h1', 'h2']) await ctx.orchestrator.sdk(host).deleteNetwork('rb10', { force: true });
}

export const hostReboot: Scenario = {
  name: 'host-reboot',
  summary:
    'a reboot of the lab: sub-interfaces, shims and leases restored, containers attached again with the same address and MAC, a watcher resumes without gaps',
  phases: ['before', 'after'],
  async run(ctx) {
    if (ctx.phase === 'before') await before(ctx);
    else await after(ctx);
  },
};
