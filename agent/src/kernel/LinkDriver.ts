/**
 * The kernel seam. Everything the agent does to the kernel goes through a LinkDriver, so the domain can
 * be tested on an in-memory kernel, and one contract suite (test/contract) keeps that fake honest
 * against the iproute2 driver on a real kernel.
 *
 * A driver works on one "host" network namespace (the root one, or a named one); container namespaces
 * are addressed explicitly by a NetnsRef.
 */

/** The macvlan modes of ip-link(8). */
export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';

/** A network namespace other than the host's: a name under /var/run/netns, a path, or a pid. */
export type NetnsRef = { name: string } | { path: string } | { pid: number };

/** What the driver observes of one link. */
export interface LinkInfo {
  name: string;
  index: number;
  /** `ip -d` linkinfo kind: "vlan", "macvlan", "veth", "dummy", "bond", "bridge"; "" for a physical NIC. */
  kind: string;
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

/**
 * Failure of a kernel operation. `argv`, `exitCode` and `stderr` are for the logs; `message` is short
 * and fit for the caller.
 */
export class KernelError extends Error {
  constructor(
    message: string,
    readonly argv: readonly string[] = [],
    readonly exitCode?: number,
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'KernelError';
  }
}

/** The kernel operations the agent needs. Deletes are idempotent: a missing link is success. */
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
  /** Probes, without changing the host namespace, which link kinds the kernel supports. */
  probeCapabilities(): Promise<KernelCapabilities>;
  /** Releases long-lived resources (processes). */
  close(): Promise<void>;
}
