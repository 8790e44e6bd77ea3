/**
 * Apply's side: one agent serving the throwaway host, on a fresh state dir (started once, not timed),
 * and a raw nice-grpc client (`Apply` through the generated client: the wire alone, no SDK layer). A
 * batch is one Apply of the whole host: the network `bench` on the host's eth0 and one endpoint per
 * container; clearing it is one Apply of the empty spec, which detaches every endpoint and removes the
 * network. Both are timed from the call to the reply, as an orchestrator sees them.
 */
import { PlanAction, type PlanStep, type Spec } from '../../proto/gen/mvnet/v1/apply';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { rawAgent, spec, type RawAgent } from '../../test/support/applyWire';
import { Attachment, GATEWAY, HOST_NETNS, SUBNET } from '../attach/attachmentPlan';
import { BenchAgent, type BenchAgentOptions } from '../shared/BenchAgent';

/** The one network of the spec: the host's eth0, bridge mode, the switch's subnet (as part 2's). */
export const APPLY_NETWORK = 'bench';

/** The whole host: the network, and one endpoint per container (named after it), `eth0`, its address. */
export function hostSpec(batch: readonly Attachment[]): Spec {
  return spec(
    [
      {
        name: APPLY_NETWORK,
        parent: 'eth0',
        mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
        subnets: [{ cidr: SUBNET, gateway: GATEWAY }],
      },
    ],
    batch.map((a) => ({
      name: a.container,
      network: APPLY_NETWORK,
      netns: a.container,
      ifname: 'eth0',
      ipv4Address: a.address,
    })),
  );
}

/** Throws unless every step of `plan` is `action` and there are `count` of them. */
function expectPlan(plan: readonly PlanStep[], action: PlanAction, count: number): void {
  const other = plan.filter((s) => s.action !== action);
  if (plan.length !== count || other.length > 0) {
    throw new Error(
      `Apply planned ${plan.length} steps (${other.length} not ${PlanAction[action]}); ${count} were expected`,
    );
  }
}

/** One timed Apply: which, and when it ran, by process.hrtime.bigint() (CLOCK_MONOTONIC, in ns). */
export interface ApplyCall {
  what: 'apply' | 'clear';
  startNs: bigint;
  endNs: bigint;
}

export class ApplySide {
  /** Every timed Apply so far, in order (a profile is read over their windows). */
  readonly calls: ApplyCall[] = [];
  private closing: Promise<string | undefined> | undefined;

  private constructor(
    private readonly agent: BenchAgent,
    private readonly client: RawAgent,
  ) {}

  /** Starts the agent on a fresh state dir; its client's channel is connected before the first timed call. */
  static async open(o: Omit<BenchAgentOptions, 'hostNetns'>): Promise<ApplySide> {
    const agent = await BenchAgent.start({ ...o, hostNetns: HOST_NETNS });
    const client = rawAgent(agent.address);
    try {
      await client.getHost({});
      return new ApplySide(agent, client);
    } catch (err) {
      client.close();
      await agent.close();
      throw err;
    }
  }

  /** One Apply making the network and the batch's endpoints, from an empty host; its time in ms. */
  async apply(batch: readonly Attachment[]): Promise<number> {
    const plan = await this.timed('apply', hostSpec(batch));
    expectPlan(plan.steps, PlanAction.PLAN_ACTION_CREATE, batch.length + 1);
    return plan.ms;
  }

  /** One Apply of the empty spec, detaching the `endpoints` endpoints and removing the network; its time in ms. */
  async clear(endpoints: number): Promise<number> {
    const plan = await this.timed('clear', spec([]));
    expectPlan(plan.steps, PlanAction.PLAN_ACTION_DELETE, endpoints + 1);
    return plan.ms;
  }

  /** One Apply of `hostSpec`, timed from the call to the reply (the request built beforehand). */
  private async timed(what: ApplyCall['what'], hostSpec: Spec): Promise<{ steps: PlanStep[]; ms: number }> {
    const request = { spec: hostSpec };
    const startNs = process.hrtime.bigint();
    const { plan } = await this.client.apply(request);
    const endNs = process.hrtime.bigint();
    this.calls.push({ what, startNs, endNs });
    return { steps: plan, ms: Number(endNs - startNs) / 1e6 };
  }

  /** How many endpoints the agent holds. */
  async countEndpoints(): Promise<number> {
    return (await this.client.listEndpoints({ network: '' })).endpoints.length;
  }

  /** Stops the agent (once; later calls wait for the same); a profiled agent's CPU profile (BenchAgentOptions.cpuProfile). */
  close(): Promise<string | undefined> {
    return (this.closing ??= (async () => {
      this.client.close();
      return this.agent.close();
    })());
  }
}
