import type Database from 'better-sqlite3';
import type { ChangeEvent, NetnsRef, PendingOp } from '../domain/model';
import type { ChangeOutcome, HostState, HostStateTx } from '../domain/ports/HostState';
import { ChangeFeed } from './ChangeFeed';
import { EndpointTable } from './EndpointTable';
import { EventLog } from './EventLog';
import { LeaseTable } from './LeaseTable';
import { MetaTable } from './MetaTable';
import { NetworkTable } from './NetworkTable';
import { openDatabase } from './openDatabase';
import type { Migrated } from './migrate';
import { PendingTable } from './PendingTable';
import { StatementCache } from './StatementCache';
import { StorageGuard } from './StorageGuard';
import { storeTransaction, type StoreParts } from './storeTransaction';

export { StateDirInUseError } from './openDatabase';

/**
 * The host's durable state (the HostState port) in SQLite, composed of its parts: the tables of
 * networks, endpoints, leases and meta, the event log, the pending-change journal, and the in-process
 * feed that publishes each commit's events. One transaction per change.
 */
export class Store implements HostState {
  private readonly parts: StoreParts;
  private readonly feed = new ChangeFeed();

  private constructor(
    private readonly db: Database.Database,
    private readonly guard: StorageGuard,
    /** The format the state was found in, and the copy kept before migrating it (see migrate). */
    readonly migrated: Migrated,
  ) {
    const sql = new StatementCache(db);
    const meta = new MetaTable(sql);
    this.parts = {
      meta,
      events: new EventLog(sql, meta),
      pending: new PendingTable(sql),
      networks: new NetworkTable(sql),
      endpoints: new EndpointTable(sql),
      leases: new LeaseTable(sql),
    };
  }

  /**
   * Opens (creating and migrating as needed) the state in `stateDir`. A change needs `minFreeBytes`
   * available there to start (default MIN_FREE_STATE_BYTES; 0: no check before, SQLITE_FULL only).
   */
  static open(stateDir: string, options: { minFreeBytes?: number } = {}): Store {
    const { db, migrated } = openDatabase(stateDir);
    return new Store(db, new StorageGuard(stateDir, options.minFreeBytes), migrated);
  }

  close(): void {
    this.db.close();
  }

  /** Sets how many of the latest revisions, and how many bytes of their events, the log keeps (at least 1). */
  setRetention(revisions: number, bytes?: number): void {
    this.parts.events.setRetention(revisions, bytes);
  }

  hostId = () => this.parts.meta.hostId();
  revision = () => this.parts.meta.revision();
  getMeta = (key: string) => this.parts.meta.get(key);
  listNetworks = () => this.parts.networks.list();
  getNetwork = (name: string) => this.parts.networks.get(name);
  listEndpoints = (network?: string) => this.parts.endpoints.list(network);
  getEndpoint = (network: string, name: string) => this.parts.endpoints.get(network, name);
  endpointsInNetns = (ref: NetnsRef) => this.parts.endpoints.inNetns(ref);
  countEndpoints = (network?: string) => this.parts.endpoints.count(network);
  leases = (network: string) => this.parts.leases.of(network);
  leaseHolder = (network: string, address: string) => this.parts.leases.holderOf(network, address);
  beginPending = (op: PendingOp) => {
    this.guard.checkRoom();
    return this.guard.write(() => this.parts.pending.beginPending(op));
  };
  endPending = (id: number) => this.guard.write(() => this.parts.pending.endPending(id));
  pendingOps = () => this.parts.pending.pendingOps();
  eventsAfter = (revision: number, limit?: number, maxBytes?: number) =>
    this.parts.events.eventsAfter(revision, limit, maxBytes);
  oldestRetainedRevision = () => this.parts.events.oldestRetainedRevision();
  subscribe = (listener: (events: ChangeEvent[]) => void) => this.feed.subscribe(listener);

  transact<T>(change: (tx: HostStateTx) => T): T {
    this.guard.checkRoom();
    const { value, logged } = this.undoneOnFailure(() =>
      this.guard.write(() =>
        this.db.transaction(() => {
          const made = this.runChange(change);
          if (made.logged.length > 0) this.parts.events.compact();
          return made;
        })(),
      ),
    );
    this.feed.publish(logged);
    return value;
  }

  transactEach<T>(changes: readonly ((tx: HostStateTx) => T)[]): ChangeOutcome<T>[] {
    this.guard.checkRoom();
    const logged: ChangeEvent[] = [];
    const outcomes = this.undoneOnFailure(() =>
      this.guard.write(() =>
        this.db.transaction(() => {
          const each = changes.map((change): ChangeOutcome<T> => {
            try {
              // A nested transaction is a savepoint: a change that throws is undone alone, and the
              // revision it would have taken goes to the next change.
              const made = this.undoneOnFailure(() =>
                this.guard.write(() => this.db.transaction(() => this.runChange(change))()),
              );
              logged.push(...made.logged);
              return { value: made.value };
            } catch (error) {
              return { error };
            }
          });
          if (logged.length > 0) this.parts.events.compact();
          return each;
        })(),
      ),
    );
    this.feed.publish(logged);
    return outcomes;
  }

  /**
   * Runs a transaction (or savepoint); when it throws, SQLite has rolled it back, and what the tables
   * keep in memory of their rows (the leases) is forgotten with it.
   */
  private undoneOnFailure<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      this.parts.leases.forgetKept();
      throw err;
    }
  }

  /** Runs one change and logs its events under its revision (inside the caller's transaction). */
  private runChange<T>(change: (tx: HostStateTx) => T): { value: T; logged: ChangeEvent[] } {
    const { tx, end } = storeTransaction(this.parts);
    const value = change(tx);
    return { value, logged: end() };
  }
}
