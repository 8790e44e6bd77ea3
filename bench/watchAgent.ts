import fs from 'node:fs';
import { ChannelCredentials, createChannel, createClient, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition } from '../proto/gen/mvnet/v1/agent_service';
import { BenchAgent, startBenchAgent } from './benchAgent';
import { recordAgent, STATE_DIR_PREFIX } from './benchLock';
import { WATCH_HOST_NETNS } from './watchLayout';

/** A raw nice-grpc client of the agent (no SDK in between: what the benchmark times is the agent). */
export type AgentServiceClient = Client<typeof AgentServiceDefinition>;

/**
 * A channel on a TCP connection of its own. grpc-js otherwise shares one connection among every
 * channel to a target with the same options (its global subchannel pool), and the benchmark means to
 * spread its watchers over several connections, and to keep the mutating client's apart.
 */
export function openOwnChannel(address: string): Channel {
  return createChannel(address, ChannelCredentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
}

/**
 * The agent under test: one `mvnet-agent --netns mvbw-host` on a fresh state dir (recorded in the
 * benchmarks' lock, so that a later run can end it if this one is killed), and one client on its own
 * channel, for the set-up and for part 2's mutations.
 */
export class WatchAgent {
  private constructor(
    private readonly agent: BenchAgent,
    private readonly channel: Channel,
    readonly client: AgentServiceClient,
    private readonly stateDir: string,
  ) {}

  /** The agent's `127.0.0.1:PORT`. */
  get address(): string {
    return this.agent.address;
  }

  static async open(logLevel: string, logFile?: string): Promise<WatchAgent> {
    const stateDir = fs.mkdtempSync(STATE_DIR_PREFIX);
    try {
      const agent = await startBenchAgent({ hostNetns: WATCH_HOST_NETNS, stateDir, logLevel, logFile });
      recordAgent(agent.pid, stateDir);
      const channel = openOwnChannel(agent.address);
      return new WatchAgent(agent, channel, createClient(AgentServiceDefinition, channel), stateDir);
    } catch (err) {
      fs.rmSync(stateDir, { recursive: true, force: true });
      throw err;
    }
  }

  async close(): Promise<void> {
    this.channel.close();
    await this.agent.stop();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
