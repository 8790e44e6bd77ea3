import { AgentClient } from '../../client/src/AgentClient';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { BenchAgent } from '../shared/BenchAgent';
import { Attachment, GATEWAY, HOST_NETNS, SUBNET } from './attachmentPlan';

/** The network every mvnet attach goes to: the host's eth0, bridge mode, the switch's subnet. */
export const BENCH_NETWORK = 'bench';

/** The agent's own account of one attach's kernel work (its `attached endpoint` log line). */
export interface KernelAttachTiming {
  /** The parent's lookup and the macvlan's creation in the container's netns, from the host's netlink socket. */
  hostMs: number;
  /** The whole kernel side: host + the container's side (mark, addresses, up, routes) from a socket there. */
  totalMs: number;
}

export interface MvnetSideOptions {
  agentLogLevel: string;
  agentLogFile?: string;
}

/**
 * mvnet's side: one agent serving the throwaway host (started once, not timed) and one SDK client,
 * its channel connected before the first timed call. An attach is one CreateEndpoint, timed by the
 * caller from the request to the response, as an orchestrator sees it.
 */
export class MvnetSide {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly agent: BenchAgent,
    private readonly client: AgentClient,
    /** What the agent's log said about each attach, by container netns. */
    private readonly kernelTimings: Map<string, KernelAttachTiming>,
  ) {}

  /**
   * The SDK's empty call (checkHealth: grpc.health.v1 Check), timed like an attach, on the same client
   * and channel: what the SDK, gRPC both ways and the agent's server cost with no work behind them.
   */
  async ping(): Promise<number> {
    const start = process.hrtime.bigint();
    if (!(await this.client.checkHealth())) throw new Error('the agent does not say SERVING');
    return Number(process.hrtime.bigint() - start) / 1e6;
  }

  /** Starts the agent on a fresh state dir and creates the benchmark's network. */
  static async open(options: MvnetSideOptions): Promise<MvnetSide> {
    const kernelTimings = new Map<string, KernelAttachTiming>();
    const agent = await BenchAgent.start({
      hostNetns: HOST_NETNS,
      logLevel: options.agentLogLevel,
      logFile: options.agentLogFile,
      onEntry: (entry) => {
        if (entry.msg !== 'attached endpoint') return;
        const { hostMs, totalMs } = entry as unknown as KernelAttachTiming;
        kernelTimings.set(String(entry.netns), { hostMs, totalMs });
      },
    });
    try {
      const client = new AgentClient({ host: agent.address, timeoutMs: 15_000 });
      await client.createNetwork({
        name: BENCH_NETWORK,
        parent: 'eth0',
        mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
        subnets: [{ cidr: SUBNET, gateway: GATEWAY, ipRange: '', auxAddresses: {} }],
      });
      return new MvnetSide(agent, client, kernelTimings);
    } catch (err) {
      await agent.close();
      throw err;
    }
  }

  /** One CreateEndpoint (the endpoint is named after its container); returns its time in ms. */
  async attach(a: Attachment): Promise<number> {
    const start = process.hrtime.bigint();
    const { endpoint } = await this.client.createEndpoint({
      network: BENCH_NETWORK,
      netns: a.container,
      ifname: 'eth0',
      ipv4Address: a.address,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (endpoint.ipv4Address !== a.address) {
      throw new Error(`mvnet gave ${a.container} ${endpoint.ipv4Address}, not ${a.address}`);
    }
    return ms;
  }

  /** Forgets an endpoint (untimed, after its container is gone: the agent has nothing left to remove). */
  async forget(a: Attachment): Promise<void> {
    await this.client.deleteEndpoint(BENCH_NETWORK, a.container);
  }

  /** How many endpoints the agent holds. */
  async countEndpoints(): Promise<number> {
    return (await this.client.listEndpoints(BENCH_NETWORK)).endpoints.length;
  }

  /** What the agent's log said about the kernel side of the attach into `container`. */
  kernelTiming(container: string): KernelAttachTiming | undefined {
    return this.kernelTimings.get(container);
  }

  /** Stops the agent, once; later calls wait for the same. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.client.close();
      await this.agent.close();
    })());
  }
}
