import { KernelError } from '../domain/errors';
import type { HostAddressing, NetnsInstance, NetnsRef } from '../domain/model';
import type { ArpProbeOptions } from './arpProbeRules';
import { samePrefix } from './samePrefix';
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
} from '../domain/ports/LinkDriver';
import { HostLinks } from './iproute2/HostLinks';
import { probeCapabilities } from './iproute2/probeCapabilities';
import type { KernelLogger } from './kernelLogger';
import { ContainerLinks } from './netlink/ContainerLinks';
import { ArpProber } from './netlink/ArpProber';
import { HostSocket } from './netlink/HostSocket';
import { NetlinkAttacher } from './netlink/NetlinkAttacher';
import { readHostAddressing } from './netlink/readHostAddressing';
import { NetnsOpener } from './NetnsOpener';

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
 * ContainerLinks; NetnsOpener opens a container's netns only when it is one, and never the host's.
 * An ARP probe goes out of a macvlan in a namespace of its own (ArpProber), also with no process. The
 * capability probe runs `ip` in a throwaway netns of its own. close() ends the batch process and the
 * host's netlink socket.
 */
export class LinuxDriver implements LinkDriver {
  private readonly logger?: KernelLogger;
  private readonly host: HostLinks;
  private readonly attacher: NetlinkAttacher;
  private readonly containers: ContainerLinks;
  private readonly hostSocket: HostSocket;
  private readonly arp: ArpProber;

  constructor(opts: LinuxDriverOptions = {}) {
    this.logger = opts.logger;
    this.host = new HostLinks(opts.netns, opts.logger);
    this.hostSocket = new HostSocket(opts.netns);
    const namespaces = new NetnsOpener(opts.netns);
    this.attacher = new NetlinkAttacher(this.hostSocket, namespaces, opts.logger);
    this.containers = new ContainerLinks(namespaces, opts.logger);
    this.arp = new ArpProber(this.hostSocket, opts.logger);
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
  /**
   * `route add` through iproute2; when the kernel says the route exists, the host's routes (netlink)
   * tell the same route (success) from one through another link (not the agent's: the refusal stands).
   */
  async addRoute(destination: string, dev: string): Promise<void> {
    try {
      await this.host.addRoute(destination, dev);
    } catch (err) {
      if (!(err instanceof KernelError && err.stderr.includes('File exists'))) throw err;
      const same = samePrefix(destination);
      const { routes } = readHostAddressing(this.hostSocket.get());
      if (!routes.some((r) => r.dev === dev && same(r.destination))) throw err;
    }
  }
  deleteRoute = (destination: string, dev: string): Promise<void> => this.host.deleteRoute(destination, dev);

  attachEndpoint = (o: AttachEndpointOptions): Promise<NetnsInstance> => this.attacher.attachEndpoint(o);
  detachEndpoint = (
    netns: NetnsRef,
    ifname: string,
    alias: string,
    instance?: NetnsInstance,
  ): Promise<void> => this.containers.detachEndpoint(netns, ifname, alias, instance);
  inspectEndpoint = (netns: NetnsRef, ifname: string): Promise<EndpointObservation> =>
    this.containers.inspectEndpoint(netns, ifname);
  /** One open of the netns, one RTM_GETLINK dump (ContainerLinks). */
  inspectNetns = (netns: NetnsRef): Promise<NetnsObservation> => this.containers.inspectNetns(netns);
  removeTempLink = (netns: NetnsRef, name: string): Promise<void> =>
    this.containers.removeTempLink(netns, name);
  listLinkNamesIn = (netns: NetnsRef): Promise<string[]> => this.containers.listLinkNamesIn(netns);
  /** The netns opened and checked, then closed: no process. */
  netnsExists = (netns: NetnsRef): Promise<boolean> => this.containers.netnsExists(netns);
  netnsInstance = (netns: NetnsRef): Promise<NetnsInstance | undefined> =>
    this.containers.netnsInstance(netns);

  /** From a macvlan in a namespace of its own, over an AF_PACKET socket (ArpProber): no process. */
  probeArp = (link: string, address: string, options: ArpProbeOptions): Promise<boolean> =>
    this.arp.probe(link, address, options);

  async probeCapabilities(): Promise<KernelCapabilities> {
    const caps = await probeCapabilities();
    this.logger?.debug({ capabilities: caps }, 'probed kernel capabilities');
    return caps;
  }

  /** Three dumps on the host's netlink socket. */
  async readHostAddressing(): Promise<HostAddressing> {
    return readHostAddressing(this.hostSocket.get());
  }

  async close(): Promise<void> {
    this.hostSocket.close();
    await this.host.close();
  }
}
