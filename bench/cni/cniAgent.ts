/**
 * mvnet's side of the CNI benchmark: one agent serving the throwaway host on a unix socket (as on a
 * real host; mvnet-cni reaches it from the host netns), its network, and one warm SDK client on the
 * same socket for the agent's CreateEndpoint alone.
 */
import { createHash } from 'node:crypto';
import { AgentClient } from '../../client/src/AgentClient';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { Attachment, GATEWAY, HOST_NETNS, SUBNET } from '../attach/attachmentPlan';
import { BenchAgent } from '../shared/BenchAgent';

/** The mvnet network every attach goes to (the host's eth0, bridge mode), and the CNI network's name. */
export const MVNET_NETWORK = 'bench';
export const CNI_NETWORK = 'bench-cni';

/** The endpoint name mvnet-cni gives a container's eth0: `cni-` + 20 hex of sha256(id/ifname). */
export function cniEndpointName(containerId: string, ifname = 'eth0'): string {
  return `cni-${createHash('sha256').update(`${containerId}/${ifname}`).digest('hex').slice(0, 20)}`;
}

export class CniAgent {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly agent: BenchAgent,
    private readonly client: AgentClient,
  ) {}

  /** Starts the agent on a fresh state dir and creates the network; not timed. */
  static async open(o: { agentLogLevel: string; agentLogFile?: string }): Promise<CniAgent> {
    const agent = await BenchAgent.start({
      hostNetns: HOST_NETNS,
      logLevel: o.agentLogLevel,
      logFile: o.agentLogFile,
      unixSocket: true,
    });
    try {
      const client = new AgentClient({ host: agent.address, timeoutMs: 15_000 });
      await client.createNetwork({
        name: MVNET_NETWORK,
        parent: 'eth0',
        mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
        subnets: [{ cidr: SUBNET, gateway: GATEWAY, ipRange: '', auxAddresses: {} }],
      });
      return new CniAgent(agent, client);
    } catch (err) {
      await agent.close();
      throw err;
    }
  }

  /** `unix:///.../agent.sock`: the config's `agent`. */
  get address(): string {
    return this.agent.address;
  }

  /**
   * The agent's CreateEndpoint alone, through the warm SDK client: the request mvnet-cni's ADD makes
   * for `a` (its name, labels, netns path and address); returns its time in ms.
   */
  async createEndpoint(a: Attachment): Promise<number> {
    const start = process.hrtime.bigint();
    const { endpoint } = await this.client.createEndpoint({
      network: MVNET_NETWORK,
      name: cniEndpointName(a.container),
      netns: `/var/run/netns/${a.container}`,
      ifname: 'eth0',
      ipv4Address: a.address,
      labels: {
        'mvnet.io/managed-by': 'cni',
        'cni.mvnet.io/container-id': a.container,
        'cni.mvnet.io/ifname': 'eth0',
        'cni.mvnet.io/network': CNI_NETWORK,
      },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (endpoint.ipv4Address !== a.address)
      throw new Error(`mvnet gave ${a.container} ${endpoint.ipv4Address}, not ${a.address}`);
    return ms;
  }

  /** Deletes what createEndpoint made (untimed). */
  async deleteEndpoint(a: Attachment): Promise<void> {
    await this.client.deleteEndpoint(MVNET_NETWORK, cniEndpointName(a.container));
  }

  /** The names of the network's endpoints. */
  async endpointNames(): Promise<string[]> {
    return (await this.client.listEndpoints(MVNET_NETWORK)).endpoints.map((e) => e.name);
  }

  /** Stops the agent, once; later calls wait for the same. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.client.close();
      await this.agent.close();
    })());
  }
}
