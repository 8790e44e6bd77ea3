/**
 * Where the lab's pieces are. The runner is loaded from tools/lab/ (ts-jest, or the TypeScript hook
 * of registerTypeScript.js) or from dist/tools/lab/ (after a build); the shell scripts it boots and
 * the lab tests exist only in the source tree, so every path is taken from the repository root.
 */
import path from 'node:path';
import { findRepoRoot } from '../findRepoRoot';

/** The user-mode Linux kernel (Debian's user-mode-linux). MVNET_LAB_UML overrides it (tests do). */
export function umlBinary(): string {
  return process.env.MVNET_LAB_UML ?? '/usr/bin/linux.uml';
}

/** The UML modules tree of Debian's package, mounted inside the lab as the modules of its kernel. */
export const UML_MODULES_DIR = '/usr/lib/uml/modules';

/** The name UML gives the instance (`umid=`), and its pid/socket dir in `<stateDir>/.lab/`. */
export const UML_UMID = 'lab';

/** PID 1 inside the lab. */
export function labInitScript(): string {
  return path.join(findRepoRoot(), 'tools/lab/init.sh');
}

/** The host-side wrapper that starts linux.uml and kills its process group if the runner dies. */
export function labLauncherScript(): string {
  return path.join(findRepoRoot(), 'tools/lab/launch.sh');
}

/**
 * The directories that are a private tmpfs inside the lab (init.sh mounts them): the machine's files
 * there are hidden, except the directories init.sh mounts from the machine again at their own path
 * on top (the repository when it lies there, the state dir, see runLab.ts).
 */
export const LAB_PRIVATE_DIRS = ['/tmp', '/var/tmp', '/run', '/dev/shm'];

/** True if `dir` (absolute, normalized) is `parent` or lies below it. */
export function isWithin(dir: string, parent: string): boolean {
  return dir === parent || dir.startsWith(parent === '/' ? '/' : `${parent}/`);
}

/** The private directory of the lab (LAB_PRIVATE_DIRS) that `dir` is or lies under, if any. */
export function privateDirOf(dir: string): string | undefined {
  return LAB_PRIVATE_DIRS.find((p) => isWithin(dir, p));
}

/**
 * Where the lab tests are: `*.labtest.ts` files, which jest.lab.config.js runs inside the lab, and the
 * outer `*.test.ts` files of the `lab` jest project (describeInLab).
 */
export function labTestsDir(): string {
  return path.join(findRepoRoot(), 'test/lab');
}

/** Where state dirs go by default: `<repo>/.lab-state/` (gitignored). */
export function labStateRoot(): string {
  return path.join(findRepoRoot(), '.lab-state');
}

/**
 * The runner's own files inside a state dir (command, console log, output, exit code). Everything
 * else in the state dir belongs to the command and survives a reboot.
 */
export function labFilesDir(stateDir: string): string {
  return path.join(stateDir, '.lab');
}
