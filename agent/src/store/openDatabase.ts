import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrate, type Migrated } from './migrate';
import { formatFromHeader, refuseNewerFormat } from './stateFormat';

/** The database's own file, and those SQLite keeps beside it (they hold the same data). */
const DB_FILES = ['state.db', 'state.db-wal', 'state.db-shm', 'state.db-journal'];

/**
 * The state is the host's whole network layout, for root alone: the dir 0700 and its files 0600, also
 * when an older agent or a person made them wider (fixed at every start, once the format is known to be
 * one this agent reads). SQLite gives its -wal and -journal files the database's mode.
 */
function restrictStateFiles(stateDir: string): void {
  fs.chmodSync(stateDir, 0o700);
  for (const name of DB_FILES) {
    try {
      fs.chmodSync(path.join(stateDir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Thrown when another agent holds the state dir. */
export class StateDirInUseError extends Error {}

/**
 * Opens (creating and migrating as needed) the state database in `stateDir`: WAL with full sync, so a
 * change acknowledged to a caller survives a power loss, and exclusive locking, so a second agent on
 * the same state dir fails at start. Its format is checked before anything in the dir is touched (a
 * newer one is refused, naming the copy to roll back to), then migrated (see migrate).
 *
 * Why FULL and not NORMAL, which WAL would allow: under NORMAL a commit is written to the WAL but not
 * synced, so an agent crash loses nothing, yet a power cut may lose the last commits (never corrupt
 * the file). The pending-change journal (PendingTable, sync OFF) does not cover that loss: it guards
 * kernel work against an agent crash, and a power cut wipes the kernel side anyway. What it would lose
 * is the state side: a network or a lease the caller was told exists, a deletion the caller was told
 * is done; and the revisions of those commits, which Watch clients have already seen, would be handed
 * out again to other changes, so that a client resuming from one would silently skip them. The price,
 * measured here (bench notes in BENCHMARKS.md): one fdatasync of the WAL per group commit, about
 * 0.2 ms on this machine's disk, shared by every change committed in the same turn (CommitBatch).
 */
export function openDatabase(stateDir: string): { db: Database.Database; migrated: Migrated } {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, 'state.db');
  // A newer format is refused before the dir is touched: from the file's header when that says it all
  // (no WAL with commits), else from the first read below, before anything is written (closing the
  // connection then folds the WAL into the file, as SQLite does: the same contents).
  const format = formatFromHeader(file);
  if (format !== undefined) refuseNewerFormat(stateDir, file, format);
  // Created 0600 before SQLite opens it, so that it is never readable by others in between.
  fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600));
  let db: Database.Database | undefined;
  try {
    // A short busy timeout: the only contender is another agent holding the exclusive lock, which
    // does not let go, so waiting long would only delay the error.
    db = new Database(file, { timeout: 200 });
    db.pragma('locking_mode = EXCLUSIVE');
    const found = db.pragma('user_version', { simple: true }) as number;
    refuseNewerFormat(stateDir, file, found);
    restrictStateFiles(stateDir);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return { db, migrated: migrate(db, stateDir, found) };
  } catch (err) {
    db?.close();
    if (err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY') {
      throw new StateDirInUseError(`state dir ${stateDir} is in use by another mvnet-agent`);
    }
    throw err;
  }
}
