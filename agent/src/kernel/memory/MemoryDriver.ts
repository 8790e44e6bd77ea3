import { KernelError } from '../../domain/errors';
import type { HostAddressing, NetnsInstance } from '../../domain/model';
import { describeNetnsRef, sameNetns } from '../../domain/netnsIdentity';
import type {
  AttachEndpointOptions,
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  EndpointObservation,
  KernelCapabilities,
  LinkDriver,
  LinkInfo,
  NetnsObservation,
  NetnsRef,
} from '../../domain/ports/LinkDriver';
import { type ArpProbeOptions, checkArpProbe, probedLinkCarries } from '../arpProbeRules';
import { attachAction, checkAttachOptions, endpointAction } from '../endpointActions';
import { checkCidr, checkIfname, checkNetnsRef, checkPrefix } from '../linkArgumentChecks';
import { replacedNetns } from '../netnsRefusals';
import type { DriverMethod } from './InjectedFailures';
import * as refusals from './kernelRefusals';
import { MemoryKernel, type MemoryKernelOptions } from './MemoryKernel';

export type { MemoryLinkSeed } from './MemoryKernel';
export type MemoryDriverOptions = MemoryKernelOptions;

/**
 * The LinkDriver of the in-memory kernel, for the application's tests: it refuses what the real one
 * refuses with the same KernelError messages (the contract suite runs against both).
 */
export class MemoryDriver extends MemoryKernel implements LinkDriver {
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
  async attachEndpoint(o: AttachEndpointOptions): Promise<NetnsInstance> {
    const action = attachAction(o);
    this.failures.check('attachEndpoint', action);
    checkAttachOptions(action, o);
    const ns = this.containers.open(o.netns);
    if (!ns) throw new KernelError(`cannot ${action}: no such netns`);
    if (o.netnsInstance && !sameNetns(o.netnsInstance, ns.instance)) throw replacedNetns(o.netns);
    const { tmpName: name, parent, mac, alias } = o;
    this.host.newMacvlan({ action, name, parent, mac, alias, mtu: o.mtu || undefined }, o.mode, ns);
    this.reportChanges(); // the link under its temporary name: a request of its own on a real kernel
    try {
      this.containers.configure(action, ns, o);
    } finally {
      this.reportChanges(); // renamed and configured, or removed by a failed configure
    }
    this.changes.push(`attachEndpoint ${describeNetnsRef(o.netns)} ${o.ifname}`);
    return { ...ns.instance };
  }

  async detachEndpoint(
    netns: NetnsRef,
    ifname: string,
    alias: string,
    instance?: NetnsInstance,
  ): Promise<void> {
    const action = endpointAction.detach(netns, ifname);
    const ns = this.container('detachEndpoint', action, netns, ifname);
    if (instance && ns && !sameNetns(instance, ns.instance)) return;
    if (alias === '' || ns?.links.get(ifname)?.alias !== alias) return;
    ns.remove(ifname);
    this.record(`detachEndpoint ${describeNetnsRef(netns)} ${ifname}`);
  }

  async inspectEndpoint(netns: NetnsRef, ifname: string): Promise<EndpointObservation> {
    const ns = this.container('inspectEndpoint', endpointAction.inspect(netns, ifname), netns, ifname);
    return this.containers.inspect(ns, ifname);
  }

  async inspectNetns(netns: NetnsRef): Promise<NetnsObservation> {
    const ns = this.container('inspectNetns', endpointAction.listLinks(netns), netns);
    if (!ns) return { netnsExists: false, links: [] };
    const links = [...ns.links.values()].sort((a, b) => a.index - b.index).map((l) => ({ ...l }));
    return { netnsExists: true, netnsInstance: { ...ns.instance }, links };
  }

  async netnsInstance(netns: NetnsRef): Promise<NetnsInstance | undefined> {
    const ns = this.container('netnsInstance', endpointAction.lookUp(netns), netns);
    return ns && { ...ns.instance };
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

  async addRoute(destination: string, dev: string): Promise<void> {
    const action = `add route ${destination} on ${dev}`;
    this.failures.check('addRoute', action);
    checkIfname(action, 'dev', dev);
    const family = checkPrefix(action, 'destination', destination);
    if (this.host.routeDevOf(family, destination) === dev && this.links.has(dev)) return;
    this.host.addRoute(action, { family, destination, dev }, false);
    this.record(`addRoute ${destination} ${dev}`);
  }

  async deleteRoute(destination: string, dev: string): Promise<void> {
    const action = `delete route ${destination} on ${dev}`;
    this.failures.check('deleteRoute', action);
    checkIfname(action, 'dev', dev);
    checkPrefix(action, 'destination', destination);
    if (this.host.deleteRoute(destination, dev)) this.record(`deleteRoute ${destination} ${dev}`);
  }

  async readHostAddressing(): Promise<HostAddressing> {
    this.failures.check('readHostAddressing', 'read the host addressing');
    return this.host.addressing();
  }

  /**
   * Checked and refused as the real one; true when a station answers on the link (answerArp) and the
   * link carries. Answered at once: a silent address does not take tries × intervalMs here.
   */
  async probeArp(link: string, address: string, options: ArpProbeOptions): Promise<boolean> {
    const action = checkArpProbe(link, address, options);
    this.failures.check('probeArp', action);
    return probedLinkCarries(action, link, this.links.get(link)) && this.answersArp(link, address);
  }

  async probeCapabilities(): Promise<KernelCapabilities> {
    this.failures.check('probeCapabilities', 'probe kernel capabilities');
    return { ...this.capabilities };
  }

  async close(): Promise<void> {}

  /** The checks of a container operation, then its netns (undefined when missing). */
  private container(method: DriverMethod, action: string, netns: NetnsRef, ifname?: string) {
    this.failures.check(method, action);
    checkNetnsRef(action, netns);
    if (ifname !== undefined) checkIfname(action, 'dev', ifname);
    return this.containers.open(netns);
  }

  private existing(method: DriverMethod, action: string, name: string): LinkInfo {
    this.failures.check(method, action);
    checkIfname(action, 'dev', name);
    const link = this.links.get(name);
    if (!link) throw refusals.refuse(action, refusals.noDevice(name), 1);
    return link;
  }
}
