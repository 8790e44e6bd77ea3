import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

/** Brings the schema (`PRAGMA user_version`) up to date, one migration per transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `state schema version ${version} is newer than this agent's (${MIGRATIONS.length}): upgrade mvnet-agent`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    const migration = MIGRATIONS[v];
    db.transaction(() => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
