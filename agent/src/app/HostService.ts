import type { KernelCapabilities, LinkDriver, LinkInfo } from '../domain/ports/LinkDriver';
import type { HostState } from '../domain/ports/HostState';

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
}
