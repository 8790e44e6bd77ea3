/**
 * One lab instance per state dir at a time: a second one would share its files and its "disk".
 * The lock is `<stateDir>/.lab/lock`, created exclusively, holding the runner's pid; a lock whose
 * process is gone is stale and taken over (its instance is gone too: launch.sh's watchdog kills an
 * instance within a second of its runner's death).
 */
import fs from 'node:fs';
import path from 'node:path';
import { labFilesDir, UML_UMID } from './labPaths';
import { isProcessAlive } from '../processGroup';

function lockFile(stateDir: string): string {
  return path.join(labFilesDir(stateDir), 'lock');
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a linux.uml running on this state dir, from the pid file UML keeps in its uml_dir. */
function runningInstancePid(stateDir: string): number | undefined {
  const files = labFilesDir(stateDir);
  const pid = readPid(path.join(files, UML_UMID, 'pid'));
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(`uml_dir=${files}\0`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of the runner or instance using the state dir, if any. */
export function stateDirUser(stateDir: string): number | undefined {
  const holder = readPid(lockFile(stateDir));
  if (holder !== undefined && isProcessAlive(holder)) return holder;
  return runningInstancePid(stateDir);
}

/** True if another runner or a lab instance is using the state dir. */
export function isStateDirInUse(stateDir: string): boolean {
  return stateDirUser(stateDir) !== undefined;
}

/**
 * Takes the lock (`.lab/` must exist) or returns the pid of the process holding it. The returned
 * function releases it.
 */
export function lockStateDir(stateDir: string): { release: () => void } | { heldBy: number } {
  const file = lockFile(stateDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = stateDirUser(stateDir);
      if (holder !== undefined) return { heldBy: holder };
      fs.rmSync(file, { force: true }); // stale: its runner is gone
    }
  }
  return { heldBy: readPid(file) ?? 0 };
}
