import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
  ChangeEvent,
  EndpointRecord,
  EventType,
  NetworkRecord,
  ObjectKind,
  PendingOp,
} from '../domain/model';
import { MIGRATIONS } from './migrations';

/** The change a transaction records: one event, with the next revision. */
export interface EventInput {
  type: EventType;
  kind: ObjectKind;
  network: string;
  name: string;
  object: unknown;
  message?: string;
}

/** Writes inside one transaction. Every recorded event takes the next revision. */
export interface StoreTx {
  /** Inserts or replaces a network, stamps its status with the next revision and logs the event. */
  putNetwork(record: NetworkRecord, type: EventType, message?: string): number;
  /** Removes a network and logs DELETED with its last state. */
  deleteNetwork(record: NetworkRecord): number;
  /**
   * Inserts or replaces an endpoint with its leases (its addresses), stamps its status with the next
   * revision and logs the event. The leases' primary key makes handing out one address twice impossible.
   */
  putEndpoint(record: EndpointRecord, type: EventType, message?: string): number;
  /** Removes an endpoint and releases its leases; logs DELETED with its last state. */
  deleteEndpoint(record: EndpointRecord): number;
  /** Holds an address in a network for something that is not an endpoint (the host-access shim). */
  putLease(network: string, address: string, holder: string): void;
  /** Logs an event that changes no stored object (a drift seen on the host). */
  recordEvent(event: EventInput): number;
  setMeta(key: string, value: string): void;
  /** Drops a pending change (see Store.beginPending): its state is what this transaction commits. */
  endPending(id: number): void;
}

/** Thrown when another agent holds the state dir. */
export class StateDirInUseError extends Error {}

/**
 * Durable state: networks, endpoints, the revision counter and the event log, in SQLite (WAL, full
 * sync: a change acknowledged to a caller survives a power loss). One transaction per change. The
 * database is opened in exclusive locking mode, so a second agent on the same state dir fails at start.
 */
export class Store {
  private readonly listeners = new Set<(events: ChangeEvent[]) => void>();
  /** Events recorded by the transaction under way, published once it has committed. */
  private pending: ChangeEvent[] = [];
  /** How many events the log keeps; older ones are compacted away (Watch then answers OUT_OF_RANGE). */
  private retention = 10_000;

  private knownHostId?: string;
  /** Prepared statements by their SQL: preparing costs more than running most of them. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /** Sets how many of the latest events the log keeps (at least 1). */
  setRetention(events: number): void {
    this.retention = Math.max(1, events);
  }

