import type { StatementCache } from './StatementCache';

/**
 * The addresses held in each network, and by whom ("endpoint c1", "the host-access shim"). The
 * primary key (network, address) makes handing out one address twice impossible.
 */
export class LeaseTable {
  constructor(private readonly sql: StatementCache) {}

  /** address → holder, for one network. */
  of(network: string): Map<string, string> {
    const rows = this.sql.get('SELECT address, holder FROM leases WHERE network = ?').all(network) as {
      address: string;
      holder: string;
    }[];
    return new Map(rows.map((r) => [r.address, r.holder]));
  }

  holderOf(network: string, address: string): string | undefined {
    const row = this.sql
      .get('SELECT holder FROM leases WHERE network = ? AND address = ?')
      .get(network, address) as { holder: string } | undefined;
    return row?.holder;
  }

  /** Holds an address, failing (the primary key) when somebody else holds it. */
  hold(network: string, address: string, holder: string): void {
    this.sql
      .get('INSERT INTO leases (network, address, holder) VALUES (?, ?, ?)')
      .run(network, address, holder);
  }

  /** Holds an address, taking it over from whoever held it. */
  holdReplacing(network: string, address: string, holder: string): void {
    this.sql
      .get('INSERT OR REPLACE INTO leases (network, address, holder) VALUES (?, ?, ?)')
      .run(network, address, holder);
  }

  releaseHolder(network: string, holder: string): void {
    this.sql.get('DELETE FROM leases WHERE network = ? AND holder = ?').run(network, holder);
  }

  releaseNetwork(network: string): void {
    this.sql.get('DELETE FROM leases WHERE network = ?').run(network);
  }
}
