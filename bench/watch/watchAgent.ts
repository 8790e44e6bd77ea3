import { createClient, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { BenchAgent } from '../shared/BenchAgent';
import { openOwnChannel } from './openOwnChannel';
import { WATCH_HOST_NETNS } from './watchLayout';

/** A raw nice-grpc client of the agent (no SDK in between: what the benchmark times is the agent). */
export type AgentServiceClient = Client<typeof AgentServiceDefinition>;

/**
 * The agent under test: one `mvnet-agent --netns mvbw-host` on a fresh state dir (shared/BenchAgent.ts),
 * and one client on its own channel, for the set-up and for part 2's mutations.
 */
export class WatchAgent {
  private constructor(
    private readonly agent: BenchAgent,
    private readonly channel: Channel,
    readonly client: AgentServiceClient,
  ) {}

  /** The agent's `127.0.0.1:PORT`. */
  get address(): string {
    return this.agent.address;
  }

  static async open(logLevel: string, logFile?: string): Promise<WatchAgent> {
    const agent = await BenchAgent.start({ hostNetns: WATCH_HOST_NETNS, logLevel, logFile });
    const channel = openOwnChannel(agent.address);
    return new WatchAgent(agent, channel, createClient(AgentServiceDefinition, channel));
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.agent.close();
  }
}
