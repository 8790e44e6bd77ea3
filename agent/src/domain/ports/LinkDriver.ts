/**
 * The kernel port. Everything the agent does to the kernel goes through a LinkDriver, which kernel/
 * implements: LinuxDriver on a real kernel, MemoryDriver in memory (the application is tested on it),
 * and one contract suite (test/contract) keeps that fake honest against the real one.
 *
 * A driver works on one "host" network namespace (the root one, or a named one); container namespaces
 * are addressed explicitly by a NetnsRef.
 */
import type { HostAddressing, MacvlanMode, NetnsInstance, NetnsRef } from '../model';

export type { HostAddressing, MacvlanMode, NetnsInstance, NetnsRef };

/** What the driver observes of one link. */
export interface LinkInfo {
  name: string;
  index: number;
  /** `ip -d` linkinfo kind: "vlan", "macvlan", "veth", "dummy", "bond", "bridge"; "" for a physical NIC. */
  kind: string;
  /** `ip` link_type, the hardware type: "ether" for Ethernet (what a macvlan needs below it), "loopback"... */
  linkType: string;
  mtu: number;
  /** Administratively up (IFF_UP). */
  adminUp: boolean;
  /** operstate as the kernel reports it: "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN", ... */
  operState: string;
  mac: string;
  /** The lower link (vlan, macvlan) by name, when it is in the same namespace. */
  parent?: string;
  /** The bond or bridge this link is enslaved to. */
  master?: string;
  /** The 802.1q id of a vlan link. */
  vlanId?: number;
  /** The mode of a macvlan link. */
  macvlanMode?: MacvlanMode;
  /** The link alias (`ip link set dev X alias Y`): where the agent keeps its mark. */
  alias?: string;
  promiscuous: boolean;
}

/** What the running kernel can do, probed once. */
export interface KernelCapabilities {
  vlan8021q: boolean;
  macvlan: boolean;
  dummy: boolean;
  bonding: boolean;
  vlanFilteringBridge: boolean;
}

export interface CreateVlanOptions {
  name: string;
  parent: string;
  vlanId: number;
  alias: string;
  mtu?: number;
}

export interface CreateDummyOptions {
  name: string;
  alias: string;
  mtu?: number;
}

export interface CreateMacvlanOptions {
  name: string;
  parent: string;
  mode: MacvlanMode;
  alias: string;
  mtu?: number;
  mac?: string;
}

/** A container's side of an endpoint: a macvlan moved into the container's netns and configured there. */
export interface AttachEndpointOptions {
  /** The name the link is made with, inside the container netns, before its rename to ifname: unique, at most 15 bytes. */
  tmpName: string;
  /** The host-side parent (a NIC, bond, sub-interface or dummy). */
  parent: string;
  mode: MacvlanMode;
  mac: string;
  /** 0 or undefined: the parent's. */
  mtu?: number;
  /** The agent's mark; it stays on the link across the move. */
  alias: string;
  netns: NetnsRef;
  /** The name inside the container ("eth0"). */
  ifname: string;
  /** CIDR form: "192.168.0.3/24", "2001:db8::3/64". IPv6 addresses are added without DAD. */
  addresses: string[];
  /** Default routes' gateways, at most one per family; none for an internal network. */
  gateways: string[];
  /**
   * Attach only into this namespace: when `netns` names another now, NetnsReplacedError, and nothing
   * is made (the agent's own re-attaches; a client's attach goes wherever its ref leads).
   */
  netnsInstance?: NetnsInstance;
}

/** What the kernel shows of an endpoint's link inside its container's namespace. */
export interface EndpointObservation {
  /** The netns exists (a named one, or a live pid's). */
  netnsExists: boolean;
  /** Which namespace it is, when it exists. */
  netnsInstance?: NetnsInstance;
  /** The link named ifname in that netns, when there is one. */
  link?: LinkInfo & { addresses: string[] };
}

/** What one look into a container's netns shows: which namespace it is, and every link in it. */
export interface NetnsObservation {
  /** The netns exists (a named one, or a live pid's). */
  netnsExists: boolean;
  /** Which namespace it is, when it exists. */
  netnsInstance?: NetnsInstance;
  /** Every link in it, without addresses; none when it does not exist. */
  links: LinkInfo[];
}

