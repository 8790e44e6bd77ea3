import { checkCidr, checkIfname, checkNetnsRef, checkPrefix } from '../linkArgumentChecks';
import { attachAction, checkAttachOptions, endpointAction } from '../endpointActions';
import {
  AttachEndpointOptions,
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  EndpointObservation,
  KernelCapabilities,
  LinkDriver,
  LinkInfo,
  NetnsRef,
} from '../../domain/ports/LinkDriver';
import { KernelError } from '../../domain/errors';
import { MemoryContainers } from './MemoryContainers';
import { MemoryHost } from './MemoryHost';
import { MemoryLinkChanges } from './MemoryLinkChanges';
import { MemoryLinkSeed } from './MemoryNamespace';
import { InjectedFailures, type DriverMethod } from './InjectedFailures';
import * as refusals from './kernelRefusals';
import { describeNetnsRef } from '../../domain/netnsIdentity';

export type { MemoryLinkSeed } from './MemoryNamespace';

export interface MemoryDriverOptions {
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
 * An in-memory kernel for domain tests, refusing what the real one refuses with the same KernelError
 * messages (the contract suite runs against both). The host namespace and the containers' are
 * modelled (links, addresses, routes); test helpers change them behind the agent's back.
 */
export class MemoryDriver implements LinkDriver {
  /** The changes made through the driver, in order (`createMacvlan mv0`), for tests to assert on. */
  readonly changes: string[] = [];
  private readonly containers = new MemoryContainers(
    () => this.nextIndex++,
    (lower, link) => this.host.macBusy(lower, link),
  );
  private readonly host: MemoryHost;
  private readonly links: Map<string, LinkInfo>;
  private readonly capabilities: KernelCapabilities;
  private readonly failures = new InjectedFailures();
  /** The open change sources, told of every change the kernel makes. */
  private readonly sources = new Set<MemoryLinkChanges>();
  private nextIndex = 1;

  constructor(opts: MemoryDriverOptions = {}) {
    this.capabilities = { ...ALL_CAPABILITIES, ...opts.capabilities };
    this.host = new MemoryHost(this.capabilities, this.containers, () => this.nextIndex++);
    this.links = this.host.links;
    for (const seed of opts.links ?? []) this.addLinkBehindBack(seed);
  }

  async listLinks(): Promise<LinkInfo[]> {
    this.failures.check('listLinks', 'list links');
    return [...this.links.values()].sort((a, b) => a.index - b.index).map((l) => ({ ...l }));
  }

  async getLink(name: string): Promise<LinkInfo | undefined> {
    const action = `read link ${name}`;
    this.failures.check('getLink', action);
    checkIfname(action, 'dev', name);
    const link = this.links.get(name);
    return link && { ...link };
  }

  async createVlan(o: CreateVlanOptions): Promise<void> {
    const action = `create vlan ${o.name}`;
    this.failures.check('createVlan', action);
    this.host.newVlan({ action, ...o }, o.vlanId);
    this.record(`createVlan ${o.name}`);
  }

  async createDummy(o: CreateDummyOptions): Promise<void> {
    const action = `create dummy ${o.name}`;
    this.failures.check('createDummy', action);
    this.host.newDummy({ action, ...o });
    this.record(`createDummy ${o.name}`);
  }

  async createMacvlan(o: CreateMacvlanOptions): Promise<void> {
    const action = `create macvlan ${o.name}`;
    this.failures.check('createMacvlan', action);
    this.host.newMacvlan({ action, ...o }, o.mode);
    this.record(`createMacvlan ${o.name}`);
  }

  async deleteLink(name: string): Promise<void> {
    const action = `delete link ${name}`;
    this.failures.check('deleteLink', action);
    checkIfname(action, 'dev', name);
    if (this.links.has(name)) {
      this.host.removeStack(name);
      this.record(`deleteLink ${name}`);
    }
  }

  async setLinkUp(name: string): Promise<void> {
    const action = `set link ${name} up`;
    this.host.setUp(action, this.existing('setLinkUp', action, name));
    this.record(`setLinkUp ${name}`);
  }

  async setPromiscuous(name: string, on: boolean): Promise<void> {
    this.existing('setPromiscuous', `set promiscuous mode of ${name}`, name).promiscuous = on;
    this.record(`setPromiscuous ${name} ${on ? 'on' : 'off'}`);
  }

  /** As the real driver: checks, the macvlan made right in the container's netns, then configured there. */
  async attachEndpoint(o: AttachEndpointOptions): Promise<void> {
    const action = attachAction(o);
    this.failures.check('attachEndpoint', action);
    checkAttachOptions(action, o);
    const ns = this.containers.find(o.netns);
    if (!ns) throw new KernelError(`cannot ${action}: no such netns`);
    const { tmpName: name, parent, mac, alias } = o;
    this.host.newMacvlan({ action, name, parent, mac, alias, mtu: o.mtu || undefined }, o.mode, ns);
    this.reportChanges(); // the link under its temporary name: a request of its own on a real kernel
    try {
      this.containers.configure(action, ns, o);
    } finally {
      this.reportChanges(); // renamed and configured, or removed by a failed configure
    }
    this.changes.push(`attachEndpoint ${describeNetnsRef(o.netns)} ${o.ifname}`);
  }

