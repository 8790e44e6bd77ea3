import { randomBytes } from 'node:crypto';
import type { StatementCache } from './StatementCache';

/** The key → value table: the revision counter, the boot id, the host id. */
export class MetaTable {
  private knownHostId?: string;

  constructor(private readonly sql: StatementCache) {}

  get(key: string): string | undefined {
    const row = this.sql.get('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.sql.get('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** The revision of the last change: 0 for a new host. */
  revision(): number {
    return Number(this.get('revision') ?? '0');
  }

  /** This host's id: random, made at the first start, kept as long as the state. */
  hostId(): string {
    this.knownHostId ??= this.get('host_id');
    if (this.knownHostId === undefined) {
      this.knownHostId = randomBytes(8).toString('hex');
      this.set('host_id', this.knownHostId);
    }
    return this.knownHostId;
  }
}
