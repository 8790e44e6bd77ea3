import { createClient, type CallOptions, type Channel, type Client, type Metadata } from 'nice-grpc';
import {
  AgentServiceDefinition,
  type DeleteEndpointResponse,
  type DeleteNetworkResponse,
} from '../../proto/gen/mvnet/v1/agent_service';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthDefinition,
} from '../../proto/gen/grpc/health/v1/health';
import type { PendingApply } from '../../proto/gen/mvnet/v1/apply';
import type { Endpoint } from '../../proto/gen/mvnet/v1/endpoint';
import type { Host } from '../../proto/gen/mvnet/v1/host';
import type { Network } from '../../proto/gen/mvnet/v1/network';
import {
  applyRequest,
  applyResult,
  type ApplyOptions,
  type ApplyResult,
  type ApplySpec,
} from './applyRequest';
import { DEFAULT_HOST, openConnection, type ConnectionOptions } from './connection';
import { toMvnetError } from './errors';
import type { EndpointSpec, NetworkSpec } from './specTypes';
import { watchEvents, type WatchEvent, type WatchOptions } from './watchEvents';

export type { EndpointSpec, NetworkSpec } from './specTypes';

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
 * (code, agent's message, host, and the field violations the agent listed) on failure. The
 * constructor throws an Error naming the option for options that cannot work (a missing certificate
 * file, a token to send in plaintext over the network).
 */
export class AgentClient {
  readonly host: string;
  private readonly channel: Channel;
  private readonly client: Client<typeof AgentServiceDefinition>;
  private readonly health: Client<typeof HealthDefinition>;
  private readonly timeoutMs: number;

  constructor(options: AgentClientOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const { channel, metadata } = openConnection({ ...options, host: this.host });
    this.channel = channel;
    this.client = createClient(AgentServiceDefinition, this.channel, { '*': { metadata } });
    this.health = createClient(HealthDefinition, this.channel, { '*': { metadata } });
  }

  /**
   * Whether the agent serves (grpc.health.v1 Check, as a load balancer or kubelet asks): `service` ''
   * is the whole agent, `mvnet.v1.AgentService` its API. True for SERVING; false for NOT_SERVING (the
   * agent is shutting down); a service the agent does not know throws MvnetError NOT_FOUND.
   */
  async checkHealth(service = ''): Promise<boolean> {
    const res = await this.call((options) => this.health.check({ service }, options));
    return res.status === ServingStatus.SERVING;
  }

  /** The host, its revision, and the Apply that awaits confirmation when there is one. */
  async getHost(): Promise<{ host: Host; revision: number; pendingApply?: PendingApply }> {
    const res = await this.call((options) => this.client.getHost({}, options));
    return {
      host: res.host!,
      revision: res.revision,
      ...(res.pendingApply ? { pendingApply: res.pendingApply } : {}),
    };
  }

  async createNetwork(network: NetworkSpec): Promise<{ network: Network; revision: number }> {
    const res = await this.call((options) => this.client.createNetwork({ network }, options));
    return { network: res.network!, revision: res.revision };
  }

  async getNetwork(name: string): Promise<Network> {
    const res = await this.call((options) => this.client.getNetwork({ name }, options));
    return res.network!;
  }

  async listNetworks(): Promise<{ networks: Network[]; revision: number }> {
    return this.call((options) => this.client.listNetworks({}, options));
  }

  async deleteNetwork(name: string, options: { force?: boolean } = {}): Promise<DeleteNetworkResponse> {
    const force = options.force ?? false;
    return this.call((call) => this.client.deleteNetwork({ name, force }, call));
  }

  /** Attaches a container (its netns: a name, a path or "pid:N") to a network. */
  async createEndpoint(endpoint: EndpointSpec): Promise<{ endpoint: Endpoint; revision: number }> {
    const res = await this.call((options) => this.client.createEndpoint({ endpoint }, options));
    return { endpoint: res.endpoint!, revision: res.revision };
  }

  async getEndpoint(network: string, name: string): Promise<Endpoint> {
    const res = await this.call((options) => this.client.getEndpoint({ network, name }, options));
    return res.endpoint!;
  }

  /** The endpoints of one network, or of all when `network` is omitted. */
  async listEndpoints(network = ''): Promise<{ endpoints: Endpoint[]; revision: number }> {
    return this.call((options) => this.client.listEndpoints({ network }, options));
  }

  /** Detaches an endpoint and releases its lease; a missing one is success. */
  async deleteEndpoint(network: string, name: string): Promise<DeleteEndpointResponse> {
    return this.call((options) => this.client.deleteEndpoint({ network, name }, options));
  }

  /**
   * Makes the host match `spec`, all or nothing (or, with `dryRun`, only plans it): what the host
   * has and the spec lacks is deleted, except endpoints labelled `mvnet.io/managed-by` with a value
   * other than `apply`. With `confirmWithin` (1 s..1 h; `90s`, `2m` or milliseconds) the agent rolls
   * the change back unless confirmApply(applyId) comes in time. Malformed options throw an Error
   * before any call; a refused spec throws MvnetError with one field violation per error.
   */
  async apply(spec: ApplySpec, options: ApplyOptions = {}): Promise<ApplyResult> {
    const request = applyRequest(spec, options);
    return applyResult(await this.call((call) => this.client.apply(request, call)));
  }

  /** Keeps an Apply made with confirmWithin; the host's revision (a confirmation makes none). */
  async confirmApply(applyId: string): Promise<{ revision: number }> {
    const res = await this.call((options) => this.client.confirmApply({ applyId }, options));
    return { revision: res.revision };
  }

  /** Rolls back an Apply that awaits confirmation, now; the revision of the rollback. */
  async cancelApply(applyId: string): Promise<{ revision: number }> {
    const res = await this.call((options) => this.client.cancelApply({ applyId }, options));
    return { revision: res.revision };
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

  /**
   * One unary call with the deadline, its failure as an MvnetError. The trailer is kept for the
   * error's field violations: grpc-js reports it (nice-grpc's onTrailer) in the same tick as it
   * fails the call, so before the rejection reaches this catch.
   */
  private async call<T>(invoke: (options: CallOptions) => Promise<T>): Promise<T> {
    let trailer: Metadata | undefined;
    try {
      return await invoke({
        signal: AbortSignal.timeout(this.timeoutMs),
        onTrailer: (metadata) => (trailer = metadata),
      });
    } catch (err) {
      throw toMvnetError(err, this.host, trailer);
    }
  }
}