  async detachEndpoint(netns: NetnsRef, ifname: string, alias: string): Promise<void> {
    const action = endpointAction.detach(netns, ifname);
    const ns = this.container('detachEndpoint', action, netns, ifname);
    if (alias === '' || ns?.links.get(ifname)?.alias !== alias) return;
    ns.remove(ifname);
    this.record(`detachEndpoint ${describeNetnsRef(netns)} ${ifname}`);
  }

  async inspectEndpoint(netns: NetnsRef, ifname: string): Promise<EndpointObservation> {
    const ns = this.container('inspectEndpoint', endpointAction.inspect(netns, ifname), netns, ifname);
    return this.containers.inspect(ns, ifname);
  }

  async netnsExists(netns: NetnsRef): Promise<boolean> {
    return this.container('netnsExists', endpointAction.lookUp(netns), netns) !== undefined;
  }

  async removeTempLink(netns: NetnsRef, name: string): Promise<void> {
    const action = endpointAction.removeTemp(netns, name);
    checkIfname(action, 'dev', name);
    const ns = this.container('removeTempLink', action, netns, name);
    if (!ns?.links.has(name)) return;
    ns.remove(name);
    this.record(`removeTempLink ${describeNetnsRef(netns)} ${name}`);
  }

  async listLinkNamesIn(netns: NetnsRef): Promise<string[]> {
    const ns = this.container('listLinkNamesIn', endpointAction.listLinks(netns), netns);
    return [...(ns?.links.values() ?? [])].sort((a, b) => a.index - b.index).map((l) => l.name);
  }

  async addAddress(name: string, cidr: string): Promise<void> {
    const action = `add address ${cidr} to ${name}`;
    this.failures.check('addAddress', action);
    checkIfname(action, 'dev', name);
    checkCidr(action, 'address', cidr);
    this.host.addAddress(action, name, cidr, true);
    this.record(`addAddress ${name} ${cidr}`);
  }

  async replaceRoute(destination: string, dev: string): Promise<void> {
    const action = `replace route ${destination} on ${dev}`;
    this.failures.check('replaceRoute', action);
    checkIfname(action, 'dev', dev);
    const family = checkPrefix(action, 'destination', destination);
    this.host.addRoute(action, { family, destination, dev }, true);
    this.record(`replaceRoute ${destination} ${dev}`);
  }

  async deleteRoute(destination: string, dev: string): Promise<void> {
    const action = `delete route ${destination} on ${dev}`;
    this.failures.check('deleteRoute', action);
    checkIfname(action, 'dev', dev);
    checkPrefix(action, 'destination', destination);
    if (this.host.deleteRoute(destination, dev)) this.record(`deleteRoute ${destination} ${dev}`);
  }

  async probeCapabilities(): Promise<KernelCapabilities> {
    this.failures.check('probeCapabilities', 'probe kernel capabilities');
    return { ...this.capabilities };
  }

  async close(): Promise<void> {}

  /** The kernel's change notifications (`ip monitor`): each call opens a source, as another monitor would. */
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

  /** Test helper: the next call of `method` fails as iproute2 would with this stderr line. */
  failNext(method: DriverMethod, stderr = 'RTNETLINK answers: No buffer space available'): void {
    this.failures.failNext(method, stderr);
  }

  /** A change made through the driver: recorded, and told to the change sources. */
  private record(change: string): void {
    this.changes.push(change);
    this.reportChanges();
  }

  /** The host namespace, or a container's; undefined when there is no such netns. */
  private namespace(netns?: NetnsRef) {
    return netns === undefined ? this.host : this.containers.find(netns);
  }

  /** A host link a test helper names: a missing one is the test's mistake. */
  private hostLink(name: string): LinkInfo {
    const link = this.links.get(name);
    if (!link) throw new Error(`MemoryDriver: no link ${name}`);
    return link;
  }

  private reportChanges(): void {
    for (const source of this.sources) source.kernelChanged();
  }

  /** The checks of a container operation, then its netns (undefined when missing). */
  private container(method: DriverMethod, action: string, netns: NetnsRef, ifname?: string) {
    this.failures.check(method, action);
    checkNetnsRef(action, netns);
    if (ifname !== undefined) checkIfname(action, 'dev', ifname);
    return this.containers.find(netns);
  }

  private existing(method: DriverMethod, action: string, name: string): LinkInfo {
    this.failures.check(method, action);
    checkIfname(action, 'dev', name);
    const link = this.links.get(name);
    if (!link) throw refusals.refuse(action, refusals.noDevice(name), 1);
    return link;
  }
}