  /**
   * Calls `listener` with the events of every committed transaction, in revision order, right after the
   * commit (synchronously: a reader that subscribes, then reads, misses nothing). Returns the unsubscribe.
   */
  subscribe(listener: (events: ChangeEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The oldest revision still in the log; revision()+1 when the log is empty. */
  oldestRetainedRevision(): number {
    const row = this.statement('SELECT min(revision) AS r FROM events').get() as { r: number | null };
    return row.r ?? this.revision() + 1;
  }

  /** Opens (creating and migrating as needed) the state in `stateDir`. */
  static open(stateDir: string): Store {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const file = path.join(stateDir, 'state.db');
    // A short busy timeout: the only contender is another agent holding the exclusive lock, which
    // does not let go, so waiting long would only delay the error.
    const db = new Database(file, { timeout: 200 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (err) {
      db.close();
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY') {
        throw new StateDirInUseError(`state dir ${stateDir} is in use by another mvnet-agent`);
      }
      throw err;
    }
    return new Store(db);
  }

  close(): void {
    this.db.close();
  }

  /** This host's id: random, made at the first start, kept as long as the state (endpoint MACs derive from it). */
  hostId(): string {
    this.knownHostId ??= this.getMeta('host_id');
    if (this.knownHostId === undefined) {
      this.knownHostId = randomBytes(8).toString('hex');
      this.setMeta('host_id', this.knownHostId);
    }
    return this.knownHostId;
  }

  /** The revision of the last change: 0 for a new host. */
  revision(): number {
    return Number(this.getMeta('revision') ?? '0');
  }

  getMeta(key: string): string | undefined {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  listNetworks(): NetworkRecord[] {
    const rows = this.statement('SELECT spec, status FROM networks ORDER BY name').all() as NetworkRow[];
    return rows.map(toNetworkRecord);
  }

  getNetwork(name: string): NetworkRecord | undefined {
    const row = this.statement('SELECT spec, status FROM networks WHERE name = ?').get(name) as
      NetworkRow | undefined;
    return row && toNetworkRecord(row);
  }

  listEndpoints(network?: string): EndpointRecord[] {
    const rows = (
      network === undefined
        ? this.statement('SELECT spec, status FROM endpoints ORDER BY network, name').all()
        : this.statement('SELECT spec, status FROM endpoints WHERE network = ? ORDER BY name').all(network)
    ) as NetworkRow[];
    return rows.map(toRecord) as EndpointRecord[];
  }

  /**
   * The endpoints whose spec.netns is one of `texts` or, with `pidLike`, looks like a pid reference
   * ("pid:N", "/proc/..."): a narrowing done in SQLite, without parsing every endpoint's JSON here.
   * The caller still compares the namespaces exactly.
   */
  listEndpointsByNetnsText(texts: readonly string[], pidLike = false): EndpointRecord[] {
    const netns = "json_extract(spec, '$.netns')";
    const clauses = [];
    if (texts.length > 0) clauses.push(`${netns} IN (${texts.map(() => '?').join(', ')})`);
    if (pidLike) clauses.push(`${netns} LIKE 'pid:%'`, `${netns} LIKE '/proc/%'`);
    if (clauses.length === 0) return [];
    const sql = `SELECT spec, status FROM endpoints WHERE ${clauses.join(' OR ')} ORDER BY network, name`;
    const rows = this.statement(sql).all(...texts) as NetworkRow[];
    return rows.map(toRecord) as EndpointRecord[];
  }

  getEndpoint(network: string, name: string): EndpointRecord | undefined {
    const row = this.statement('SELECT spec, status FROM endpoints WHERE network = ? AND name = ?').get(
      network,
      name,
    ) as NetworkRow | undefined;
    return row && (toRecord(row) as EndpointRecord);
  }

  /** The addresses held in a network: address → holder ("endpoint c1"). */
  leases(network: string): Map<string, string> {
    const rows = this.statement('SELECT address, holder FROM leases WHERE network = ?').all(network) as {
      address: string;
      holder: string;
    }[];
    return new Map(rows.map((r) => [r.address, r.holder]));
  }

  /** Who holds one address of a network; undefined when it is free. */
  leaseHolder(network: string, address: string): string | undefined {
    const row = this.statement('SELECT holder FROM leases WHERE network = ? AND address = ?').get(
      network,
      address,
    ) as { holder: string } | undefined;
    return row?.holder;
  }

  /**
   * Records a change about to touch the kernel; returns its id, for endPending. Committed without
   * waiting for the disk: it must outlive a crash of the agent, not of the host, whose reboot takes
   * the half-made links with it.
   */
  beginPending(op: PendingOp): number {
    this.statement('PRAGMA synchronous = OFF').run();
    try {
      return Number(
        this.statement('INSERT INTO pending (op) VALUES (?)').run(JSON.stringify(op)).lastInsertRowid,
      );
    } finally {
      this.statement('PRAGMA synchronous = FULL').run();
    }
  }

  /** Drops a pending change that was undone (one that was committed goes with its commit: StoreTx.endPending). */
  endPending(id: number): void {
    this.statement('DELETE FROM pending WHERE id = ?').run(id);
  }

  /** The changes the agent died in the middle of (read at start, before anything else runs). */
  pendingOps(): { id: number; op: PendingOp }[] {
    const rows = this.statement('SELECT id, op FROM pending ORDER BY id').all() as {
      id: number;
      op: string;
    }[];
    return rows.map((r) => ({ id: r.id, op: JSON.parse(r.op) as PendingOp }));
  }

  /** The number of endpoints on a network. */
  countEndpoints(network: string): number {
    const row = this.statement('SELECT count(*) AS n FROM endpoints WHERE network = ?').get(network) as {
      n: number;
    };
    return row.n;
  }

  /** Events after `revision`, oldest first. */
  eventsAfter(revision: number, limit = 1000): ChangeEvent[] {
    const rows = this.statement('SELECT * FROM events WHERE revision > ? ORDER BY revision LIMIT ?').all(
      revision,
      limit,
    ) as EventRow[];
    return rows.map((row) => ({
      ...row,
      type: row.type as EventType,
      kind: row.kind as ObjectKind,
      object: JSON.parse(row.object),
    }));
  }

  /** Runs `change` in one transaction and returns its result; on a throw nothing is written. */
  transact<T>(change: (tx: StoreTx) => T): T {
    this.pending = [];
    let result: T;
    try {
      result = this.db.transaction(() => {
        const value = change(this.makeTx());
        if (this.pending.length > 0) this.compact();
        return value;
      })();
    } catch (err) {
      this.pending = [];
      throw err;
    }
    const events = this.pending;
    this.pending = [];
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    return result;
  }

  /**
   * Makes several changes in one transaction, so one commit (and one sync to disk) serves them all:
   * each in a savepoint of its own, so that one that throws is undone alone and gives its error, while
   * the others are committed. Events are published after the commit, in revision order.
   */
  transactEach<T>(changes: readonly ((tx: StoreTx) => T)[]): ({ value: T } | { error: unknown })[] {
    return this.transact((tx) =>
      changes.map((change) => {
        const mark = this.pending.length;
        try {
          return { value: this.db.transaction(() => change(tx))() };
        } catch (error) {
          this.pending.length = mark;
          return { error };
        }
      }),
    );
  }

  private compact(): void {
    this.statement('DELETE FROM events WHERE revision <= ?').run(this.revision() - this.retention);
  }

  private makeTx(): StoreTx {
    const record = (event: EventInput): number => {
      const revision = this.revision() + 1;
      const time = Date.now();
      this.statement(
        'INSERT INTO events (revision, type, kind, network, name, object, message, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        revision,
        event.type,
        event.kind,
        event.network,
        event.name,
        JSON.stringify(event.object),
        event.message ?? '',
        time,
      );
      this.setMeta('revision', String(revision));
      this.pending.push({
        revision,
        type: event.type,
        kind: event.kind,
        network: event.network,
        name: event.name,
        object: JSON.parse(JSON.stringify(event.object)),
        message: event.message ?? '',
        time,
      });
      return revision;
    };
    return {
      recordEvent: record,
      endPending: (id) => this.endPending(id),
      setMeta: (key, value) => this.setMeta(key, value),
      putNetwork: (rec, type, message) => {
        const revision = this.revision() + 1;
        rec.status.revision = revision;
        this.statement('INSERT OR REPLACE INTO networks (name, spec, status) VALUES (?, ?, ?)').run(
          rec.spec.name,
          JSON.stringify(rec.spec),
          JSON.stringify(rec.status),
        );
        return record({
          type,
          kind: 'network',
          network: rec.spec.name,
          name: rec.spec.name,
          object: rec,
          message,
        });
      },
      putEndpoint: (rec, type, message) => {
        rec.status.revision = this.revision() + 1;
        const { network, name } = rec.spec;
        this.statement(
          'INSERT OR REPLACE INTO endpoints (network, name, spec, status) VALUES (?, ?, ?, ?)',
        ).run(network, name, JSON.stringify(rec.spec), JSON.stringify(rec.status));
        const holder = `endpoint ${name}`;
        this.statement('DELETE FROM leases WHERE network = ? AND holder = ?').run(network, holder);
        for (const address of [rec.spec.ipv4Address, rec.spec.ipv6Address].filter(Boolean)) {
          this.statement('INSERT INTO leases (network, address, holder) VALUES (?, ?, ?)').run(
            network,
            address,
            holder,
          );
        }
        return record({ type, kind: 'endpoint', network, name, object: rec, message });
      },
      deleteEndpoint: (rec) => {
        const { network, name } = rec.spec;
        this.statement('DELETE FROM endpoints WHERE network = ? AND name = ?').run(network, name);
        this.statement('DELETE FROM leases WHERE network = ? AND holder = ?').run(
          network,
          `endpoint ${name}`,
        );
        return record({ type: 'DELETED', kind: 'endpoint', network, name, object: rec });
      },
      putLease: (network, address, holder) => {
        this.statement('INSERT OR REPLACE INTO leases (network, address, holder) VALUES (?, ?, ?)').run(
          network,
          address,
          holder,
        );
      },
      deleteNetwork: (rec) => {
        this.statement('DELETE FROM leases WHERE network = ?').run(rec.spec.name);
        this.statement('DELETE FROM endpoints WHERE network = ?').run(rec.spec.name);
        this.statement('DELETE FROM networks WHERE name = ?').run(rec.spec.name);
        return record({
          type: 'DELETED',
          kind: 'network',
          network: rec.spec.name,
          name: rec.spec.name,
          object: rec,
        });
      },
    };
  }

  private setMeta(key: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }
}

interface NetworkRow {
  spec: string;
  status: string;
}

interface EventRow {
  revision: number;
  type: string;
  kind: string;
  network: string;
  name: string;
  object: string;
  message: string;
  time: number;
}

function toNetworkRecord(row: NetworkRow): NetworkRecord {
  return toRecord(row) as NetworkRecord;
}

function toRecord(row: NetworkRow): { spec: unknown; status: unknown } {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `state schema version ${version} is newer than this agent's (${MIGRATIONS.length}): upgrade mvnet-agent`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
