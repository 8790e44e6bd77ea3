import { createClient, type Channel, type Client } from 'nice-grpc';
import { AgentServiceDefinition, type DeleteNetworkResponse } from '../../proto/gen/mvnet/v1/agent_service';
import type { Host } from '../../proto/gen/mvnet/v1/host';
import type { Network } from '../../proto/gen/mvnet/v1/network';
import { DEFAULT_HOST, openChannel } from './connection';
import { toMvnetError } from './errors';

/** A network spec as the SDK takes it: any subset of Network's fields (the rest default). */
export type NetworkSpec = Partial<Omit<Network, 'status'>> & { name: string };

export interface AgentClientOptions {
  /** Default: the local agent's unix socket. */
  host?: string;
  /** Per-call deadline in milliseconds (default 30 s). */
  timeoutMs?: number;
}

/**
 * A typed client of one agent. Every method returns plain generated messages and throws MvnetError
 * (code, agent's message, host) on failure.
 */
export class AgentClient {
  readonly host: string;
  private readonly channel: Channel;
  private readonly client: Client<typeof AgentServiceDefinition>;
  private readonly timeoutMs: number;

  constructor(options: AgentClientOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.channel = openChannel(this.host);
    this.client = createClient(AgentServiceDefinition, this.channel);
  }

  async getHost(): Promise<{ host: Host; revision: number }> {
    const res = await this.call((signal) => this.client.getHost({}, { signal }));
    return { host: res.host!, revision: res.revision };
  }

  async createNetwork(network: NetworkSpec): Promise<{ network: Network; revision: number }> {
    const res = await this.call((signal) => this.client.createNetwork({ network }, { signal }));
    return { network: res.network!, revision: res.revision };
  }

  async getNetwork(name: string): Promise<Network> {
    const res = await this.call((signal) => this.client.getNetwork({ name }, { signal }));
    return res.network!;
  }

  async listNetworks(): Promise<{ networks: Network[]; revision: number }> {
    return this.call((signal) => this.client.listNetworks({}, { signal }));
  }

  async deleteNetwork(name: string, options: { force?: boolean } = {}): Promise<DeleteNetworkResponse> {
    return this.call((signal) =>
      this.client.deleteNetwork({ name, force: options.force ?? false }, { signal }),
    );
  }

  close(): void {
    this.channel.close();
  }

  private async call<T>(invoke: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await invoke(AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toMvnetError(err, this.host);
    }
  }
}
