/** The domain model: plain data, independent of the wire format and of the kernel. */

/** The macvlan modes of ip-link(8). */
export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';

/**
 * A container's network namespace, parsed once from what a caller wrote (parseNetnsRef): a name under
 * /var/run/netns, or a pid. One namespace has one ref however it was written. `path` is only what an
 * agent of an earlier version accepted and stored (any absolute path): it is never opened, and its
 * endpoint is LOST.
 */
export type NetnsRef = { name: string } | { pid: number } | { path: string };

/**
 * Which namespace a ref named when the agent looked. The device and inode of its nsfs file (`stat -L
 * /proc/PID/ns/net`) are unique only among the namespaces alive at one time: the kernel gives a dead
 * namespace's inode number to the next one made (seen here, at once). The netns cookie
 * (SO_NETNS_COOKIE, Linux 5.14) is never given twice in a boot: it tells a namespace from its
 * successor. Both are meaningless after a reboot.
 */
export interface NetnsInstance {
  dev: number;
  ino: number;
  /** The netns cookie, in decimal (a u64); absent on a kernel before 5.14. */
  cookie?: string;
}

export const MACVLAN_MODES: readonly MacvlanMode[] = ['bridge', 'private', 'vepa', 'passthru'];

/** One subnet of a network, in normal form (canonical address text). */
export interface SubnetSpec {
  cidr: string;
  gateway: string;
  /** "" when the whole subnet is the pool. */
  ipRange: string;
  auxAddresses: Record<string, string>;
}

/**
 * A network's spec in normal form: `parent` is the link endpoints hang off ("eth0.10" for VLAN 10 on
 * eth0, with vlanId 10), "" for an internal network; mode is never unspecified.
 */
export interface NetworkSpec {
  name: string;
  parent: string;
  vlanId: number;
  mode: MacvlanMode;
  subnets: SubnetSpec[];
  mtu: number;
  internal: boolean;
  promiscuous: boolean;
  hostAccess: boolean;
  labels: Record<string, string>;
}

export type NetworkState = 'ready' | 'degraded' | 'parent-missing';

/** What the agent did for a network and observes of it. */
export interface NetworkStatus {
  state: NetworkState;
  message: string;
  /** The link endpoints hang off: parent, sub-interface, or an internal network's dummy. */
  parentLink: string;
  /** The agent created parentLink (and removes it with the last network on it). */
  parentLinkOwned: boolean;
  /** The agent turned promiscuous mode on (and turns it off with the last network asking for it). */
  promiscuousSetByAgent: boolean;
  /** With hostAccess: the host's macvlan shim on parentLink, and its addresses (leases of the network). */
  hostLink?: string;
  hostAddresses?: string[];
  /** Revision of the last change. */
  revision: number;
}

/** A route of the host's main table: to a prefix (CIDR form) or "default", through a link, via a gateway. */
export interface HostRoute {
  destination: string;
  dev?: string;
  gateway?: string;
}

/** What the host's own network is: its addresses (CIDR form, on their links) and its routes. */
export interface HostAddressing {
  addresses: { dev: string; cidr: string }[];
  routes: HostRoute[];
}

export interface NetworkRecord {
  spec: NetworkSpec;
  status: NetworkStatus;
}

/**
 * An endpoint's spec in normal form: a container's attachment to a network, identified by
 * (network, name). Addresses and MAC are filled in (allocated or derived) at creation and kept for the
 * endpoint's life: they are its lease.
 */
export interface EndpointSpec {
  name: string;
  network: string;
  /** As the caller gave it: a netns name, an absolute path, or "pid:N". */
  netns: string;
  /** `netns` parsed (parseNetnsRef, once, when the request was checked): what the kernel side is handed. */
  netnsRef: NetnsRef;
  /**
   * The namespace the endpoint was attached into, recorded at each attach a client asked for: the
   * agent's own re-attaches (restore, drift repair) go into that namespace only. Absent until the first
   * attach, and for endpoints an agent of an earlier version made.
   */
  netnsInstance?: NetnsInstance;
  ifname: string;
  /** "" when the network has no IPv4 subnet. */
  ipv4Address: string;
  /** "" when the network has no IPv6 subnet. */
  ipv6Address: string;
  macAddress: string;
  /** Labels, as a network's (normalizeLabels); `mvnet.io/managed-by` other than "apply" puts it outside Apply. */
  labels: Record<string, string>;
}

export type EndpointState = 'ready' | 'lost' | 'failed';

export interface EndpointStatus {
  state: EndpointState;
  message: string;
  revision: number;
}

export interface EndpointRecord {
  spec: EndpointSpec;
  status: EndpointStatus;
}

export type ObjectKind = 'network' | 'endpoint' | 'host';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'DRIFT';

/**
 * A change under way, recorded before it touches the kernel and dropped when its state is committed
 * (in the same transaction) or when it has been undone: one left at start is a change the agent died
 * in the middle of, whose kernel leftovers it removes (resolvePending).
 */
export type PendingOp =
  /** A network being created: the host links its plan makes (sub-interface, dummy, shim). */
  | { kind: 'network'; network: string; creates: string[] }
  /** An endpoint being attached (CreateEndpoint). */
  | ({ kind: 'endpoint' } & PendingAttach)
  | PendingApply;

/** An endpoint being attached: its link is made in netns as tmpName, then renamed to ifname. */
export interface PendingAttach {
  network: string;
  name: string;
  /** The container's netns as written (for the logs), and parsed. */
  netns: string;
  netnsRef: NetnsRef;
  ifname: string;
  tmpName: string;
}

/**
 * An Apply, or a rollback, under way: what it makes (networks and their host links, promiscuous mode,
 * endpoints), so that an agent that dies before its commit removes it at the next start; what it
 * removed comes back with the restore that follows, from the state, which still holds it.
 */
export interface PendingApply {
  kind: 'apply';
  applyId: string;
  networks: { network: string; creates: string[] }[];
  promiscuous: string[];
  attaches: PendingAttach[];
}

/**
 * One entry of the durable event log. Every committed change of observable state takes the next
 * revision and logs one or more events under it (an Apply: one per object it changed), numbered by
 * `sequence` from 0; the last of them has `revisionEnd`.
 */
export interface ChangeEvent {
  revision: number;
  /** The event's place within its revision: 0, 1, 2... */
  sequence: number;
  /** True on the last event of its revision. */
  revisionEnd: boolean;
  type: EventType;
  kind: ObjectKind;
  /** The network's name (for a network or an endpoint). */
  network: string;
  /** The object's name. */
  name: string;
  /** The object after the change (before it, for DELETED), as JSON-able data. */
  object: unknown;
  /** For DRIFT: what was seen and what the agent did. */
  message: string;
  /** Unix milliseconds. */
  time: number;
}

/** An event as a transaction records it: its place in the log (revision, sequence) and time are the log's to give. */
export type EventInput = Omit<ChangeEvent, 'revision' | 'sequence' | 'revisionEnd' | 'time' | 'message'> & {
  message?: string;
};
