import ipaddr from 'ipaddr.js';
import type { HostAddressing, NetnsInstance } from '../../domain/model';
import { LinkInfo } from '../../domain/ports/LinkDriver';
import * as refusals from './kernelRefusals';

/** A route of the in-memory kernel: to a prefix, or the default route of a family through a gateway. */
export interface MemoryRoute {
  family: 4 | 6;
  /** A prefix ("10.9.0.0/24") or "default". */
  destination: string;
  gateway?: string;
  /** The link itself, so that a rename keeps the route, and the link's removal takes it along. */
  dev: LinkInfo;
}

const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);
const localOf = (cidr: string) => cidr.split('/')[0];

/** A link that exists from the start (or appears behind the driver's back). Up, unless told otherwise. */
export type MemoryLinkSeed = Partial<LinkInfo> & { name: string };

/** One network namespace of the in-memory kernel: its links, their addresses, its routes. */
/** The nsfs device of the in-memory kernel's namespaces, the inode of the first (the host's), the cookies. */
const NSFS_DEV = 4;
let nextInode = 4026531840;
let nextCookie = 1;

export class MemoryNamespace {
  /** Which namespace this is: every namespace its own inode and cookie, never reused here. */
  readonly instance: NetnsInstance = { dev: NSFS_DEV, ino: nextInode++, cookie: String(nextCookie++) };
  readonly links = new Map<string, LinkInfo>();
  private readonly addresses = new Map<LinkInfo, string[]>();
  private routes: MemoryRoute[] = [];

  /** A fresh namespace has a loopback, down. */
  static withLoopback(index: number): MemoryNamespace {
    const ns = new MemoryNamespace();
    const lo = { name: 'lo', index, kind: '', mtu: 65536, adminUp: false, operState: 'DOWN' };
    ns.links.set('lo', { ...lo, mac: '00:00:00:00:00:00', promiscuous: false, linkType: 'loopback' });
    return ns;
  }

  /** A link appears as if somebody else made it (no checks beyond a free name). */
  seed(seed: MemoryLinkSeed, index: number): void {
    if (this.links.has(seed.name)) throw new Error(`MemoryDriver: link ${seed.name} exists`);
    const adminUp = seed.adminUp ?? true;
    const defaults = {
      index,
      kind: '',
      mtu: 1500,
      mac: refusals.randomMac(),
      promiscuous: false,
      linkType: 'ether',
    };
    this.links.set(seed.name, { ...defaults, adminUp, operState: adminUp ? 'UP' : 'DOWN', ...seed });
  }

  /** Removes a link with its addresses and the routes through it. */
  remove(name: string): LinkInfo | undefined {
    const link = this.links.get(name);
    if (!link) return undefined;
    this.links.delete(name);
    this.addresses.delete(link);
    this.routes = this.routes.filter((r) => r.dev !== link);
    return link;
  }

  /** `ip link set dev FROM name TO`: refused when TO is another link's name. */
  rename(action: string, from: string, to: string): void {
    const link = this.existing(action, from);
    if (from === to) return;
    if (this.links.has(to)) throw refusals.refuse(action, refusals.EEXIST);
    this.links.delete(from);
    link.name = to;
    this.links.set(to, link);
  }

  addressesOf(name: string): string[] {
    const link = this.links.get(name);
    return link ? [...(this.addresses.get(link) ?? [])] : [];
  }

  /**
   * `ip addr add` (replace false) or `ip addr replace`. The kernel tells IPv4 addresses apart by their
   * local address alone when adding, and by address and prefix when replacing.
   */
  addAddress(action: string, name: string, cidr: string, replace: boolean): void {
    const link = this.existing(action, name);
    const list = this.addresses.get(link) ?? [];
    if (list.includes(cidr) && replace) return;
    const v4Clash = familyOf(cidr) === 4 && list.some((a) => localOf(a) === localOf(cidr));
    if (!replace && v4Clash) throw refusals.refuse(action, refusals.IPV4_ADDRESS_TAKEN);
    if (!replace && list.includes(cidr)) throw refusals.refuse(action, refusals.EEXIST);
    this.addresses.set(link, [...list, cidr]);
  }

  /**
   * `ip route add` (replace false) or `ip route replace`: the link must be up, a gateway on one of its
   * subnets; one route per family and destination.
   */
  addRoute(action: string, route: Omit<MemoryRoute, 'dev'> & { dev: string }, replace: boolean): void {
    const dev = this.existing(action, route.dev);
    if (!dev.adminUp)
      throw refusals.refuse(
        action,
        route.family === 4 ? refusals.IPV4_ROUTE_DEV_DOWN : refusals.IPV6_ROUTE_DEV_DOWN,
      );
    if (route.gateway !== undefined && !this.isOnLink(dev, route.gateway)) {
      throw refusals.refuse(
        action,
        route.family === 4 ? refusals.IPV4_GATEWAY_OFF_LINK : refusals.IPV6_GATEWAY_OFF_LINK,
      );
    }
    const same = (r: MemoryRoute) => r.family === route.family && r.destination === route.destination;
    if (!replace && this.routes.some(same)) throw refusals.refuse(action, refusals.EEXIST);
    this.routes = [...this.routes.filter((r) => !same(r)), { ...route, dev }];
  }

  /** The link of the route to a destination of a family, when there is one. */
  routeDevOf(family: 4 | 6, destination: string): string | undefined {
    return this.routes.find((r) => r.family === family && r.destination === destination)?.dev.name;
  }

  /** The namespace's addresses and routes, as `ip addr` and `ip route` of the main table give them. */
  addressing(): HostAddressing {
    const addresses = [...this.links.values()].flatMap((link) =>
      (this.addresses.get(link) ?? []).map((cidr) => ({ dev: link.name, cidr })),
    );
    const routes = this.routes.map((r) => ({
      destination: r.destination,
      dev: r.dev.name,
      ...(r.gateway ? { gateway: r.gateway } : {}),
    }));
    return { addresses, routes };
  }

  /** `ip route del DESTINATION dev DEV`; returns whether there was such a route. */
  deleteRoute(destination: string, dev: string): boolean {
    const before = this.routes.length;
    this.routes = this.routes.filter((r) => !(r.destination === destination && r.dev.name === dev));
    return this.routes.length < before;
  }

  /** The routes, as `DESTINATION [via GATEWAY] dev NAME`, in the order they were made. */
  describeRoutes(): string[] {
    return this.routes.map(
      (r) => `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev.name}`,
    );
  }

  private existing(action: string, name: string): LinkInfo {
    const link = this.links.get(name);
    if (!link) throw refusals.refuse(action, refusals.noDevice(name), 1);
    return link;
  }

  private isOnLink(dev: LinkInfo, gateway: string): boolean {
    const address = ipaddr.parse(gateway);
    return (this.addresses.get(dev) ?? []).some((cidr) => {
      const subnet = ipaddr.parseCIDR(cidr);
      return subnet[0].kind() === address.kind() && address.match(subnet);
    });
  }
}
