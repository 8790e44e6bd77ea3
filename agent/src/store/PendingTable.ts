import type { PendingOp } from '../domain/model';
import type { PendingJournal } from '../domain/ports/HostState';
import type { StatementCache } from './StatementCache';

/** The journal of changes under way (see PendingJournal), one JSON row per change. */
export class PendingTable implements PendingJournal {
  constructor(private readonly sql: StatementCache) {}

  /**
   * Committed without waiting for the disk: the entry must outlive a crash of the agent, not of the
   * host, whose reboot takes the half-made links with it.
   */
  beginPending(op: PendingOp): number {
    this.sql.get('PRAGMA synchronous = OFF').run();
    try {
      return Number(
        this.sql.get('INSERT INTO pending (op) VALUES (?)').run(JSON.stringify(op)).lastInsertRowid,
      );
    } finally {
      this.sql.get('PRAGMA synchronous = FULL').run();
    }
  }

  endPending(id: number): void {
    this.sql.get('DELETE FROM pending WHERE id = ?').run(id);
  }

  /** The changes the agent died in the middle of (read at start, before anything else runs). */
  pendingOps(): { id: number; op: PendingOp }[] {
    const rows = this.sql.get('SELECT id, op FROM pending ORDER BY id').all() as { id: number; op: string }[];
    return rows.map((r) => ({ id: r.id, op: JSON.parse(r.op) as PendingOp }));
  }
}
