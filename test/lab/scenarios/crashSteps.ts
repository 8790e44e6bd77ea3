/**
 * kill -9 in the middle of a change, at each step: h1's agent, started with fault injection
 * (MVNET_FAULT_KILL_AT, see agent/src/faultPoint.ts), kills itself while creating a network on the
 * sub-interface eth0.10 with a host-access shim, and while attaching an endpoint. After each restart
 * kernel and state agree: nothing the dead agent made is left (eth0.10 and the shim, marked or not yet;
 * the container's link under its temporary name or renamed), an address is neither lost nor given twice,
 * and the orchestrator's retry of the same request succeeds. A container on h2 checks that what was
 * retried works across hosts.
 */
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc';
import { MvnetError, type NetworkSpec } from '../../../client/src';
import { showLinks } from '../ipLinks';
import type { Scenario, ScenarioContext } from './Scenario';
import { assertSame, assertVlanLink, expectPing, type Member } from './netChecks';

const NETWORK: NetworkSpec = {
  name: 'crash10',
  parent: 'eth0.10',
  hostAccess: true,
  subnets: [{ cidr: '10.30.0.0/24', gateway: '10.30.0.1', ipRange: '', auxAddresses: {} }],
};

/** Where a network creation dies: eth0.10 added, not marked; made and up; the shim added, not marked; all made, not committed. */
const NETWORK_FAULTS = ['link-added#1', 'link-op-done#2', 'link-added#2', 'network-before-commit'];
/** Where an attach dies, and whether the endpoint was committed by then. */
const ENDPOINT_FAULTS: [string, boolean][] = [
  ['endpoint-created', false],
  ['endpoint-renamed', false],
  ['endpoint-before-commit', false],
  ['endpoint-committed', true],
];

const linkNames = (netns: string) =>
  showLinks(netns)
    .map((l) => l.ifname)
    .sort();

/** Restarts h1's agent set to die at `fault`, runs `change`, and checks that it died there, by SIGKILL. */
async function dieAt(ctx: ScenarioContext, fault: string, change: () => Promise<unknown>): Promise<void> {
  await ctx.agents.stop('h1');
  await ctx.agents.start('h1', { MVNET_FAULT_KILL_AT: fault });
  const err = await change().then(
    () => new Error(`the change succeeded: the agent did not die at ${fault}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MvnetError, `the change should fail as the agent dies, not with ${String(err)}`);
  assertSame(err.code, Status.UNAVAILABLE, `the status of the call the agent died in (${err.message})`);
  assertSame(await ctx.agents.exited('h1'), { code: null, signal: 'SIGKILL' }, `how h1's agent ended`);
  await ctx.agents.start('h1');
  ctx.orchestrator.reconnect('h1');
}

async function networkSteps(ctx: ScenarioContext): Promise<void> {
  const h1 = ctx.hostNetns('h1');
  const before = linkNames(h1);
  for (const fault of NETWORK_FAULTS) {
    ctx.step(
      `kills h1's agent at ${fault} while it creates crash10 on eth0.10 with host access, then restarts it`,
    );
    await dieAt(ctx, fault, () => ctx.orchestrator.sdk('h1').createNetwork(NETWORK));
    ctx.step('after the restart h1 has the links it had before, and no network');
    assertSame(linkNames(h1), before, `the links of h1 after a crash at ${fault}`);
    assertSame((await ctx.orchestrator.sdk('h1').listNetworks()).networks, [], 'the networks of h1');
  }
  ctx.step('the same create now succeeds: eth0.10 and the shim made and marked');
  const { network } = await ctx.orchestrator.sdk('h1').createNetwork(NETWORK);
  assertVlanLink(h1, 'eth0.10', { parent: 'eth0', vlan: 10, alias: 'mvnet:crash10' });
  assertSame(linkNames(h1), [...before, 'eth0.10', network.status!.hostLink].sort(), 'the links of h1');
}

async function endpointSteps(ctx: ScenarioContext): Promise<void> {
  ctx.step('creates crash10 on h2 too, and connects c2 there at 10.30.0.9');
  await ctx.orchestrator.sdk('h2').createNetwork({ ...NETWORK, hostAccess: false });
  const c2: Member = { name: 'c2', netns: ctx.container('c2'), ip: '10.30.0.9' };
  await ctx.orchestrator.cliOk('h2', [
    'network',
    'connect',
    '--ip',
    c2.ip,
    '--name',
    c2.name,
    'crash10',
    c2.netns,
  ]);
  const c1: Member = { name: 'c1', netns: ctx.container('c1'), ip: '10.30.0.20' };
  const other = ctx.container('c3');
  for (const [fault, committed] of ENDPOINT_FAULTS) {
    ctx.step(`kills h1's agent at ${fault} while it attaches c1 at 10.30.0.20, then restarts it`);
    const attach = () =>
      ctx.orchestrator
        .sdk('h1')
        .createEndpoint({ network: 'crash10', name: 'c1', netns: c1.netns, ipv4Address: c1.ip });
    await dieAt(ctx, fault, attach);
    const { endpoints } = await ctx.orchestrator.sdk('h1').listEndpoints('crash10');
    ctx.step(
      committed
        ? 'c1 was committed before the crash: its endpoint and its eth0 are there'
        : 'c1 was not committed: no endpoint, and nothing left in its netns',
    );
    assertSame(
      endpoints.map((e) => [e.name, e.ipv4Address]),
      committed ? [['c1', c1.ip]] : [],
      'the endpoints of h1',
    );
    assertSame(linkNames(c1.netns), committed ? ['eth0', 'lo'] : ['lo'], 'the links of c1');
    ctx.step(
      "the orchestrator's retry gives c1 the address it asked for; c3 cannot have it; c1 and c2 reach each other",
    );
    assertSame((await attach()).endpoint.ipv4Address, c1.ip, "c1's address after the retry");
    const taken = await ctx.orchestrator
      .sdk('h1')
      .createEndpoint({ network: 'crash10', name: 'c3', netns: other, ipv4Address: c1.ip })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(
      taken instanceof MvnetError && taken.code === Status.FAILED_PRECONDITION,
      `c3 got ${c1.ip} too`,
    );
    await expectPing(c1, c2);
    await ctx.orchestrator.sdk('h1').deleteEndpoint('crash10', 'c1');
  }
}

export const crashSteps: Scenario = {
  name: 'crash-steps',
  summary:
    'kill -9 of an agent at each step of creating a network on eth0.10 and of attaching an endpoint: after a restart nothing is leaked, no address lost or doubled',
  async run(ctx) {
    ctx.defer(async () => {
      // Whatever happened, h1 ends with an agent serving without fault injection, for the next scenario.
      if (!ctx.agents.isRunning('h1')) await ctx.agents.start('h1');
      for (const host of ['h1', 'h2'])
        await ctx.orchestrator
          .sdk(host)
          .deleteNetwork('crash10', { force: true })
          .catch(() => undefined);
    });
    await networkSteps(ctx);
    await endpointSteps(ctx);
  },
};
