import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate';

/** The database's own file, and those SQLite keeps beside it (they hold the same data). */
const DB_FILES = ['state.db', 'state.db-wal', 'state.db-shm', 'state.db-journal'];

/**
 * The state is the host's whole network layout, for root alone: the dir 0700 and its files 0600, also
 * when an older agent or a person made them wider (fixed at every start). state.db is created 0600
 * before SQLite opens it, so it is never readable by others in between; SQLite gives its -wal and
 * -journal files the database's mode.
 */
function restrictStateFiles(stateDir: string): string {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(stateDir, 0o700);
  const file = path.join(stateDir, 'state.db');
  fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600));
  for (const name of DB_FILES) {
    try {
      fs.chmodSync(path.join(stateDir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return file;
}

/** Thrown when another agent holds the state dir. */
export class StateDirInUseError extends Error {}

/**
 * Opens (creating and migrating as needed) the state database in `stateDir`: WAL with full sync, so a
 * change acknowledged to a caller survives a power loss, and exclusive locking, so a second agent on
 * the same state dir fails at start.
 */
export function openDatabase(stateDir: string): Database.Database {
  const file = restrictStateFiles(stateDir);
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
