import type { StatementCache } from './StatementCache';

/**
 * The addresses held in each network, and by whom ("endpoint c1", "the host-access shim"). The
 * primary key (network, address) makes handing out one address twice impossible.
 *
 * A network's whole map, which an allocation walks, is kept in memory once read (without it every
 * automatic address re-read every lease): the agent is the database's one writer, and every write
 * here is made to the kept map too. A write that SQLite then rolls back would leave the map wrong, so
 * the store forgets every kept map (forgetKept) whenever a transaction or savepoint fails.
 */
export class LeaseTable {
  private readonly kept = new Map<string, Map<string, string>>();

  constructor(private readonly sql: StatementCache) {}

  /** address → holder, for one network. */
  of(network: string): ReadonlyMap<string, string> {
    const kept = this.kept.get(network);
    if (kept) return kept;
    const rows = this.sql.get('SELECT address, holder FROM leases WHERE network = ?').all(network) as {
      address: string;
      holder: string;
    }[];
    const map = new Map(rows.map((r) => [r.address, r.holder]));
    this.kept.set(network, map);
    return map;
  }

  /** Forgets the kept maps: a transaction that wrote here was rolled back. */
  forgetKept(): void {
    this.kept.clear();
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
    this.kept.get(network)?.set(address, holder);
  }

  /** Holds an address, taking it over from whoever held it. */
  holdReplacing(network: string, address: string, holder: string): void {
    this.sql
      .get('INSERT OR REPLACE INTO leases (network, address, holder) VALUES (?, ?, ?)')
      .run(network, address, holder);
    this.kept.get(network)?.set(address, holder);
  }

  releaseHolder(network: string, holder: string): void {
    this.sql.get('DELETE FROM leases WHERE network = ? AND holder = ?').run(network, holder);
    const kept = this.kept.get(network);
    if (kept) for (const [address, by] of kept) if (by === holder) kept.delete(address);
  }

  releaseNetwork(network: string): void {
    this.sql.get('DELETE FROM leases WHERE network = ?').run(network);
    this.kept.delete(network);
  }
}
