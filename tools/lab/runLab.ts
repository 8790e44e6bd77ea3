/**
 * Runs a command on a real Linux kernel with 802.1q, dummy, bonding and VLAN-filtering bridges:
 * user-mode Linux (Debian's linux.uml) booted with this machine's `/` as its root (read-only) and
 * the state dir mounted read-write, so the command sees the repository, node and iproute2 as they
 * are here, and can write only to its state dir and private tmpfs (/tmp, /run, /var/tmp, /dev/shm).
 * A repository (or working dir) under one of those private dirs, as a fresh clone in /tmp, is
 * mounted from the machine again at its own path, read-only; so is a state dir there, read-write.
 *
 * A boot takes a few seconds. Booting again with the same state dir is a host reboot: the state
 * dir is kept, the kernel's state (links, namespaces, /run) is new.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bootInstance, type BootOutcome } from './bootInstance';
import { LabError } from './LabError';
import { findRepoRoot } from '../findRepoRoot';
import {
  isWithin,
  LAB_PRIVATE_DIRS,
  labFilesDir,
  labInitScript,
  labLauncherScript,
  privateDirOf,
  umlBinary,
  UML_MODULES_DIR,
  UML_UMID,
} from './labPaths';
import { renderCommandScript } from './renderCommandScript';
import { lockStateDir } from './stateDirLock';

export interface LabRunOptions {
  /** argv of the command, run inside the lab. */
  command: string[];
  /** Its working directory (read-only unless inside the state dir); the state dir by default. */
  cwd?: string;
  /**
   * A directory on the machine's disk, created if missing, mounted read-write inside. Under /tmp,
   * /run, /var/tmp or /dev/shm (private tmpfs inside) too, though not one of those itself.
   */
  stateDir: string;
  /** For the whole run, boot included; then the instance is killed and the run fails. */
  timeoutMs: number;
  /** Memory of the instance; 1024 by default. */
  memMb?: number;
  /** Environment of the command, besides PATH, HOME and MVNET_LAB_STATE (the state dir). */
  env?: Record<string, string>;
  /**
   * Processes the run serves besides this one (the outer jest worker that waits for the lab CLI): if
   * one of them dies, the instance is killed within a second, as when this process dies.
   */
  ownerPids?: number[];
  /**
   * Receives the instance's console as it arrives: kernel messages, then the command's output. If it
   * throws, the instance is killed and the run fails with a LabError that says what it threw.
   */
  onConsole?: (text: string) => void;
}

export interface LabRunResult {
  exitCode: number;
  /** The command's stdout and stderr, interleaved. */
  output: string;
  /** Host milliseconds from starting linux.uml until the command started. */
  bootMs: number;
  /** Host milliseconds from starting linux.uml until it had ended. */
  totalMs: number;
  /** The kernel's uptime when the command started, and when it ended (milliseconds, lab clock). */
  kernelUptimeMs: { booted: number; finished: number };
  /** The console log on the machine's disk. */
  consoleLog: string;
}

/** The runner's files in `<stateDir>/.lab/`, removed before each boot. */
const RUN_FILES = [
  'command.sh',
  'output',
  'exit-code',
  'exit-code.tmp',
  'boot-times',
  'console.log',
  'dmesg',
];

/** Boots a lab instance, runs `command` in it, and returns its exit code and output. */
export async function runInLab(options: LabRunOptions): Promise<LabRunResult> {
  const uml = umlBinary();
  assertUmlInstalled(uml);
  const script = renderCommandScript(options.command, options.env, options.cwd);
  const repo = realPath(findRepoRoot());
  assertPathForCommandLine(`repository ${repo}`, repo);
  const { stateDir, release } = prepareStateDir(options.stateDir);
  try {
    const readOnlyDirs = readOnlyMounts([repo, options.cwd ?? stateDir], stateDir);
    const files = labFilesDir(stateDir);
    fs.writeFileSync(path.join(files, 'command.sh'), script);
    const boot = await bootInstance({
      launcher: labLauncherScript(),
      umlArgv: [uml, ...kernelCommandLine(stateDir, readOnlyDirs, options.memMb ?? 1024)],
      consoleLog: path.join(files, 'console.log'),
      timeoutMs: options.timeoutMs,
      ownerPids: options.ownerPids,
      onConsole: options.onConsole,
    });
    return readResult(files, boot, options.timeoutMs);
  } finally {
    release();
  }
}

/**
 * The kernel command line. `ro`: the root is this machine's `/`, and init.sh mounts only the state
 * dir read-write. `mvnet_lab_state=`, `mvnet_lab_ro_dirs=`: unknown parameters, which the kernel
 * hands to init as environment variables. `uml_dir`/`umid`: UML's pid file and control socket go
 * into the state dir instead of ~/.uml, and a second instance on the same state dir is refused.
 * `noreboot`: a reboot request or a panic ends the process instead of booting again.
 */
function kernelCommandLine(stateDir: string, readOnlyDirs: string[], memMb: number): string[] {
  return [
    `mem=${memMb}M`,
    'root=/dev/root',
    'rootfstype=hostfs',
    'rootflags=/',
    'ro',
    `init=${labInitScript()}`,
    'con=null',
    'con0=fd:0,fd:1',
    `umid=${UML_UMID}`,
    `uml_dir=${labFilesDir(stateDir)}`,
    'noreboot',
    `mvnet_lab_state=${stateDir}`,
    ...(readOnlyDirs.length > 0 ? [`mvnet_lab_ro_dirs=${readOnlyDirs.join(':')}`] : []),
  ];
}

