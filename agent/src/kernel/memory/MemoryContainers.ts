import type { NetnsRef } from '../../domain/model';
import { netnsIdentity } from '../../domain/netnsIdentity';
import type { AttachEndpointOptions, EndpointObservation, LinkInfo } from '../../domain/ports/LinkDriver';
import { hostsOwnNetns, notANetns, unopenedPath } from '../netnsRefusals';
import * as refusals from './kernelRefusals';
import { MemoryNamespace } from './MemoryNamespace';

/** The refs that lead to the host's own namespace here: init's pid, and the agent's own process's. */
const isHostsPid = (ref: NetnsRef) => 'pid' in ref && (ref.pid === 1 || ref.pid === process.pid);

/** A macvlan in a container's netns, and its lower, on the host. */
interface ContainedLink {
  ns: MemoryNamespace;
  link: LinkInfo;
  lower: LinkInfo;
}

/**
 * The containers' namespaces of the in-memory kernel, by name or pid. A macvlan in one has its lower on
 * the host: it shows no parent there (as the kernel shows link_netnsid), goes with its lower, and counts
 * among the lower's macvlans. Refs are opened as the real kernel's NetnsOpener opens them: a file that
 * is no netns, the host's own namespace and a stored path are refused, with its words.
 */
export class MemoryContainers {
  private readonly namespaces = new Map<string, MemoryNamespace>();
  /** Names under /var/run/netns whose file is no network namespace (a FIFO, a regular file...). */
  private readonly notNamespaces = new Set<string>();
  private contained: ContainedLink[] = [];
  /** The nsid each followed netns has in the host namespace; the kernel frees it when the netns dies. */
  private readonly nsids = new Map<MemoryNamespace, number>();

  /** `macBusy` tells whether a macvlan may not go up with its MAC (MemoryHost.macBusy). */
  constructor(
    private readonly nextIndex: () => number,
    private readonly macBusy: (lower: LinkInfo, link: LinkInfo) => boolean,
  ) {}

  add(ref: NetnsRef): void {
    const key = netnsIdentity(ref);
    if (this.namespaces.has(key)) throw new Error(`MemoryDriver: netns ${key} exists`);
    this.namespaces.set(key, MemoryNamespace.withLoopback(this.nextIndex()));
  }

  /** A file that is no network namespace appears where a named netns would be. */
  addNotANetns(name: string): void {
    this.notNamespaces.add(netnsIdentity({ name }));
  }

  /** The namespace a ref leads to, as NetnsOpener.open: undefined when none, refused when not a container's. */
  open(ref: NetnsRef): MemoryNamespace | undefined {
    if ('path' in ref) throw unopenedPath(ref);
    if (this.notNamespaces.has(netnsIdentity(ref))) throw notANetns(ref);
    if (isHostsPid(ref)) throw hostsOwnNetns(ref);
    return this.find(ref);
  }

  /** The netns goes, and the macvlans in it with it (the kernel deletes virtual links of a dying netns). */
  remove(ref: NetnsRef): void {
    const ns = this.namespaces.get(netnsIdentity(ref));
    this.namespaces.delete(netnsIdentity(ref));
    this.contained = this.contained.filter((m) => m.ns !== ns);
    if (ns) this.nsids.delete(ns);
  }

  find(ref: NetnsRef): MemoryNamespace | undefined {
    return this.namespaces.get(netnsIdentity(ref));
  }

  /**
   * `ip netns set NAME auto`: the netns gets the lowest nsid free in the host namespace (the kernel
   * reuses those of dead namespaces), or keeps the one it has; undefined when it does not exist.
   */
  follow(ref: NetnsRef): number | undefined {
    const ns = this.find(ref);
    if (!ns) return undefined;
    const known = this.nsids.get(ns);
    if (known !== undefined) return known;
    const taken = new Set(this.nsids.values());
    let nsid = 0;
    while (taken.has(nsid)) nsid++;
    this.nsids.set(ns, nsid);
    return nsid;
  }

  /** The namespaces that have an nsid in the host namespace, by nsid. */
  followed(): Map<number, MemoryNamespace> {
    return new Map([...this.nsids].map(([ns, nsid]) => [nsid, ns]));
  }

  /** The macvlans on `lower` that live in containers. */
  linksOn(lower: LinkInfo): LinkInfo[] {
    return this.contained
      .filter((m) => m.lower === lower && m.ns.links.get(m.link.name) === m.link)
      .map((m) => m.link);
  }

  /** The kernel deletes a macvlan with its lower, whichever netns it is in. */
  removeLinksOn(lower: LinkInfo): void {
    for (const m of this.contained.filter((x) => x.lower === lower)) m.ns.remove(m.link.name);
    this.contained = this.contained.filter((m) => m.lower !== lower);
  }

  /** A contained macvlan's carrier follows its lower on the host. */
  refreshOperStates(lower: LinkInfo): void {
    for (const link of this.linksOn(lower)) link.operState = operStateOver(link, lower);
  }

  /** A macvlan made right inside a container's netns, whose lower is `lower` on the host. */
  adopt(ns: MemoryNamespace, link: LinkInfo, lower: LinkInfo): void {
    this.contained.push({ ns, link, lower });
  }

  /**
   * The container side of an attach, in the order of the real driver's requests (netlink/NetlinkAttacher):
   * rename, addresses, up, default routes (the mark came with the link). On a failure the link is
   * removed under the name it then has, and the refusal thrown.
   */
  configure(action: string, ns: MemoryNamespace, o: AttachEndpointOptions): void {
    try {
      ns.rename(action, o.tmpName, o.ifname);
    } catch (err) {
      ns.remove(o.tmpName);
      throw err;
    }
    try {
      for (const cidr of o.addresses) ns.addAddress(action, o.ifname, cidr, false);
      this.setUp(action, ns.links.get(o.ifname)!);
      for (const gateway of o.gateways) {
        const family = gateway.includes(':') ? 6 : 4;
        ns.addRoute(action, { family, destination: 'default', gateway, dev: o.ifname }, false);
      }
    } catch (err) {
      ns.remove(o.ifname);
      throw err;
    }
  }

  private setUp(action: string, link: LinkInfo): void {
    const lower = this.contained.find((m) => m.link === link)?.lower;
    if (lower && this.macBusy(lower, link)) throw refusals.refuse(action, refusals.EADDRINUSE);
    link.adminUp = true;
    link.operState = lower ? operStateOver(link, lower) : 'UNKNOWN';
  }

  inspect(ns: MemoryNamespace | undefined, ifname: string): EndpointObservation {
    const link = ns?.links.get(ifname);
    if (!ns) return { netnsExists: false };
    const netnsInstance = { ...ns.instance };
    return link
      ? { netnsExists: true, netnsInstance, link: { ...link, addresses: ns.addressesOf(ifname) } }
      : { netnsExists: true, netnsInstance };
  }
}

function operStateOver(link: LinkInfo, lower: LinkInfo): string {
  if (!link.adminUp) return 'DOWN';
  return ['UP', 'UNKNOWN'].includes(lower.operState) ? 'UP' : 'LOWERLAYERDOWN';
}
