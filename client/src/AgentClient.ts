import { createClient, type Channel, type Client } from 'nice-grpc';
import {
  AgentServiceDefinition,
  type DeleteEndpointResponse,
  type DeleteNetworkResponse,
} from '../../proto/gen/mvnet/v1/agent_service';
import type { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import type { Host } from '../../proto/gen/mvnet/v1/host';
import type { Network } from '../../proto/gen/mvnet/v1/network';
import { DEFAULT_HOST, openConnection, type ConnectionOptions } from './connection';
import { toMvnetError } from './errors';
import { watchEvents, type WatchEvent, type WatchOptions } from './watchEvents';

/** An endpoint spec as the SDK takes it: network and netns, the rest optional (name defaults to the netns). */
export type EndpointSpec = Partial<Omit<Endpoint, 'status'>> & { network: string; netns: string };

/** A network spec as the SDK takes it: any subset of Network's fields (the rest default). */
export type NetworkSpec = Partial<Omit<Network, 'status'>> & { name: string };

/**
 * Where the agent is and how to reach it (Docker's client options: `tls`, `tlsVerify`, `tlsCaCert`,
 * `tlsCert`, `tlsKey`; and a `token`), and the per-call deadline. clientOptionsFromEnv reads them
 * from MVNET_HOST, MVNET_TLS_VERIFY, MVNET_CERT_PATH and MVNET_TOKEN, as the CLI does.
 */
export interface AgentClientOptions extends ConnectionOptions {
  /** Per-call deadline in milliseconds (default 30 s). */
  timeoutMs?: number;
}

/**
 * A typed client of one agent. Every method returns plain generated messages and throws MvnetError
 * (code, agent's message, host) on failure. The constructor throws an Error naming the option for
 * options that cannot work (a missing certificate file, a token to send in plaintext over the network).
 */
export class AgentClient {
  readonly host: string;
  private readonly channel: Channel;
  private readonly client: Client<typeof AgentServiceDefinition>;
  private readonly timeoutMs: number;

  constructor(options: AgentClientOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const { channel, metadata } = openConnection({ ...options, host: this.host });
    this.channel = channel;
    this.client = createClient(AgentServiceDefinition, this.channel, { '*': { metadata } });
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

  /** Attaches a container (its netns: a name, a path or "pid:N") to a network. */
  async createEndpoint(endpoint: EndpointSpec): Promise<{ endpoint: Endpoint; revision: number }> {
    const res = await this.call((signal) => this.client.createEndpoint({ endpoint }, { signal }));
    return { endpoint: res.endpoint!, revision: res.revision };
  }

  async getEndpoint(network: string, name: string): Promise<Endpoint> {
    const res = await this.call((signal) => this.client.getEndpoint({ network, name }, { signal }));
    return res.endpoint!;
  }

  /** The endpoints of one network, or of all when `network` is omitted. */
  async listEndpoints(network = ''): Promise<{ endpoints: Endpoint[]; revision: number }> {
    return this.call((signal) => this.client.listEndpoints({ network }, { signal }));
  }

  /** Detaches an endpoint and releases its lease; a missing one is success. */
  async deleteEndpoint(network: string, name: string): Promise<DeleteEndpointResponse> {
    return this.call((signal) => this.client.deleteEndpoint({ network, name }, { signal }));
  }

  /**
   * Follows the agent's changes for as long as it is iterated (without deadline) or until
   * `options.signal` aborts: by default the current state as ADDED events, then SYNCED, then every
   * change, the events of one revision together once the last (revisionEnd) has arrived; BOOKMARKs on
   * quiet streams. Broken streams are resumed from the last whole revision seen, so every change
   * arrives once, in order, across agent restarts; when that is no longer possible the watch lists
   * again after a `{ relist: true }` marker. See watchEvents for the details.
   */
  watch(options: WatchOptions = {}): AsyncIterable<WatchEvent> {
    return watchEvents((request, signal) => this.client.watch(request, { signal }), this.host, options);
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
