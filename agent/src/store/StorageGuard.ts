import fs from 'node:fs';
import { StorageFullError } from '../domain/errors';
import { MIN_FREE_STATE_BYTES } from '../domain/limits';

/**
 * Keeps a full disk from breaking a change halfway. Before a change starts writing, the state dir's
 * filesystem must have `minFreeBytes` available (df's "Avail"); a write that still finds the disk
 * full (SQLITE_FULL: another process took the room meanwhile) fails as the same StorageFullError. A
 * refused change touched nothing: the store's writes come before the kernel work (a pending entry,
 * or the transaction of a deletion), and SQLite rolls back what it could not write.
 */
export class StorageGuard {
  constructor(
    private readonly dir: string,
    private readonly minFreeBytes = MIN_FREE_STATE_BYTES,
  ) {}

  /** Throws StorageFullError when there is less room than a change may need. */
  checkRoom(): void {
    if (this.minFreeBytes <= 0) return;
    const { bavail, bsize } = fs.statfsSync(this.dir);
    const free = bavail * bsize;
    if (free < this.minFreeBytes) {
      throw new StorageFullError(
        `the agent's state disk is full (${free} bytes available in its state dir, a change needs ${this.minFreeBytes}): free space there; reads still work`,
      );
    }
  }

  /** Runs a write, turning SQLite's "database or disk is full" into a StorageFullError. */
  write<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      // By its code alone, not `instanceof`: the native addon keeps the SqliteError class (and the
      // Error it extends) of the first module instance that loaded it; a test runner's fresh module
      // registry and global context have other ones.
      if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_FULL') {
        throw new StorageFullError(
          "the agent's state disk is full (SQLite could not write): free space in its state dir; reads still work",
          { cause: err },
        );
      }
      throw err;
    }
  }
}
