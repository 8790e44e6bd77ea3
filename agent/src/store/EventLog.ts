import { DEFAULT_EVENT_RETENTION, DEFAULT_EVENT_RETENTION_BYTES } from '../domain/limits';
import type { ChangeEvent, EventInput, EventType, ObjectKind } from '../domain/model';
import type { MetaTable } from './MetaTable';
import type { StatementCache } from './StatementCache';

interface EventRow {
  revision: number;
  sequence: number;
  revision_end: number;
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

/**
 * An event recorded in a change, waiting for the change's end to be logged: its object is already
 * the JSON the log stores, a copy taken when it was recorded (later changes to the caller's object do
 * not reach the event).
 */
export type StagedEvent = Omit<EventInput, 'object'> & { objectJson: string };

/** An event as a change records it, staged (see StagedEvent). */
export function stageEvent(input: EventInput): StagedEvent {
  const { object, ...rest } = input;
  return { ...rest, objectJson: JSON.stringify(object) };
}

/** The meta key holding the bytes of all stored events (kept in the same transactions as the log). */
const BYTES_KEY = 'event_bytes';

/**
 * The durable event log, keyed by (revision, sequence). Every committed change takes the next revision
 * of the host's one counter and logs its events under it, the last marked `revision_end`. The log
 * keeps the latest `retention` revisions, and of those no more than `retentionBytes` (the newest
 * revision always stays); older ones are compacted away, whole revisions only (a Watch from before
 * them is then OUT_OF_RANGE). Large objects thus cannot fill the disk by their number alone.
 */
export class EventLog {
  /** How many revisions the log keeps. */
  private retention = DEFAULT_EVENT_RETENTION;
  /** How many bytes of events the log keeps. */
  private retentionBytes = DEFAULT_EVENT_RETENTION_BYTES;

  constructor(
    private readonly sql: StatementCache,
    private readonly meta: MetaTable,
  ) {}

  /** Sets how many of the latest revisions, and how many bytes of their events, the log keeps (at least 1). */
  setRetention(revisions: number, bytes = this.retentionBytes): void {
    this.retention = Math.max(1, revisions);
    this.retentionBytes = Math.max(0, bytes);
  }

  /** The revision the next change that logs an event takes. */
  nextRevision(): number {
    return this.meta.revision() + 1;
  }

  /**
   * Writes the events of one change under the next revision (inside the caller's transaction):
   * sequence 0, 1, 2..., the last with revisionEnd. Returns them as logged; none, and no revision
   * taken, for a change that logged nothing.
   */
  appendRevision(inputs: readonly StagedEvent[]): ChangeEvent[] {
    if (inputs.length === 0) return [];
    const revision = this.nextRevision();
    const time = Date.now();
    const insert = this.sql.get(
      'INSERT INTO events (revision, sequence, revision_end, type, kind, network, name, object, message, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const before = this.storedBytes(); // read first: for an older log it is counted from its rows
    let size = 0;
    const logged = inputs.map((input, sequence): ChangeEvent => {
      const event: ChangeEvent = {
        revision,
        sequence,
        revisionEnd: sequence === inputs.length - 1,
        type: input.type,
        kind: input.kind,
        network: input.network,
        name: input.name,
        object: JSON.parse(input.objectJson),
        message: input.message ?? '',
        time,
      };
      const { type, kind, network, name, message } = event;
      const end = event.revisionEnd ? 1 : 0;
      insert.run(revision, sequence, end, type, kind, network, name, input.objectJson, message, time);
      size += Buffer.byteLength(input.objectJson) + Buffer.byteLength(message);
      return event;
    });
    this.meta.set(BYTES_KEY, String(before + size));
    this.meta.set('revision', String(revision));
    return logged;
  }

  /**
   * Drops the revisions beyond the retention, by count and then by bytes, oldest first, whole
   * revisions only and never the newest (inside the caller's transaction).
   */
  compact(): void {
    const newest = this.meta.revision();
    let bytes = this.storedBytes() - this.deleteThrough(newest - this.retention);
    if (bytes > this.retentionBytes) {
      let excess = bytes - this.retentionBytes;
      let cut: number | undefined;
      const oldest = this.sql.get(
        `SELECT revision, sum(${SIZE}) AS size FROM events WHERE revision < ? GROUP BY revision ORDER BY revision`,
      );
      for (const row of oldest.iterate(newest) as Iterable<{ revision: number; size: number }>) {
        cut = row.revision;
        excess -= row.size;
        if (excess <= 0) break;
      }
      if (cut !== undefined) bytes -= this.deleteThrough(cut);
    }
    this.meta.set(BYTES_KEY, String(bytes));
  }

  /**
   * Events after `revision`, oldest first, in whole revisions: a page ends on a revision boundary,
   * holding at most `limit` events and `maxBytes` of stored events, so that a page of replay holds a
   * bounded amount of memory. A first revision larger than that comes whole all the same (a revision
   * is bounded by what one change can do to a host: README, "Bounds").
   */
  eventsAfter(revision: number, limit = 1000, maxBytes = Infinity): ChangeEvent[] {
    const page: ChangeEvent[] = [];
    /** The events of `page` that make whole revisions. */
    let whole = 0;
    let bytes = 0;
    const rows = this.sql
      .get(`SELECT *, ${SIZE} AS size FROM events WHERE revision > ? ORDER BY revision, sequence`)
      .iterate(revision) as Iterable<EventRow & { size: number }>;
    for (const { size, revision_end, ...row } of rows) {
      bytes += size;
      if (whole > 0 && (page.length >= limit || bytes > maxBytes)) {
        page.length = whole;
        break;
      }
      page.push({
        ...row,
        revisionEnd: revision_end === 1,
        type: row.type as EventType,
        kind: row.kind as ObjectKind,
        object: JSON.parse(row.object),
      });
      if (revision_end === 1) whole = page.length;
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

  /** Deletes the events of the revisions up to `revision`; returns their bytes. */
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
