/**
 * Containers from a runtime: a network on eth0.10 on h1 and h2, and on each host a container attached
 * by executing mvnet-cni as containerd or CRI-O would (in the host's namespace, CNI_* variables, the
 * config on stdin), against that host's agent through its unix socket (agentSocketRelay.ts). The results are CNI 1.1.0 results that say what the
 * kernel has; the two containers reach each other across the switch over VLAN 10; CHECK agrees; DEL
 * (twice) leaves neither endpoint nor link.
 */
import { createHash } from 'node:crypto';
import { AgentSocketRelay } from './agentSocketRelay';
import { CniRuntime } from './cniRuntime';
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
  { name: 'r1', host: 'h1', ip: '192.168.10.21', runtimeConfig: { ips: ['192.168.10.21/24'] } },
  { name: 'r2', host: 'h2', ip: '192.168.10.22', args: 'IgnoreUnknown=1;IP=192.168.10.22' },
] as const;

type Attached = Member & { host: string; id: string; result: Record<string, unknown> };

/** Each host's agent socket (agentSocketRelay.ts), by host. */
type Sockets = Map<string, AgentSocketRelay>;

/** The network config a runtime would read from /etc/cni/net.d on `host`: its own agent's socket. */
function networkConfig(sockets: Sockets, host: string, extra: Record<string, unknown> = {}) {
  return {
    cniVersion: '1.1.0',
    name: NETWORK,
    type: 'mvnet-cni',
    network: NETWORK,
    agent: sockets.get(host)!.address,
    ...extra,
  };
}

async function attach(ctx: ScenarioContext, cni: CniRuntime, sockets: Sockets): Promise<Attached[]> {
  return Promise.all(
    CONTAINERS.map(async (c) => {
      const netns = ctx.container(c.name);
      const id = containerId(c.name);
      const runtimeConfig = 'runtimeConfig' in c ? { runtimeConfig: c.runtimeConfig } : {};
      const result = await cni.execOk({
        command: 'ADD',
        hostNetns: ctx.hostNetns(c.host),
        containerId: id,
        netns: `/var/run/netns/${netns}`,
        ifname: 'eth0',
        args: 'args' in c ? c.args : undefined,
        config: networkConfig(sockets, c.host, runtimeConfig),
      });
      return { name: c.name, host: c.host, netns, ip: c.ip, id, result: result ?? {} };
    }),
  );
}

/** The result against the kernel and the agent: eth0 in the container, its MAC, its address and gateway. */
async function checkAttached(ctx: ScenarioContext, a: Attached): Promise<void> {
  const link = linkIn(a.netns, 'eth0');
  assertSame(
    { cniVersion: a.result.cniVersion, interfaces: a.result.interfaces, ips: a.result.ips },
    {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'eth0', mac: link?.address, sandbox: `/var/run/netns/${a.netns}` }],
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

function call(ctx: ScenarioContext, sockets: Sockets, a: Attached, command: 'CHECK' | 'DEL', extra = {}) {
  return {
    command,
    hostNetns: ctx.hostNetns(a.host),
    containerId: a.id,
    netns: `/var/run/netns/${a.netns}`,
    ifname: 'eth0',
    config: networkConfig(sockets, a.host, extra),
  };
}

export const cniVlan: Scenario = {
  name: 'cni-vlan',
  summary:
    'a runtime executes mvnet-cni on h1 and h2 against its own agent: the containers, on eth0.10, reach each other across hosts; CHECK and DEL agree',
  async run(ctx) {
    const hosts = ['h1', 'h2'];
    ctx.step("installs mvnet-cni in a runtime's CNI_PATH, and each host's agent socket");
    const cni = CniRuntime.install();
    ctx.defer(() => cni.remove());
    const sockets: Sockets = new Map();
    for (const host of hosts) {
      const relay = await AgentSocketRelay.open(ctx.agents.address(host));
      ctx.defer(() => relay.close());
      sockets.set(host, relay);
    }

    ctx.step(
      `creates ${NETWORK} on eth0.10 on h1 and h2 with the SDK, as the install docs say, before any container`,
    );
    await Promise.all(
      hosts.map((host) =>
        ctx.orchestrator.sdk(host).createNetwork({
          name: NETWORK,
          parent: 'eth0.10',
          subnets: [{ cidr: '192.168.10.0/24', gateway: GATEWAY, ipRange: '', auxAddresses: {} }],
        }),
      ),
    );

    ctx.step('executes mvnet-cni ADD for r1 on h1 (address in runtimeConfig) and r2 on h2 (in CNI_ARGS)');
    const attached = await attach(ctx, cni, sockets);
    ctx.step(
      "each result is CNI 1.1.0, with the container's eth0, the MAC the kernel has, the address and gateway",
    );
    for (const a of attached) await checkAttached(ctx, a);

    ctx.step('r1 and r2 reach each other across the switch, over VLAN 10');
    await expectAllPairsPing(attached);

    ctx.step("executes CHECK for r1 with ADD's result as prevResult: it exits 0");
    await cni.execOk(call(ctx, sockets, attached[0], 'CHECK', { prevResult: attached[0].result }));

    ctx.step('executes DEL for both, twice: each exits 0; no endpoint is left, nor a link in the containers');
    for (const a of attached) for (let i = 0; i < 2; i++) await cni.execOk(call(ctx, sockets, a, 'DEL'));
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
    for (const host of hosts) await ctx.orchestrator.sdk(host).deleteNetwork(NETWORK);
    for (const host of hosts) assertSame(vlanLinks(ctx.hostNetns(host)), [], `the VLAN links of ${host}`);
  },
};
