import type { Logger } from 'pino';
import { StorageFullError } from '../domain/errors';

/**
 * Runs a write that records what the agent observed, not what a client asked for: a status seen on a
 * read, a repair or the boot id at start, a pending change undone. On a full state disk it is logged
 * and skipped, and `fallback` stands in (the record as observed, not stored): reads and the start go
 * on, and the next look observes it again. A client's own change is refused instead (StorageGuard).
 */
export function recordUnlessFull<T>(logger: Logger, what: string, write: () => T, fallback: () => T): T {
  try {
    return write();
  } catch (err) {
    if (!(err instanceof StorageFullError)) throw err;
    logger.warn({ err: err.message }, `${what} not recorded: the state disk is full`);
    return fallback();
  }
}