/**
 * Paths travel on the kernel command line and as hostfs mount options, which split on spaces and
 * commas; `mvnet_lab_ro_dirs=` joins them with colons.
 */
function assertPathForCommandLine(what: string, dir: string): void {
  if (!/^\/[A-Za-z0-9._+/-]*$/.test(dir))
    throw new LabError(`${what}: use only letters, digits and . _ + - / in its path`);
}

function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir); // missing: the command will say so
  }
}

/**
 * What init.sh mounts read-only from the machine at the same path (`mvnet_lab_ro_dirs=`): those of
 * `dirs` (the repository, the working dir) that lie below a private tmpfs of the lab, where the
 * machine's files are hidden otherwise (a fresh clone in /tmp). Not those in the state dir (mounted
 * read-write after them) or in another of them; not a private dir itself (the lab's own is there).
 */
function readOnlyMounts(dirs: string[], stateDir: string): string[] {
  const hidden = [...new Set(dirs.map(realPath))].filter((dir) => {
    const privateDir = privateDirOf(dir);
    return privateDir !== undefined && privateDir !== dir && !isWithin(dir, stateDir);
  });
  const outermost = hidden.filter((dir) => !hidden.some((other) => other !== dir && isWithin(dir, other)));
  for (const dir of outermost)
    assertPathForCommandLine(
      `${dir} is under ${privateDirOf(dir)}, private in the lab, and must be mounted`,
      dir,
    );
  return outermost;
}

function assertUmlInstalled(uml: string): void {
  const install = 'install them with: apt-get install user-mode-linux kmod';
  try {
    fs.accessSync(uml, fs.constants.X_OK);
  } catch {
    throw new LabError(`user-mode Linux is not installed: ${uml} is missing or not executable; ${install}`);
  }
  if (!fs.existsSync(UML_MODULES_DIR))
    throw new LabError(`${UML_MODULES_DIR} is missing, so the lab kernel has no modules; ${install}`);
}

/**
 * Creates the state dir, locks it, and clears the runner's files of the previous boot. init.sh
 * mounts it read-write at its path, last: under a private tmpfs too, on top of it or of a
 * read-only mount there. Not /dev, /proc or /sys (the lab's own), nor a private dir itself.
 */
function prepareStateDir(requested: string): { stateDir: string; release: () => void } {
  assertStateDirUsable(path.resolve(requested)); // before making it
  fs.mkdirSync(labFilesDir(path.resolve(requested)), { recursive: true });
  const stateDir = fs.realpathSync(requested);
  assertStateDirUsable(stateDir);
  const lock = lockStateDir(stateDir);
  if ('heldBy' in lock) throw new LabError(`state dir ${stateDir} is in use by process ${lock.heldBy}`);
  const files = labFilesDir(stateDir);
  for (const name of RUN_FILES) fs.rmSync(path.join(files, name), { force: true });
  return { stateDir, release: lock.release };
}

function assertStateDirUsable(stateDir: string): void {
  assertPathForCommandLine(`state dir ${stateDir}`, stateDir);
  if (stateDir === '/') throw new LabError('state dir /: the whole machine would be writable in the lab');
  if (LAB_PRIVATE_DIRS.includes(stateDir))
    throw new LabError(`state dir ${stateDir} is a private tmpfs inside the lab; use a directory below it`);
  if (/^\/(dev|proc|sys)(\/|$)/.test(stateDir) && privateDirOf(stateDir) === undefined)
    throw new LabError(`state dir ${stateDir} is on a filesystem that is private inside the lab`);
}

function readResult(files: string, boot: BootOutcome, timeoutMs: number): LabRunResult {
  const consoleLog = path.join(files, 'console.log');
  const details = { consoleTail: boot.consoleTail, consoleLog };
  if (!boot.groupGone)
    throw new LabError('some processes of the lab instance survived SIGKILL of its process group', details);
  if (boot.consoleCallbackError !== undefined) {
    const error = boot.consoleCallbackError;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new LabError(`onConsole threw, so the lab instance was killed: ${message}`, details);
  }
  if (boot.timedOut) {
    const stage = boot.bootMs === undefined ? 'before it booted' : `after booting in ${boot.bootMs} ms`;
    throw new LabError(`the lab run timed out after ${timeoutMs} ms (${stage}); it was killed`, details);
  }
  const exitCodeText = readOptional(path.join(files, 'exit-code'));
  if (boot.bootMs === undefined || exitCodeText === undefined) {
    const what =
      boot.bootMs === undefined
        ? 'the lab instance did not boot (init.sh never reported "booted")'
        : 'the lab instance stopped before the command finished (no exit-code file)';
    throw new LabError(`${what}; ${describeExit(boot.exitCode)}`, details);
  }
  const [booted = NaN, finished = NaN] = (readOptional(path.join(files, 'boot-times')) ?? '')
    .split('\n')
    .map((s) => Math.round(Number(s) * 1000));
  return {
    exitCode: Number(exitCodeText.trim()),
    output: readOptional(path.join(files, 'output')) ?? '',
    bootMs: boot.bootMs,
    totalMs: boot.totalMs,
    kernelUptimeMs: { booted, finished },
    consoleLog,
  };
}

/** launch.sh exits with linux.uml's status: 128+N when a signal N killed it, as shells report it. */
function describeExit(code: number | null): string {
  if (code === null) return 'linux.uml was killed';
  if (code > 128) return `linux.uml was killed by signal ${code - 128}`;
  return `linux.uml exited with ${code}`;
}

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
