/**
 * Names of the network namespaces tests create: `mvt-<run>-<tag>-<random>`, where <run> is the pid of
 * the test run that owns it (base 36). Every run removes its own namespaces, and those of runs that
 * died, at start and at end, but never those of another run still going (several engineers test on
 * one machine).
 */
import crypto from 'node:crypto';
import { deleteNetns, listNetns } from '../../tools/netns';
import { isProcessAlive } from '../../tools/processGroup';

/** Every namespace a test creates has a name starting with this. */
export const TEST_NETNS_PREFIX = 'mvt-';

/** The environment variable through which globalSetup hands its pid to the test workers. */
const RUN_PID_VARIABLE = 'MVNET_TEST_RUN_PID';

/** Marks the current process as the owner of a test run (globalSetup calls it before any test). */
export function claimTestRun(): void {
  process.env[RUN_PID_VARIABLE] = String(process.pid);
}

function runPid(): number {
  return Number(process.env[RUN_PID_VARIABLE] ?? process.pid);
}

/** A fresh namespace name, at most 26 characters: `mvt-<run>-<tag, up to 8>-<6 random>`. */
export function uniqueNetnsName(tag: string): string {
  const cleanTag =
    tag
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 8) || 'ns';
  const random = crypto.randomBytes(3).toString('hex');
  return `${TEST_NETNS_PREFIX}${runPid().toString(36)}-${cleanTag}-${random}`;
}

/** A test namespace is left over when its run is this one, or a run whose process is gone. */
function isLeftOver(name: string): boolean {
  const owner = parseInt(name.slice(TEST_NETNS_PREFIX.length).split('-')[0], 36);
  if (!Number.isInteger(owner) || owner <= 0) return true;
  return owner === runPid() || !isProcessAlive(owner);
}

/** Deletes the test namespaces of this run and of dead runs; returns their names. */
export async function removeTestNamespaces(): Promise<string[]> {
  const names = (await listNetns()).filter((n) => n.startsWith(TEST_NETNS_PREFIX) && isLeftOver(n));
  await Promise.all(names.map((n) => deleteNetns(n)));
  return names;
}
