import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate';

/** Thrown when another agent holds the state dir. */
export class StateDirInUseError extends Error {}

/**
 * Opens (creating and migrating as needed) the state database in `stateDir`: WAL with full sync, so a
 * change acknowledged to a caller survives a power loss, and exclusive locking, so a second agent on
 * the same state dir fails at start.
 */
export function openDatabase(stateDir: string): Database.Database {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, 'state.db');
  // A short busy timeout: the only contender is another agent holding the exclusive lock, which
  // does not let go, so waiting long would only delay the error.
  const db = new Database(file, { timeout: 200 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY') {
      throw new StateDirInUseError(`state dir ${stateDir} is in use by another mvnet-agent`);
    }
    throw err;
  }
  return db;
}