/**
 * The kernel operations the agent needs. Deletes are idempotent: a missing link is success. A
 * container's netns is opened only if it is a network namespace, and never the host's own: anything
 * else is a PreconditionError, and nothing is done.
 */
export interface LinkDriver {
  /** The host namespace's links. */
  listLinks(): Promise<LinkInfo[]>;
  /** One link of the host namespace, or undefined when missing. */
  getLink(name: string): Promise<LinkInfo | undefined>;
  createVlan(opts: CreateVlanOptions): Promise<void>;
  createDummy(opts: CreateDummyOptions): Promise<void>;
  createMacvlan(opts: CreateMacvlanOptions): Promise<void>;
  deleteLink(name: string): Promise<void>;
  setLinkUp(name: string): Promise<void>;
  setPromiscuous(name: string, on: boolean): Promise<void>;
  /**
   * Makes an endpoint: a macvlan on `parent`, moved into the container's netns, renamed to `ifname`,
   * addressed, up, with default routes. On failure it removes what it made, on either side, and throws.
   * Returns the namespace it attached into.
   */
  attachEndpoint(opts: AttachEndpointOptions): Promise<NetnsInstance>;
  /**
   * Removes an endpoint's link from its container's netns, only when the link there carries `alias`
   * (another link named `ifname` is never touched), and, given `netnsInstance`, only in that namespace. A
   * missing netns or link is success.
   */
  detachEndpoint(
    netns: NetnsRef,
    ifname: string,
    alias: string,
    netnsInstance?: NetnsInstance,
  ): Promise<void>;
  /**
   * Removes a link the agent made in a container's netns under a temporary name (AttachEndpointOptions'
   * tmpName: random, nobody else's), left by an attach the agent died in. A missing netns or link is success.
   */
  removeTempLink(netns: NetnsRef, name: string): Promise<void>;
  /** Looks at an endpoint's link in its container's netns. */
  inspectEndpoint(netns: NetnsRef, ifname: string): Promise<EndpointObservation>;
  /**
   * Looks at every link of a container's netns at once: the netns opened once and its links read in
   * one dump, however many endpoints it holds (a restore checks all of a namespace's endpoints from it).
   */
  inspectNetns(netns: NetnsRef): Promise<NetnsObservation>;
  /** Which namespace a ref names now, undefined when none (cheap: no process), for noticing LOST endpoints. */
  netnsInstance(netns: NetnsRef): Promise<NetnsInstance | undefined>;
  /** Whether a ref names a container's namespace now, refused as netnsInstance refuses; cheaper still. */
  netnsExists(netns: NetnsRef): Promise<boolean>;
  /** Names of the links in a container's netns ([] when the netns is missing), to pick a free ifname. */
  listLinkNamesIn(netns: NetnsRef): Promise<string[]>;
  /** Adds an address (CIDR) to a host link; an address already there is success. */
  addAddress(name: string, cidr: string): Promise<void>;
  /**
   * Adds a route on the host to `destination` (CIDR) through link `dev`; the same route again is
   * success. A route to that destination through another link is not the agent's: it stays as it is,
   * and this fails (File exists).
   */
  addRoute(destination: string, dev: string): Promise<void>;
  /** Deletes a route on the host; a missing one is success. */
  deleteRoute(destination: string, dev: string): Promise<void>;
  /** The host's own addresses and main-table routes, to keep endpoints off them (no process). */
  readHostAddressing(): Promise<HostAddressing>;
  /**
   * Whether IPv4 `address` answers on host link `link` (a NIC, bond, sub-interface: what a network's
   * endpoints hang off): RFC 5227 ARP probes, sender protocol address 0.0.0.0, sent from a short-lived
   * macvlan on `link` in a network namespace of its own. It borrows no address and adds no route;
   * nothing of it is left. `tries` probes, `intervalMs` apart; true at the first reply from `address`.
   * A missing or non-Ethernet link is a PreconditionError.
   */
  probeArp(link: string, address: string, options: { tries: number; intervalMs: number }): Promise<boolean>;
  /** Probes, without changing the host namespace, which link kinds the kernel supports. */
  probeCapabilities(): Promise<KernelCapabilities>;
  /** Releases long-lived resources (processes). */
  close(): Promise<void>;
}
