/**
 * The port to the host's durable state, which store/ implements (Store, on SQLite): networks,
 * endpoints and their leases, the revision counter, the event log, and the journal of changes under
 * way. The application reads through it and writes only inside `transact`, one transaction per change.
 */
import type {
  ChangeEvent,
  EndpointRecord,
  EventInput,
  EventType,
  NetnsRef,
  NetworkRecord,
  PendingOp,
} from '../model';

/** What the state holds, read outside any transaction. */
export interface HostStateReads {
  /** This host's id: random, made at the first start, kept as long as the state (endpoint MACs derive from it). */
  hostId(): string;
  /** The revision of the last committed change: 0 for a new host. */
  revision(): number;
  getMeta(key: string): string | undefined;
  listNetworks(): NetworkRecord[];
  getNetwork(name: string): NetworkRecord | undefined;
  /** The endpoints of one network, or of all (ordered by network, then name). */
  listEndpoints(network?: string): EndpointRecord[];
  getEndpoint(network: string, name: string): EndpointRecord | undefined;
  /** The endpoints in the container netns `ref` is, however each was written (see netnsIdentity). */
  endpointsInNetns(ref: NetnsRef): EndpointRecord[];
  /** The endpoints of one network, or of the whole host. */
  countEndpoints(network?: string): number;
  /** The addresses held in a network: address → holder ("endpoint c1"). */
  leases(network: string): ReadonlyMap<string, string>;
  /** Who holds one address of a network; undefined when it is free. */
  leaseHolder(network: string, address: string): string | undefined;
}

/**
 * Changes under way, recorded before they touch the kernel: one left at start is a change the agent
 * died in the middle of (resolvePending undoes it).
 */
export interface PendingJournal {
  /** Records a change about to touch the kernel; returns its id. */
  beginPending(op: PendingOp): number;
  /** Drops a pending change that was undone (a committed one goes with its commit: HostStateTx.endPending). */
  endPending(id: number): void;
  pendingOps(): { id: number; op: PendingOp }[];
}

/** The event log, and the events of each commit as it happens. */
export interface EventFeed {
  /**
   * Events after `revision`, oldest first, in whole revisions (a page ends on a revision boundary): at
   * most `limit` events and `maxBytes` of stored events, but the first revision whole whatever its size.
   */
  eventsAfter(revision: number, limit?: number, maxBytes?: number): ChangeEvent[];
  /** The oldest revision still in the log (compaction drops whole revisions); revision()+1 when it is empty. */
  oldestRetainedRevision(): number;
  /**
   * Calls `listener` with the events of every committed transaction, whole revisions in order, right
   * after the commit (synchronously: a reader that subscribes, then reads, misses nothing). Returns the
   * unsubscribe.
   */
  subscribe(listener: (events: ChangeEvent[]) => void): () => void;
}

/** One change's outcome in a group commit: its value, or what it threw (it alone was undone). */
export type ChangeOutcome<T> = { value: T } | { error: unknown };

export interface HostState extends HostStateReads, PendingJournal, EventFeed {
  /**
   * Runs `change` in one transaction and returns its result; on a throw nothing is written. The change
   * takes the next revision, and every event it records is logged under it (sequence 0, 1, 2..., the
   * last with revisionEnd); a change that records no event takes no revision.
   */
  transact<T>(change: (tx: HostStateTx) => T): T;
  /**
   * Makes several changes in one transaction (one commit, one sync to disk), each in a savepoint of its
   * own, so that one that throws is undone alone while the others are committed. Each change that
   * records events takes a revision of its own, in the order given, as with `transact`.
   */
  transactEach<T>(changes: readonly ((tx: HostStateTx) => T)[]): ChangeOutcome<T>[];
}

/**
 * Writes of one change. The events it records are all logged under one revision, the next: "the
 * change's revision", which the writes below return and stamp records with.
 */
export interface HostStateTx {
  /** Inserts or replaces a network and logs the event; returns it stamped with the change's revision. */
  putNetwork(record: NetworkRecord, type: EventType, message?: string): NetworkRecord;
  /**
   * Removes a network (its endpoints' rows and leases with it) and logs DELETED; returns the change's
   * revision.
   */
  deleteNetwork(record: NetworkRecord): number;
  /**
   * Inserts or replaces an endpoint with its leases (its addresses) and logs the event; returns it
   * stamped with the change's revision. An address held twice in a network fails the transaction.
   */
  putEndpoint(record: EndpointRecord, type: EventType, message?: string): EndpointRecord;
  /**
   * Removes an endpoint and releases its leases; logs DELETED with its last state; returns the change's
   * revision.
   */
  deleteEndpoint(record: EndpointRecord): number;
  /** Holds an address in a network for something that is not an endpoint (the host-access shim). */
  putLease(network: string, address: string, holder: string): void;
  /** Releases every address one holder holds in a network (a replaced network's shim). */
  releaseLeases(network: string, holder: string): void;
  /** Logs an event that changes no stored object (a drift seen on the host); returns the change's revision. */
  recordEvent(event: EventInput): number;
  setMeta(key: string, value: string): void;
  /** The change's revision once it logged an event; before that, the host's (a change without events takes none). */
  revision(): number;
  /** Drops a pending change: its state is what this transaction commits. */
  endPending(id: number): void;
}
