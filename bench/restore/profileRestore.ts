/**
 * Where a start's time goes inside the agent: after the timed rounds, one more restart and one more
 * reboot with the agent under `node --cpu-prof`, each profile read from the spawn to the client's check
 * (bench/apply/cpuProfileCosts.ts: the profile's clock is the benchmark's). The profiler slows the
 * agent: the figures are the rounds', this says only where the time goes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { profileCosts, type ProfileCosts, type ProfileRow } from '../apply/cpuProfileCosts';
import type { TimedStart } from './RestoreAgent';
import type { RestoreSession } from './RestoreSession';

/**
 * What a start's time goes to, by functions that do their work without an `await` in between (a
 * sample's stack starts at the function resumed after one, so an async stage's own row would
 * undercount: the log's stages measure those). (idle) is the thread waiting: a process's answer, the
 * disk, the client.
 */
export const RESTORE_PROFILE_ROWS: ProfileRow[] = [
  {
    key: 'modules',
    label: 'loading modules (require)',
    name: 'Module._load',
    file: 'node:internal/modules/cjs/loader',
  },
  {
    key: 'netns',
    label: "opening containers' netns (NetnsOpener.open)",
    name: 'open',
    file: 'kernel/NetnsOpener',
  },
  {
    key: 'requests',
    label: 'rtnetlink requests, dumps included (RtnlSocket.request)',
    name: 'request',
    file: 'kernel/netlink/RtnlSocket',
  },
  {
    key: 'commit',
    label: 'SQLite: a change committed (Store.transact)',
    name: 'transact',
    file: 'store/Store',
  },
  {
    key: 'commitEach',
    label: 'SQLite: changes committed together (Store.transactEach)',
    name: 'transactEach',
    file: 'store/Store',
  },
  { key: 'log', label: 'log lines (pino)', name: 'LOG', file: 'pino/' },
  { key: 'gc', label: 'garbage collection', name: '(garbage collector)', file: '' },
  { key: 'idle', label: 'idle: the thread waits', name: '(idle)', file: '' },
];

const HOTTEST = 8;

export interface ProfiledRestore {
  restart: ProfileCosts;
  reboot: ProfileCosts;
}

/** The one `.cpuprofile` node wrote into `dir`, as text. */
function readProfile(dir: string): string {
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) throw new Error(`the profiled agent wrote no CPU profile into ${dir}`);
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

const costsOf = (profile: string, start: TimedStart) =>
  profileCosts(
    profile,
    { fromUs: start.spawnedNs / 1000n, toUs: start.readyNs / 1000n },
    RESTORE_PROFILE_ROWS,
    HOTTEST,
  );

/** A profiled restart, then a profiled reboot (and its re-attach, outside the window); the agent stays stopped. */
export async function profileRestore(session: RestoreSession, tmpDir: string): Promise<ProfiledRestore> {
  const [restartDir, rebootDir] = ['restart', 'reboot'].map((d) => path.join(tmpDir, d));
  const restarted = await session.restart(restartDir);
  const rebooted = await session.reboot(rebootDir); // stops the profiled restart: its profile is written
  await session.reattach();
  await session.stopAgent();
  return {
    restart: costsOf(readProfile(restartDir), restarted),
    reboot: costsOf(readProfile(rebootDir), rebooted),
  };
}
