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

/**
 * The durable event log: every committed change of observable state, each with the next revision of
 * the host's one counter. It keeps the latest `retention` events; older ones are compacted away (a
 * Watch from before them is then OUT_OF_RANGE).
 */
export class EventLog {
  /** How many events the log keeps. */
  private retention = 10_000;

  constructor(
    private readonly sql: StatementCache,
    private readonly meta: MetaTable,
  ) {}

  /** Sets how many of the latest events the log keeps (at least 1). */
  setRetention(events: number): void {
    this.retention = Math.max(1, events);
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
        JSON.stringify(logged.object),
        logged.message,
        logged.time,
      );
    this.meta.set('revision', String(logged.revision));
    return logged;
  }

  /** Drops the events older than the retention (inside the caller's transaction). */
  compact(): void {
    this.sql.get('DELETE FROM events WHERE revision <= ?').run(this.meta.revision() - this.retention);
  }

  /** Events after `revision`, oldest first. */
  eventsAfter(revision: number, limit = 1000): ChangeEvent[] {
    const rows = this.sql
      .get('SELECT * FROM events WHERE revision > ? ORDER BY revision LIMIT ?')
      .all(revision, limit) as EventRow[];
    return rows.map((row) => ({
      ...row,
      type: row.type as EventType,
      kind: row.kind as ObjectKind,
      object: JSON.parse(row.object),
    }));
  }

  /** The oldest revision still in the log; the next revision when the log is empty. */
  oldestRetainedRevision(): number {
    const row = this.sql.get('SELECT min(revision) AS r FROM events').get() as { r: number | null };
    return row.r ?? this.meta.revision() + 1;
  }
}
