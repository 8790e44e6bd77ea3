import type Database from 'better-sqlite3';
import { InvalidSpecError } from '../domain/errors';
import type { EndpointSpec, NetnsRef, PendingOp } from '../domain/model';
import { netnsIdentity } from '../domain/netnsIdentity';
import { parseNetnsRef } from '../domain/parseNetnsRef';

/** The ref of a stored netns text; one the parser now refuses (any path) is kept as a path, never opened. */
function storedRef(text: string): NetnsRef {
  try {
    return parseNetnsRef(text);
  } catch (err) {
    if (err instanceof InvalidSpecError) return { path: text };
    throw err;
  }
}

/**
 * Migration 5: an endpoint's netns is parsed once, when its request is checked, and kept parsed
 * (spec.netnsRef, and pending ops' netnsRef); the endpoints are indexed by the namespace's identity
 * (netns_key) instead of the text the caller wrote. Rows written before carry only the text: it is
 * parsed here. A path the parser refuses today (an earlier agent took any absolute path) stays a path:
 * the kernel side never opens one, and its endpoint is LOST until deleted.
 */
export function netnsRefColumn(db: Database.Database): void {
  db.exec(`
    ALTER TABLE endpoints ADD COLUMN netns_key TEXT NOT NULL DEFAULT '';
    DROP INDEX endpoints_by_netns;
    CREATE INDEX endpoints_by_netns_key ON endpoints (netns_key);
  `);
  const update = db.prepare('UPDATE endpoints SET spec = ?, netns_key = ? WHERE network = ? AND name = ?');
  for (const row of db.prepare('SELECT network, name, spec FROM endpoints').all() as {
    network: string;
    name: string;
    spec: string;
  }[]) {
    const spec = JSON.parse(row.spec) as EndpointSpec;
    spec.netnsRef = storedRef(spec.netns);
    update.run(JSON.stringify(spec), netnsIdentity(spec.netnsRef), row.network, row.name);
  }
  const updateOp = db.prepare('UPDATE pending SET op = ? WHERE id = ?');
  for (const row of db.prepare('SELECT id, op FROM pending').all() as { id: number; op: string }[]) {
    const op = JSON.parse(row.op) as PendingOp;
    if (op.kind !== 'endpoint') continue;
    updateOp.run(JSON.stringify({ ...op, netnsRef: storedRef(op.netns) }), row.id);
  }
}
