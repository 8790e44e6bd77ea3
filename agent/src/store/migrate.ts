import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';
import { keepPreMigrationCopy, STATE_FORMAT } from './stateFormat';

/** What migrate did: the format found, and the copy kept before migrating it (none when nothing ran). */
export interface Migrated {
  from: number;
  to: number;
  copy?: string;
}

/**
 * Brings the state from format `from` (its `PRAGMA user_version`, which openDatabase read and checked:
 * never newer than this agent's) to this agent's format: every migration due, in one transaction, so
 * the state is either wholly migrated or left as it was. A state that already has data (format 1 or
 * more) is first copied to state.db.pre-vN (keepPreMigrationCopy); a new one is not.
 */
export function migrate(db: Database.Database, stateDir: string, from: number): Migrated {
  if (from >= STATE_FORMAT) return { from, to: from };
  const copy = from > 0 ? keepPreMigrationCopy(db, stateDir) : undefined;
  db.transaction(() => {
    for (let v = from; v < STATE_FORMAT; v++) {
      const migration = MIGRATIONS[v];
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    db.pragma(`user_version = ${STATE_FORMAT}`);
  })();
  return { from, to: STATE_FORMAT, copy };
}
