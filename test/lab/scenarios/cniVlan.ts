/**
 * Containers from a runtime: a network on eth0.10 on h1 and h2, and on each host a container attached
 * by executing mvnet-cni as containerd or CRI-O would (test/support/cniRuntime.ts: in the host's
 * namespace, CNI_* variables, the config on stdin), against that host's agent through its unix socket.
 * The results are CNI 1.1.0 results that say what the kernel has; the two containers reach each other
 * across the switch over VLAN 10; CHECK agrees; DEL (twice) leaves neither endpoint nor link.
 */
import { createHash } from 'node:crypto';
import { CniRuntime, type CniAttachment, type CniConfig, type CniOutcome } from '../../support/cniRuntime';
import { installLabMvnetCni } from './labMvnetCni';
import type { Scenario, ScenarioContext } from './Scenario';
import {
  assertEndpointLink,
  assertSame,
  expectAllPairsPing,
  linkIn,
  vlanLinks,
  type Member,
} from './netChecks';

const NETWORK = 'cni10';
const GATEWAY = '192.168.10.1';
const HOSTS = ['h1', 'h2'];

/** A runtime's container id: 64 hex digits, as containerd, CRI-O and podman make them. */
const containerId = (name: string) => createHash('sha256').update(`lab-${name}`).digest('hex');

/** The endpoint mvnet-cni names for an attachment: `cni-` + 20 hex of sha256(id/ifname). */
const endpointName = (id: string) =>
  `cni-${createHash('sha256').update(`${id}/eth0`).digest('hex').slice(0, 20)}`;

/**
 * The two containers: r1 asks for its address in runtimeConfig (the `ips` capability), r2 in CNI_ARGS
 * (`IP=`), the two ways a runtime passes a static address.
 */
const CONTAINERS = [
  { name: 'r1', host: 'h1', ip: '192.168.10.21', extra: { runtimeConfig: { ips: ['192.168.10.21/24'] } } },
  { name: 'r2', host: 'h2', ip: '192.168.10.22', args: 'IgnoreUnknown=1;IP=192.168.10.22' },
];

/** One container on its host, with the runtime of that host and its attachment. */
type Attached = Member & { host: string; id: string; runtime: CniRuntime; attachment: CniAttachment };

/** The network config a runtime on `host` would read from /etc/cni/net.d: its own agent's socket. */
function networkConfig(ctx: ScenarioContext, host: string, extra: CniConfig = {}): CniConfig {
  const agent = ctx.agents.socketAddress(host);
  return { cniVersion: '1.1.0', name: NETWORK, type: 'mvnet-cni', network: NETWORK, agent, ...extra };
}

/** Throws with the plugin's answer unless it exited 0. */
function expectSuccess(outcome: CniOutcome, what: string): CniOutcome {
  if (outcome.exitCode !== 0)
    throw new Error(`${what} exited ${outcome.exitCode}: ${outcome.stdout.trim()} ${outcome.stderr.trim()}`);
  return outcome;
}

async function attach(ctx: ScenarioContext, runtimes: Map<string, CniRuntime>): Promise<Attached[]> {
  return Promise.all(
    CONTAINERS.map(async (c) => {
      const netns = ctx.container(c.name);
      const id = containerId(c.name);
      const attachment: CniAttachment = { containerId: id, netns: `/var/run/netns/${netns}`, ifname: 'eth0' };
      if (c.args) attachment.args = c.args;
      const runtime = runtimes.get(c.host)!;
      expectSuccess(await runtime.add(networkConfig(ctx, c.host, c.extra), attachment), `ADD for ${c.name}`);
      return { name: c.name, host: c.host, netns, ip: c.ip, id, runtime, attachment };
    }),
  );
}

