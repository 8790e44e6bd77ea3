import { createClient, type Channel, type Client } from 'nice-grpc';
import { AgentClient } from '../../client/src/AgentClient';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { BenchAgent } from '../shared/BenchAgent';
import { openOwnChannel } from './openOwnChannel';
import { RevisionLog } from './RevisionLog';
import { WATCH_HOST_NETNS } from './watchLayout';

/** A raw nice-grpc client of the agent (no SDK in between: what part 3 times is the agent). */
export type AgentServiceClient = Client<typeof AgentServiceDefinition>;

/**
 * The agent under test: one `mvnet-agent --netns mvbw-host` on a fresh state dir (shared/BenchAgent.ts);
 * a raw client on its own channel, for the set-up and part 3's mutations; the SDK's client on
 * another, for part 1's mutations (as an orchestrator makes them); and when its log named each revision.
 */
export class WatchAgent {
  private constructor(
    private readonly agent: BenchAgent,
    private readonly channel: Channel,
    readonly client: AgentServiceClient,
    readonly sdk: AgentClient,
    readonly revisions: RevisionLog,
  ) {}

  /** The agent's `127.0.0.1:PORT`. */
  get address(): string {
    return this.agent.address;
  }

  static async open(logLevel: string, logFile?: string): Promise<WatchAgent> {
    const revisions = new RevisionLog();
    const agent = await BenchAgent.start({
      hostNetns: WATCH_HOST_NETNS,
      logLevel,
      logFile,
      onEntry: revisions.onEntry,
    });
    const channel = openOwnChannel(agent.address);
    const sdk = new AgentClient({ host: agent.address, ownConnection: true });
    return new WatchAgent(agent, channel, createClient(AgentServiceDefinition, channel), sdk, revisions);
  }

  async close(): Promise<void> {
    this.channel.close();
    this.sdk.close();
    await this.agent.close();
  }
}
