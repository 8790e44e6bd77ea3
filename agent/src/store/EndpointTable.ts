import type { EndpointRecord, NetnsRef } from '../domain/model';
import { netnsIdentity } from '../domain/netnsIdentity';
import type { StatementCache } from './StatementCache';

/** A row of the endpoints table as read: the record as JSON (network, name and netns_key are its keys). */
interface EndpointRow {
  spec: string;
  status: string;
}

function toEndpointRecord(row: EndpointRow): EndpointRecord {
  const record = { spec: JSON.parse(row.spec), status: JSON.parse(row.status) } as EndpointRecord;
  record.spec.labels ??= {}; // an endpoint an agent before labels made has none
  return record;
}

const COLUMNS = 'SELECT spec, status FROM endpoints';

/**
 * The endpoints, keyed by (network, name), and indexed by their container netns's identity
 * (netns_key: netnsIdentity of the parsed ref), so a container's attachments are one lookup.
 */
export class EndpointTable {
  constructor(private readonly sql: StatementCache) {}

  list(network?: string): EndpointRecord[] {
    const rows = (
      network === undefined
        ? this.sql.get(`${COLUMNS} ORDER BY network, name`).all()
        : this.sql.get(`${COLUMNS} WHERE network = ? ORDER BY name`).all(network)
    ) as EndpointRow[];
    return rows.map(toEndpointRecord);
  }

  get(network: string, name: string): EndpointRecord | undefined {
    const row = this.sql.get(`${COLUMNS} WHERE network = ? AND name = ?`).get(network, name) as
      EndpointRow | undefined;
    return row && toEndpointRecord(row);
  }

  inNetns(ref: NetnsRef): EndpointRecord[] {
    const rows = this.sql
      .get(`${COLUMNS} WHERE netns_key = ? ORDER BY network, name`)
      .all(netnsIdentity(ref)) as EndpointRow[];
    return rows.map(toEndpointRecord);
  }

  /** The endpoints of one network, or of all. */
  count(network?: string): number {
    const row = (
      network === undefined
        ? this.sql.get('SELECT count(*) AS n FROM endpoints').get()
        : this.sql.get('SELECT count(*) AS n FROM endpoints WHERE network = ?').get(network)
    ) as { n: number };
    return row.n;
  }

  put(record: EndpointRecord): void {
    const { network, name, netnsRef } = record.spec;
    this.sql
      .get('INSERT OR REPLACE INTO endpoints (network, name, spec, status, netns_key) VALUES (?, ?, ?, ?, ?)')
      .run(
        network,
        name,
        JSON.stringify(record.spec),
        JSON.stringify(record.status),
        netnsIdentity(netnsRef),
      );
  }

  delete(network: string, name: string): void {
    this.sql.get('DELETE FROM endpoints WHERE network = ? AND name = ?').run(network, name);
  }

  deleteAllOf(network: string): void {
    this.sql.get('DELETE FROM endpoints WHERE network = ?').run(network);
  }
}