/** The result against the kernel and the agent: eth0 in the container, its MAC, its address and gateway. */
async function checkAttached(ctx: ScenarioContext, a: Attached): Promise<void> {
  const result = a.runtime.resultOf(a.attachment);
  assertSame(
    { cniVersion: result?.cniVersion, interfaces: result?.interfaces, ips: result?.ips },
    {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'eth0', mac: linkIn(a.netns, 'eth0')?.address, sandbox: a.attachment.netns }],
      ips: [{ address: `${a.ip}/24`, gateway: GATEWAY, interface: 0 }],
    },
    `mvnet-cni's ADD result for ${a.name}`,
  );
  const endpoint = await ctx.orchestrator.sdk(a.host).getEndpoint(NETWORK, endpointName(a.id));
  assertSame(
    endpoint.labels,
    {
      'mvnet.io/managed-by': 'cni',
      'cni.mvnet.io/container-id': a.id,
      'cni.mvnet.io/ifname': 'eth0',
      'cni.mvnet.io/network': NETWORK,
    },
    `the labels of ${a.name}'s endpoint on ${a.host}`,
  );
  assertEndpointLink(a.netns, endpoint, { prefix: 24, gateway: GATEWAY });
}

async function createNetworks(ctx: ScenarioContext): Promise<void> {
  ctx.step(
    `creates ${NETWORK} on eth0.10 on h1 and h2 with the SDK, as the install docs say, before any container`,
  );
  const subnets = [{ cidr: '192.168.10.0/24', gateway: GATEWAY, ipRange: '', auxAddresses: {} }];
  await Promise.all(
    HOSTS.map((host) =>
      ctx.orchestrator.sdk(host).createNetwork({ name: NETWORK, parent: 'eth0.10', subnets }),
    ),
  );
}

export const cniVlan: Scenario = {
  name: 'cni-vlan',
  summary:
    'a runtime executes mvnet-cni on h1 and h2 against its own agent: the containers, on eth0.10, reach each other across hosts; CHECK and DEL agree',
  async run(ctx) {
    ctx.step(
      "installs mvnet-cni in a runtime's CNI_PATH; each host's runtime runs it in the host's namespace",
    );
    const installed = installLabMvnetCni();
    ctx.defer(() => installed.remove());
    const runtimes = new Map(
      HOSTS.map((host) => {
        const { plugin, cniPath } = installed;
        return [
          host,
          new CniRuntime({ plugin, cniPath, hostNetns: ctx.hostNetns(host), timeoutMs: 120_000 }),
        ];
      }),
    );
    await createNetworks(ctx);

    ctx.step('executes mvnet-cni ADD for r1 on h1 (address in runtimeConfig) and r2 on h2 (in CNI_ARGS)');
    const attached = await attach(ctx, runtimes);
    ctx.step(
      "each result is CNI 1.1.0, with the container's eth0, the MAC the kernel has, the address and gateway",
    );
    for (const a of attached) await checkAttached(ctx, a);

    ctx.step('r1 and r2 reach each other across the switch, over VLAN 10');
    await expectAllPairsPing(attached);

    ctx.step("executes CHECK for both, with ADD's result as prevResult: each exits 0");
    for (const a of attached)
      expectSuccess(await a.runtime.check(networkConfig(ctx, a.host), a.attachment), `CHECK for ${a.name}`);

    ctx.step('executes DEL for both, twice: each exits 0; no endpoint is left, nor a link in the containers');
    for (const a of attached)
      for (let i = 0; i < 2; i++)
        expectSuccess(await a.runtime.del(networkConfig(ctx, a.host), a.attachment), `DEL for ${a.name}`);
    for (const a of attached) {
      const { endpoints } = await ctx.orchestrator.sdk(a.host).listEndpoints(NETWORK);
      assertSame(
        endpoints.map((e) => e.name),
        [],
        `the endpoints of ${NETWORK} on ${a.host}`,
      );
      assertSame(linkIn(a.netns, 'eth0'), undefined, `eth0 in ${a.name}`);
    }

    ctx.step(`deletes ${NETWORK} on both hosts: each agent removes eth0.10`);
    for (const host of HOSTS) await ctx.orchestrator.sdk(host).deleteNetwork(NETWORK);
    for (const host of HOSTS) assertSame(vlanLinks(ctx.hostNetns(host)), [], `the VLAN links of ${host}`);
  },
};
