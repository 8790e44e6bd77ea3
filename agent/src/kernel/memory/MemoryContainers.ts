import {
  AttachEndpointOptions,
  EndpointObservation,
  LinkInfo,
  NetnsRef,
} from '../../domain/ports/LinkDriver';
import { MemoryNamespace } from './MemoryNamespace';
import * as refusals from './kernelRefusals';

/**
 * One key per namespace, whichever way it is named: a named netns and its path under /var/run/netns
 * (or /run/netns) are the same, and so are a pid and its /proc/PID/ns/net.
 */
function namespaceKey(ref: NetnsRef): string {
  if ('pid' in ref) return `pid:${ref.pid}`;
  if ('name' in ref) return `name:${ref.name}`;
  const named = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(ref.path);
  if (named) return `name:${named[1]}`;
  const proc = /^\/proc\/(\d+)\/ns\/net$/.exec(ref.path);
  return proc ? `pid:${proc[1]}` : `path:${ref.path}`;
}

/** A macvlan in a container's netns, and its lower, on the host. */
interface ContainedLink {
  ns: MemoryNamespace;
  link: LinkInfo;
  lower: LinkInfo;
}

/**
 * The containers' namespaces of the in-memory kernel, keyed so that one netns named two ways (`c1`
 * and /var/run/netns/c1; a pid and /proc/PID/ns/net) is one. A macvlan in one has its lower on the
 * host: it shows no parent there (as the kernel shows link_netnsid), goes with its lower, and
 * counts among the lower's macvlans.
 */
export class MemoryContainers {
  private readonly namespaces = new Map<string, MemoryNamespace>();
  private contained: ContainedLink[] = [];
  /** The nsid each followed netns has in the host namespace; the kernel frees it when the netns dies. */
  private readonly nsids = new Map<MemoryNamespace, number>();

  /** `macBusy` tells whether a macvlan may not go up with its MAC (MemoryHost.macBusy). */
  constructor(
    private readonly nextIndex: () => number,
    private readonly macBusy: (lower: LinkInfo, link: LinkInfo) => boolean,
  ) {}

  add(ref: NetnsRef): void {
    const key = namespaceKey(ref);
    if (this.namespaces.has(key)) throw new Error(`MemoryDriver: netns ${key} exists`);
    this.namespaces.set(key, MemoryNamespace.withLoopback(this.nextIndex()));
  }

  /** The netns goes, and the macvlans in it with it (the kernel deletes virtual links of a dying netns). */
  remove(ref: NetnsRef): void {
    const ns = this.namespaces.get(namespaceKey(ref));
    this.namespaces.delete(namespaceKey(ref));
    this.contained = this.contained.filter((m) => m.ns !== ns);
    if (ns) this.nsids.delete(ns);
  }

  find(ref: NetnsRef): MemoryNamespace | undefined {
    return this.namespaces.get(namespaceKey(ref));
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
    return link
      ? { netnsExists: true, link: { ...link, addresses: ns.addressesOf(ifname) } }
      : { netnsExists: true };
  }
}

function operStateOver(link: LinkInfo, lower: LinkInfo): string {
  if (!link.adminUp) return 'DOWN';
  return ['UP', 'UNKNOWN'].includes(lower.operState) ? 'UP' : 'LOWERLAYERDOWN';
}
