import type { NetnsRef } from '../domain/model';
import type {
  AttachEndpointOptions,
  CreateDummyOptions,
  CreateMacvlanOptions,
  CreateVlanOptions,
  EndpointObservation,
  KernelCapabilities,
  LinkDriver,
  LinkInfo,
} from '../domain/ports/LinkDriver';
import { HostLinks } from './iproute2/HostLinks';
import { probeCapabilities } from './iproute2/probeCapabilities';
import { endpointAction } from './endpointActions';
import type { KernelLogger } from './kernelLogger';
import { checkNetnsRef } from './linkArgumentChecks';
import * as containers from './netlink/containerLinks';
import { NetlinkAttacher } from './netlink/NetlinkAttacher';
import { netnsExists } from './resolveNetns';

export interface LinuxDriverOptions {
  /** The named netns (`ip netns`) that is this driver's host; the caller's own namespace when absent. */
  netns?: string;
  logger?: KernelLogger;
}

/**
 * The LinkDriver on a real kernel, one transport per side. The host namespace's links go through
 * iproute2 (HostLinks: one long-lived `ip -batch` process). Everything in a container's netns goes over
 * rtnetlink, with no process: an attach, the hot path of every container start (NetlinkAttacher, from
 * a socket in the host netns and one in the container's), and the reads and removals of
 * containerLinks. The capability probe runs `ip` in a throwaway netns of its own. close() ends the
 * batch process and the host's netlink socket.
 */
export class LinuxDriver implements LinkDriver {
  private readonly logger?: KernelLogger;
  private readonly host: HostLinks;
  private readonly attacher: NetlinkAttacher;

  constructor(opts: LinuxDriverOptions = {}) {
    this.logger = opts.logger;
    this.host = new HostLinks(opts.netns, opts.logger);
    this.attacher = new NetlinkAttacher(opts.netns, opts.logger);
  }

  listLinks = (): Promise<LinkInfo[]> => this.host.listLinks();
  getLink = (name: string): Promise<LinkInfo | undefined> => this.host.getLink(name);
  createVlan = (o: CreateVlanOptions): Promise<void> => this.host.createVlan(o);
  createDummy = (o: CreateDummyOptions): Promise<void> => this.host.createDummy(o);
  createMacvlan = (o: CreateMacvlanOptions): Promise<void> => this.host.createMacvlan(o);
  deleteLink = (name: string): Promise<void> => this.host.deleteLink(name);
  setLinkUp = (name: string): Promise<void> => this.host.setLinkUp(name);
  setPromiscuous = (name: string, on: boolean): Promise<void> => this.host.setPromiscuous(name, on);
  addAddress = (name: string, cidr: string): Promise<void> => this.host.addAddress(name, cidr);
  replaceRoute = (destination: string, dev: string): Promise<void> =>
    this.host.replaceRoute(destination, dev);
  deleteRoute = (destination: string, dev: string): Promise<void> => this.host.deleteRoute(destination, dev);

  attachEndpoint = (o: AttachEndpointOptions): Promise<void> => this.attacher.attachEndpoint(o);
  detachEndpoint = (netns: NetnsRef, ifname: string, alias: string): Promise<void> =>
    containers.detachEndpoint(netns, ifname, alias, this.logger);
  inspectEndpoint = (netns: NetnsRef, ifname: string): Promise<EndpointObservation> =>
    containers.inspectEndpoint(netns, ifname);
  removeTempLink = (netns: NetnsRef, name: string): Promise<void> => containers.removeTempLink(netns, name);
  listLinkNamesIn = (netns: NetnsRef): Promise<string[]> => containers.listLinkNamesIn(netns);

  /** The netns file is there: no process, no socket. */
  async netnsExists(netns: NetnsRef): Promise<boolean> {
    checkNetnsRef(endpointAction.lookUp(netns), netns);
    return netnsExists(netns);
  }

  async probeCapabilities(): Promise<KernelCapabilities> {
    const caps = await probeCapabilities();
    this.logger?.debug({ capabilities: caps }, 'probed kernel capabilities');
    return caps;
  }

  async close(): Promise<void> {
    this.attacher.close();
    await this.host.close();
  }
}
