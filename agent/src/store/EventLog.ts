import { DEFAULT_EVENT_RETENTION, DEFAULT_EVENT_RETENTION_BYTES } from '../domain/limits';
import type { ChangeEvent, EventInput, EventType, ObjectKind } from '../domain/model';
import type { MetaTable } from './MetaTable';
import type { StatementCache } from './StatementCache';

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

/** An event's stored size in bytes (its object's JSON and its message), as SQL. */
const SIZE = 'length(CAST(object AS BLOB)) + length(CAST(message AS BLOB))';

/** The meta key holding the bytes of all stored events (kept in the same transactions as the log). */
const BYTES_KEY = 'event_bytes';

/**
 * The durable event log: every committed change of observable state, each with the next revision of
 * the host's one counter. It keeps the latest `retention` events, and of those no more than
 * `retentionBytes` (the newest event always stays); older ones are compacted away (a Watch from
 * before them is then OUT_OF_RANGE). Large objects thus cannot fill the disk by their number alone.
 */
export class EventLog {
  /** How many events the log keeps. */
  private retention = DEFAULT_EVENT_RETENTION;
  /** How many bytes of events the log keeps. */
  private retentionBytes = DEFAULT_EVENT_RETENTION_BYTES;

  constructor(
    private readonly sql: StatementCache,
    private readonly meta: MetaTable,
  ) {}

  /** Sets how many of the latest events, and how many bytes of them, the log keeps (at least 1 event). */
  setRetention(events: number, bytes = this.retentionBytes): void {
    this.retention = Math.max(1, events);
    this.retentionBytes = Math.max(0, bytes);
  }

  /** Writes one event with the next revision (inside the caller's transaction) and returns it as logged. */
  append(event: EventInput): ChangeEvent {
    const logged: ChangeEvent = {
      revision: this.meta.revision() + 1,
      type: event.type,
      kind: event.kind,
      network: event.network,
      name: event.name,
      // A copy as the log holds it: later changes to the caller's object do not reach the event.
      object: JSON.parse(JSON.stringify(event.object)),
      message: event.message ?? '',
      time: Date.now(),
    };
    const object = JSON.stringify(logged.object);
    const before = this.storedBytes(); // read first: for an older log it is counted from its rows
    this.sql
      .get(
        'INSERT INTO events (revision, type, kind, network, name, object, message, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        logged.revision,
        logged.type,
        logged.kind,
        logged.network,
        logged.name,
        object,
        logged.message,
        logged.time,
      );
    const size = Buffer.byteLength(object) + Buffer.byteLength(logged.message);
    this.meta.set(BYTES_KEY, String(before + size));
    this.meta.set('revision', String(logged.revision));
    return logged;
  }

  /**
   * Drops the events beyond the retention, by count and then by bytes, oldest first, never the
   * newest (inside the caller's transaction).
   */
  compact(): void {
    let bytes = this.storedBytes() - this.deleteThrough(this.meta.revision() - this.retention);
    if (bytes > this.retentionBytes) {
      let excess = bytes - this.retentionBytes;
      let cut: number | undefined;
      const oldest = this.sql.get(
        `SELECT revision, ${SIZE} AS size FROM events WHERE revision < ? ORDER BY revision`,
      );
      for (const row of oldest.iterate(this.meta.revision()) as Iterable<{
        revision: number;
        size: number;
      }>) {
        cut = row.revision;
        excess -= row.size;
        if (excess <= 0) break;
      }
      if (cut !== undefined) bytes -= this.deleteThrough(cut);
    }
    this.meta.set(BYTES_KEY, String(bytes));
  }

  /**
   * Events after `revision`, oldest first: at most `limit` of them and, but for the first, at most
   * `maxBytes` of stored events, so that a page of replay holds a bounded amount of memory.
   */
  eventsAfter(revision: number, limit = 1000, maxBytes = Infinity): ChangeEvent[] {
    const page: ChangeEvent[] = [];
    let bytes = 0;
    const rows = this.sql
      .get(`SELECT *, ${SIZE} AS size FROM events WHERE revision > ? ORDER BY revision LIMIT ?`)
      .iterate(revision, limit) as Iterable<EventRow & { size: number }>;
    for (const { size, ...row } of rows) {
      bytes += size;
      if (bytes > maxBytes && page.length > 0) break;
      page.push({
        ...row,
        type: row.type as EventType,
        kind: row.kind as ObjectKind,
        object: JSON.parse(row.object),
      });
    }
    return page;
  }

  /** The bytes of all stored events; counted once for a log an older agent wrote. */
  private storedBytes(): number {
    const kept = this.meta.get(BYTES_KEY);
    if (kept !== undefined) return Number(kept);
    const row = this.sql.get(`SELECT coalesce(sum(${SIZE}), 0) AS n FROM events`).get() as { n: number };
    return row.n;
  }

  /** Deletes the events up to `revision`; returns their bytes. */
  private deleteThrough(revision: number): number {
    const rows = this.sql
      .get(`DELETE FROM events WHERE revision <= ? RETURNING ${SIZE} AS size`)
      .all(revision) as {
      size: number;
    }[];
    return rows.reduce((sum, row) => sum + row.size, 0);
  }

  /** The oldest revision still in the log; the next revision when the log is empty. */
  oldestRetainedRevision(): number {
    const row = this.sql.get('SELECT min(revision) AS r FROM events').get() as { r: number | null };
    return row.r ?? this.meta.revision() + 1;
  }
}
