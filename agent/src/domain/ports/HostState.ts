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
  /** The revision of the last change: 0 for a new host. */
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
  leases(network: string): Map<string, string>;
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
   * Events after `revision`, oldest first: at most `limit`, and at most `maxBytes` of stored events
   * (the first event whatever its size).
   */
  eventsAfter(revision: number, limit?: number, maxBytes?: number): ChangeEvent[];
  /** The oldest revision still in the log; revision()+1 when the log is empty. */
  oldestRetainedRevision(): number;
  /**
   * Calls `listener` with the events of every committed transaction, in revision order, right after the
   * commit (synchronously: a reader that subscribes, then reads, misses nothing). Returns the unsubscribe.
   */
  subscribe(listener: (events: ChangeEvent[]) => void): () => void;
}

/** One change's outcome in a group commit: its value, or what it threw (it alone was undone). */
export type ChangeOutcome<T> = { value: T } | { error: unknown };

export interface HostState extends HostStateReads, PendingJournal, EventFeed {
  /** Runs `change` in one transaction and returns its result; on a throw nothing is written. */
  transact<T>(change: (tx: HostStateTx) => T): T;
  /**
   * Makes several changes in one transaction (one commit, one sync to disk), each in a savepoint of its
   * own, so that one that throws is undone alone while the others are committed.
   */
  transactEach<T>(changes: readonly ((tx: HostStateTx) => T)[]): ChangeOutcome<T>[];
}

/** Writes inside one transaction. Every recorded event takes the next revision. */
export interface HostStateTx {
  /** Inserts or replaces a network and logs the event; returns it stamped with its revision. */
  putNetwork(record: NetworkRecord, type: EventType, message?: string): NetworkRecord;
  /** Removes a network (its endpoints' rows and leases with it) and logs DELETED; returns the revision. */
  deleteNetwork(record: NetworkRecord): number;
  /**
   * Inserts or replaces an endpoint with its leases (its addresses) and logs the event; returns it
   * stamped with its revision. An address held twice in a network fails the transaction.
   */
  putEndpoint(record: EndpointRecord, type: EventType, message?: string): EndpointRecord;
  /** Removes an endpoint and releases its leases; logs DELETED with its last state; returns the revision. */
  deleteEndpoint(record: EndpointRecord): number;
  /** Holds an address in a network for something that is not an endpoint (the host-access shim). */
  putLease(network: string, address: string, holder: string): void;
  /** Releases every address one holder holds in a network (a replaced network's shim). */
  releaseLeases(network: string, holder: string): void;
  /** Logs an event that changes no stored object (a drift seen on the host); returns its revision. */
  recordEvent(event: EventInput): number;
  setMeta(key: string, value: string): void;
  /** The revision of this change's events so far (the host's revision when it logged none). */
  revision(): number;
  /** Drops a pending change: its state is what this transaction commits. */
  endPending(id: number): void;
}
