import type { KernelCapabilities, LinkDriver, LinkInfo } from '../domain/ports/LinkDriver';
import type { HostState } from '../domain/ports/HostState';
import type { EndpointState, NetworkState } from '../domain/model';

/** What the host holds now, counted (the metrics' gauges). */
export interface HostCensus {
  networks: Map<NetworkState, number>;
  /** Per network, its endpoints by state; a network without endpoints has an empty map. */
  endpoints: Map<string, Map<EndpointState, number>>;
  revision: number;
}

/** The facts about a host that do not change while the agent runs. */
export interface HostFacts {
  hostname: string;
  version: string;
  bootId: string;
  kernelRelease: string;
  /** The namespace the agent manages; "" for the root one. */
  netns: string;
  capabilities: KernelCapabilities;
}

/** The host as GetHost reports it: facts, the links of its namespace, and the current revision. */
export class HostService {
  constructor(
    private readonly facts: HostFacts,
    private readonly driver: LinkDriver,
    private readonly state: HostState,
  ) {}

  async getHost(): Promise<{ facts: HostFacts; links: LinkInfo[]; revision: number }> {
    return { facts: this.facts, links: await this.driver.listLinks(), revision: this.state.revision() };
  }

  /** The networks by state, each network's endpoints by state, and the revision, from one read of the state. */
  census(): HostCensus {
    const networks = new Map<NetworkState, number>();
    const endpoints = new Map<string, Map<EndpointState, number>>();
    for (const { spec, status } of this.state.listNetworks()) {
      networks.set(status.state, (networks.get(status.state) ?? 0) + 1);
      endpoints.set(spec.name, new Map());
    }
    for (const { spec, status } of this.state.listEndpoints()) {
      const counts = endpoints.get(spec.network) ?? new Map<EndpointState, number>();
      counts.set(status.state, (counts.get(status.state) ?? 0) + 1);
      endpoints.set(spec.network, counts);
    }
    return { networks, endpoints, revision: this.state.revision() };
  }
}
