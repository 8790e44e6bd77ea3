import { describeNetnsRef } from '../../domain/netnsIdentity';
import type { KernelCapabilities, LinkInfo, NetnsRef } from '../../domain/ports/LinkDriver';
import { InjectedFailures, type DriverMethod } from './InjectedFailures';
import { MemoryContainers } from './MemoryContainers';
import { MemoryHost } from './MemoryHost';
import { MemoryLinkChanges } from './MemoryLinkChanges';
import type { MemoryLinkSeed } from './MemoryNamespace';

export type { MemoryLinkSeed } from './MemoryNamespace';

export interface MemoryKernelOptions {
  /** E.g. `[{ name: 'eth0', kind: '', mtu: 1500 }]`. */
  links?: MemoryLinkSeed[];
  /** What the pretend kernel supports; everything unless told otherwise. */
  capabilities?: Partial<KernelCapabilities>;
}

const ALL_CAPABILITIES: KernelCapabilities = {
  vlan8021q: true,
  macvlan: true,
  dummy: true,
  bonding: true,
  vlanFilteringBridge: true,
};

/**
 * The in-memory kernel's state: the host namespace and the containers' (links, addresses, routes), its
 * change notifications, and what tests do to it behind the agent's back. MemoryDriver is the
 * LinkDriver on top of it.
 */
export class MemoryKernel {
  /** The changes made through the driver, in order (`createMacvlan mv0`), for tests to assert on. */
  readonly changes: string[] = [];
  protected readonly containers = new MemoryContainers(
    () => this.nextIndex++,
    (lower, link) => this.host.macBusy(lower, link),
  );
  protected readonly host: MemoryHost;
  protected readonly links: Map<string, LinkInfo>;
  protected readonly capabilities: KernelCapabilities;
  protected readonly failures = new InjectedFailures();
  /** Who answers ARP where, as `LINK ADDRESS`: the stations on the wires of the host's links. */
  private readonly arpAnswers = new Set<string>();
  /** The open change sources, told of every change the kernel makes. */
  private readonly sources = new Set<MemoryLinkChanges>();
  protected nextIndex = 1;

  constructor(opts: MemoryKernelOptions = {}) {
    this.capabilities = { ...ALL_CAPABILITIES, ...opts.capabilities };
    this.host = new MemoryHost(this.capabilities, this.containers, () => this.nextIndex++);
    this.links = this.host.links;
    for (const seed of opts.links ?? []) this.addLinkBehindBack(seed);
  }

  /** The kernel's change notifications (rtnetlink multicast): each call opens a source, as another monitor would. */
  linkChanges(): MemoryLinkChanges {
    return new MemoryLinkChanges(this.host, this.containers, this.sources);
  }

  /** Test helper: a link appears as if somebody else made it, on the host or in a container's netns. */
  addLinkBehindBack(seed: MemoryLinkSeed, netns?: NetnsRef): void {
    const ns = this.namespace(netns);
    if (!ns) throw new Error(`MemoryDriver: no netns ${describeNetnsRef(netns!)}`);
    ns.seed(seed, this.nextIndex++);
    this.reportChanges();
  }

  /** Test helper: a link disappears behind the driver's back (on the host, with the links on it). */
  removeLinkBehindBack(name: string, netns?: NetnsRef): void {
    if (netns === undefined) this.host.removeStack(name);
    else this.containers.find(netns)?.remove(name);
    this.reportChanges();
  }

  /** Test helper: somebody sets a host link down (`ip link set down`); stacked links lose their carrier. */
  setLinkDownBehindBack(name: string): void {
    this.host.setDown(this.hostLink(name));
    this.reportChanges();
  }

  /** Test helper: a container's netns appears (with its loopback), e.g. `{ name: 'c1' }` or `{ pid: 42 }`. */
  addNetnsBehindBack(netns: NetnsRef): void {
    this.containers.add(netns);
    this.reportChanges();
  }

  /** Test helper: a file that is no network namespace appears as /var/run/netns/NAME. */
  addNotANetnsBehindBack(name: string): void {
    this.containers.addNotANetns(name);
  }

  /** Test helper: a container's netns goes away, and the endpoints' links in it with it. */
  removeNetnsBehindBack(netns: NetnsRef): void {
    this.containers.remove(netns);
    this.reportChanges();
  }

  /** Test helper: the addresses of a host link (CIDR form, in the order they came). */
  addressesOf(name: string): string[] {
    return this.host.addressesOf(name);
  }

  /** Test helper: the routes of the host (`netns` absent) or of a container, as `DEST [via GW] dev NAME`. */
  routesIn(netns?: NetnsRef): string[] {
    return this.namespace(netns)?.describeRoutes() ?? [];
  }

  /** Test helper: the kernel reports a new operstate (a cable pulled: "DOWN"); stacked links follow. */
  setOperState(name: string, operState: string): void {
    this.host.setOperState(this.hostLink(name), operState);
    this.reportChanges();
  }

  /**
   * Test helper: a station on the wire of host link `link` (say a gateway on VLAN 10 behind `eth0.10`)
   * answers ARP for `address` from now on; the link need not exist yet. Probes hear it while the link
   * is up with its lower.
   */
  answerArp(link: string, address: string): void {
    this.arpAnswers.add(`${link} ${address}`);
  }

  /** Test helper: the station answering for `address` on `link` goes silent (unplugged, or gone). */
  stopAnsweringArp(link: string, address: string): void {
    this.arpAnswers.delete(`${link} ${address}`);
  }

  /** Whether a station answers ARP for `address` on the wire of `link`. */
  protected answersArp(link: string, address: string): boolean {
    return this.arpAnswers.has(`${link} ${address}`);
  }

  /** Test helper: the next call of `method` fails as iproute2 would with this stderr line. */
  failNext(method: DriverMethod, stderr = 'RTNETLINK answers: No buffer space available'): void {
    this.failures.failNext(method, stderr);
  }

  /** A change made through the driver: recorded, and told to the change sources. */
  protected record(change: string): void {
    this.changes.push(change);
    this.reportChanges();
  }

  /** The host namespace, or a container's; undefined when there is no such netns. */
  private namespace(netns?: NetnsRef) {
    return netns === undefined ? this.host : this.containers.find(netns);
  }

  /** A host link a test helper names: a missing one is the test's mistake. */
  protected hostLink(name: string): LinkInfo {
    const link = this.links.get(name);
    if (!link) throw new Error(`MemoryDriver: no link ${name}`);
    return link;
  }

  protected reportChanges(): void {
    for (const source of this.sources) source.kernelChanged();
  }
}
