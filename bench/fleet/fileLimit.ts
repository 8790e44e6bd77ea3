import fs from 'node:fs';
import type { FleetSettings } from './fleetSettings';

/** Descriptors per simulated agent: the client's connections (its own and the new one), with room. */
const CLIENT_FDS_PER_AGENT = 3;
/** A child's: the listening socket, SQLite's three files, the accepted connections, with room. */
const CHILD_FDS_PER_AGENT = 6;
const BASE_FDS = 256;

/** The soft limit of open files of this process (its children inherit it). */
export function openFileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/**
 * Fails before anything starts when the open-file limit is too low for part 2 (a default of 1,024
 * would end the run midway with EMFILE): `npm run bench:fleet` raises it first (ulimit -n).
 */
export function checkFileLimit(s: FleetSettings): void {
  const perChild = Math.ceil(s.simulated / s.processes);
  const needed = BASE_FDS + Math.max(s.simulated * CLIENT_FDS_PER_AGENT, perChild * CHILD_FDS_PER_AGENT);
  const limit = openFileLimit();
  if (limit < needed)
    throw new Error(
      `${s.simulated} simulated agents need about ${needed} open files per process, the limit is ${limit}: raise it (ulimit -n 65536, as npm run bench:fleet does)`,
    );
}
