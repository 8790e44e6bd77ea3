import type { NetworkRecord } from '../domain/model';
import type { StatementCache } from './StatementCache';

/** A row of the networks table: the record as JSON. */
interface NetworkRow {
  spec: string;
  status: string;
}

function toNetworkRecord(row: NetworkRow): NetworkRecord {
  return { spec: JSON.parse(row.spec), status: JSON.parse(row.status) } as NetworkRecord;
}

/** The networks, one row each, keyed by name. */
export class NetworkTable {
  constructor(private readonly sql: StatementCache) {}

  list(): NetworkRecord[] {
    const rows = this.sql.get('SELECT spec, status FROM networks ORDER BY name').all() as NetworkRow[];
    return rows.map(toNetworkRecord);
  }

  get(name: string): NetworkRecord | undefined {
    const row = this.sql.get('SELECT spec, status FROM networks WHERE name = ?').get(name) as
      NetworkRow | undefined;
    return row && toNetworkRecord(row);
  }

  put(record: NetworkRecord): void {
    this.sql
      .get('INSERT OR REPLACE INTO networks (name, spec, status) VALUES (?, ?, ?)')
      .run(record.spec.name, JSON.stringify(record.spec), JSON.stringify(record.status));
  }

  delete(name: string): void {
    this.sql.get('DELETE FROM networks WHERE name = ?').run(name);
  }
}
