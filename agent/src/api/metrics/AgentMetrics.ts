import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HostServices } from '../../app/createHostServices';
import type { HostCensus } from '../../app/HostService';
import type { EndpointState, NetworkState } from '../../domain/model';
import type { WatcherEndReason } from '../../app/WatchService';

const NETWORK_STATES: readonly NetworkState[] = ['ready', 'degraded', 'parent-missing'];
const ENDPOINT_STATES: readonly EndpointState[] = ['ready', 'lost', 'failed'];
const END_REASONS: readonly WatcherEndReason[] = ['cancelled', 'too_slow', 'out_of_range', 'error'];

/** Unary calls and kernel steps take from a fraction of a millisecond to seconds; Watch streams longer. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const KERNEL_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/** What the agent is, for mvnet_agent_info. */
export interface AgentIdentity {
  version: string;
  hostname: string;
}

/**
 * The agent's Prometheus metrics, in a registry of its own (not prom-client's global one: an agent
 * started twice in one process, as tests do, counts apart). Counters of calls and kernel steps are
 * observed as they happen; what the host holds (networks, endpoints, watchers, the revision) and what
 * the services count (watch, drift) is read when Prometheus scrapes, so the hot paths pay for an
 * integer increment at most. Label values are bounded: methods and kernel steps are fixed lists,
 * states and reasons are enums, and networks are bounded by the agent's own limits.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private services?: HostServices;
  /** This scrape's census: read once for the three gauges that use it. */
  private census?: HostCensus;

  readonly rpcRequests = new Counter({
    name: 'mvnet_rpc_requests_total',
    help: 'gRPC calls answered, by method and status code (streams count when they end)',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });

  readonly rpcSeconds = new Histogram({
    name: 'mvnet_rpc_duration_seconds',
    help: "gRPC calls' duration, from the call's arrival to its status (a Watch stream's whole life)",
    labelNames: ['method'] as const,
    buckets: RPC_BUCKETS,
    registers: [this.registry],
  });

  readonly kernelSeconds = new Histogram({
    name: 'mvnet_kernel_op_duration_seconds',
    help: 'Kernel steps (the LinkDriver port: netlink, ip, setns), by step, failed or not',
    labelNames: ['op'] as const,
    buckets: KERNEL_BUCKETS,
    registers: [this.registry],
  });

  constructor(identity: AgentIdentity) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'mvnet_agent_info',
      help: 'Always 1: the agent version and the host it runs on',
      labelNames: ['version', 'hostname'] as const,
      registers: [this.registry],
    }).set({ version: identity.version, hostname: identity.hostname }, 1);
    this.gauges();
    this.pulledCounters();
  }

  /** The host's services, read at each scrape from now on. */
  observe(services: HostServices): void {
    this.services = services;
  }

  /** The exposition text of every metric, read now. */
  async render(): Promise<string> {
    this.census = undefined;
    try {
      return await this.registry.metrics();
    } finally {
      this.census = undefined;
    }
  }

  private readCensus(): HostCensus | undefined {
    this.census ??= this.services?.host.census();
    return this.census;
  }

  private gauges(): void {
    const read = () => this.readCensus();
    const services = () => this.services;
    new Gauge({
      name: 'mvnet_networks',
      help: 'Networks this agent holds, by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      collect() {
        const census = read();
        for (const state of NETWORK_STATES) this.set({ status: state }, census?.networks.get(state) ?? 0);
      },
    });
    new Gauge({
      name: 'mvnet_endpoints',
      help: 'Endpoints this agent holds, by network and status',
      labelNames: ['network', 'status'] as const,
      registers: [this.registry],
      collect() {
        // Reset first: a deleted network's series go with it.
        this.reset();
        for (const [network, counts] of read()?.endpoints ?? []) {
          for (const state of ENDPOINT_STATES) this.set({ network, status: state }, counts.get(state) ?? 0);
        }
      },
    });
    new Gauge({
      name: 'mvnet_watchers',
      help: 'Watch streams open now',
      registers: [this.registry],
      collect() {
        this.set(services()?.watch.activeWatchers() ?? 0);
      },
    });
    new Gauge({
      name: 'mvnet_revision',
      help: "The host's current revision (one per committed change)",
      registers: [this.registry],
      collect() {
        this.set(read()?.revision ?? 0);
      },
    });
  }

  /** Counters the services keep as plain numbers, copied at each scrape. */
  private pulledCounters(): void {
    const read = () => this.services;
    const pulled = (name: string, help: string, value: (s: HostServices) => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const services = read();
          this.reset();
          if (services) this.inc(value(services));
        },
      });
    pulled(
      'mvnet_watch_events_sent_total',
      'Items written to Watch streams (events, SYNCED and BOOKMARK), over all watchers',
      (s) => s.watch.counts.sent,
    );
    pulled(
      'mvnet_drift_events_total',
      "Kernel notifications of changes to the agent's links made behind its back",
      (s) => s.driftCounts.changes,
    );
    pulled(
      'mvnet_drift_repairs_total',
      'DRIFT events recorded after such changes: links made again or set up, endpoints attached again or found LOST',
      (s) => s.driftCounts.repairs,
    );
    new Counter({
      name: 'mvnet_watchers_ended_total',
      help: 'Watch streams ended after being served, by reason (cancelled: the client or the agent ended it)',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      collect() {
        const ended = read()?.watch.counts.ended;
        this.reset();
        for (const reason of END_REASONS) this.inc({ reason }, ended?.[reason] ?? 0);
      },
    });
  }
}
