import type { KernelCapabilities, LinkDriver, LinkInfo } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';

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
    private readonly store: Store,
  ) {}

  async getHost(): Promise<{ facts: HostFacts; links: LinkInfo[]; revision: number }> {
    return { facts: this.facts, links: await this.driver.listLinks(), revision: this.store.revision() };
  }
}
