import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations';

/**
 * The state's format: the schema version in `PRAGMA user_version`, one per migration. An agent reads
 * the formats up to its own and migrates older ones; a newer one it refuses, changing nothing.
 */
export const STATE_FORMAT = MIGRATIONS.length;

/** `state.db.pre-vN`: the copy kept before the state was migrated to format N (it holds the format before). */
export function preMigrationCopy(stateDir: string, format: number): string {
  return path.join(stateDir, `state.db.pre-v${format}`);
}

/** Thrown when the state was written by a newer agent. */
export class NewerStateFormatError extends Error {}

/** The WAL's own header: a WAL this long or shorter holds no commits. */
const WAL_HEADER_BYTES = 32;

/**
 * The format of an existing state database read from its file's header, opening nothing: undefined
 * when there is no database yet, or when a WAL beside it holds commits (the format may be among them:
 * the agent's own connection reads it then, see openDatabase).
 */
export function formatFromHeader(file: string): number | undefined {
  let wal: fs.Stats | undefined;
  try {
    wal = fs.statSync(`${file}-wal`);
  } catch {
    wal = undefined;
  }
  if (wal && wal.size > WAL_HEADER_BYTES) return undefined;
  return headerFormat(file);
}

/** Refuses a format newer than this agent's, naming the copy to roll back to. */
export function refuseNewerFormat(stateDir: string, file: string, format: number): void {
  if (format > STATE_FORMAT) throw new NewerStateFormatError(newerFormatMessage(stateDir, file, format));
}

function newerFormatMessage(stateDir: string, file: string, format: number): string {
  const found = `${file} is state format v${format}, written by a newer mvnet-agent; this one reads up to v${STATE_FORMAT}. Nothing was changed.`;
  const copy = rollbackCopy(stateDir);
  if (!copy)
    return `${found} Run the newer mvnet-agent again: no copy of an older format (state.db.pre-vN) is in ${stateDir} to roll back to.`;
  return (
    `${found} Run the newer mvnet-agent again, or roll the state back to the copy it kept before upgrading it, ` +
    `${copy.file} (format v${copy.format}; changes made since that upgrade are lost): with the agent stopped, ` +
    `rm -f ${file}-wal ${file}-shm && cp -p ${copy.file} ${file}`
  );
}

/** The newest kept copy whose format this agent reads. */
function rollbackCopy(stateDir: string): { file: string; format: number } | undefined {
  let best: { file: string; format: number } | undefined;
  for (const name of fs.readdirSync(stateDir)) {
    if (!/^state\.db\.pre-v\d+$/.test(name)) continue;
    const file = path.join(stateDir, name);
    const format = headerFormat(file);
    if (format !== undefined && format <= STATE_FORMAT && (!best || format > best.format))
      best = { file, format };
  }
  return best;
}

/**
 * user_version from a database file's header (4 bytes, big-endian, at offset 60: the SQLite file
 * format), without opening it as a database; undefined for what is not a regular SQLite file.
 */
function headerFormat(file: string): number | undefined {
  const header = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    if (!fs.fstatSync(fd).isFile() || fs.readSync(fd, header, 0, 64, 0) < 64) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') return undefined;
  return header.readUInt32BE(60);
}

/**
 * Keeps a copy of the state as it is (format `from`) before it is migrated to STATE_FORMAT, as
 * state.db.pre-v<STATE_FORMAT>, so an older agent can be run on it again: written whole beside it
 * (VACUUM INTO a file made 0600), synced, then renamed over any earlier copy of that name, so that a
 * copy is never half written. Fails the start when it cannot be made: nothing is migrated without it.
 */
export function keepPreMigrationCopy(db: Database.Database, stateDir: string): string {
  const copy = preMigrationCopy(stateDir, STATE_FORMAT);
  const partial = `${copy}.partial`;
  fs.rmSync(partial, { force: true });
  fs.closeSync(
    fs.openSync(partial, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600),
  );
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    fsyncPath(partial);
    fs.renameSync(partial, copy);
    fsyncPath(stateDir); // the rename itself
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new Error(
      `could not keep a copy of the state before migrating it (${copy}): ${(err as Error).message}; nothing was migrated`,
    );
  }
  return copy;
}

/** Syncs a file, or a directory's entries, to disk. */
function fsyncPath(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
