/**
 * Starts the `ip` processes that run inside container namespaces without forking Node for each.
 *
 * Node's spawn forks the whole agent (tens of MB of address space: 2+ ms here, the event loop blocked
 * meanwhile, and more as the agent grows); a small long-lived `/bin/sh` (dash) forks in a fraction of
 * that, off the agent's thread. The agent writes it one request per line, `ID OP NETNS SLOT`; the
 * shell runs `ip -n NETNS` (or `nsenter --net=FILE ip`) in the background and answers `ID P PID` once
 * it forked, `ID X CODE` once ip exited. Requests carry only checked tokens (no blank, no quote, no
 * newline: see SAFE_WORD), read into shell variables that are only ever expanded inside double quotes:
 * nothing a request holds is parsed as shell code.
 *
 * Each running ip gets a slot, a private directory holding a FIFO `in` (its -batch input) and the
 * files `out` and `err`. ip enters its netns while it parses its options, and only then opens its
 * batch file: the agent's open of the FIFO for writing returns once ip is in, which is what
 * a probe line (`link show dev lo`) had to tell before. Slots are reused one ip after another.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBatchLine } from '../linkArgumentChecks';
import { KernelError } from '../../domain/errors';
import { NETNS_RUN_DIR, ResolvedNetns } from '../resolveNetns';
import type { CommandResult } from './runCommand';
import { isAlive } from '../isAlive';

/** What may be a word of a request: the plain-token alphabet of batchTokens. */
const SAFE_WORD = /^[A-Za-z0-9_.:/-]+$/;

/**
 * The helper. `read -r` splits a line on blanks into the five variables; each is used only quoted, and
 * `force` is either `-force` (go on after a failed line) or a harmless repeat of `-d`. `$!` is the pid
 * of the forked child, which execs ip (nsenter execs ip in turn: the same pid). `h` runs ip in the
 * agent's own netns.
 */
const HELPER_SCRIPT = `
while read -r id op ns slot force; do
  case $force in -force) ;; *) force=-d ;; esac
  case $op in
    n) ( ip -n "$ns" "$force" -j -d -batch "$slot/in" >"$slot/out" 2>"$slot/err" </dev/null &
         echo "$id P $!"; wait $!; echo "$id X $?" ) </dev/null & ;;
    f) ( nsenter "--net=$ns" ip "$force" -j -d -batch "$slot/in" >"$slot/out" 2>"$slot/err" </dev/null &
         echo "$id P $!"; wait $!; echo "$id X $?" ) </dev/null & ;;
    h) ( ip "$force" -j -d -batch "$slot/in" >"$slot/out" 2>"$slot/err" </dev/null &
         echo "$id P $!"; wait $!; echo "$id X $?" ) </dev/null & ;;
    m) mkfifo -m 600 "$slot/in" </dev/null; echo "$id X $?" ;;
    *) echo "$id X 127" ;;
  esac
done
`;

/** A FIFO and two files in a directory of their own. */
interface Slot {
  dir: string;
  fifo: string;
  out: string;
  err: string;
}

/** A request on its way through the helper. */
interface Pending {
  onPid: (pid: number) => void;
  /** `lost`: the helper died first, so ip's end is unknown (its slot is not used again). */
  onExit: (code: number, lost?: boolean) => void;
}

export interface LaunchOptions {
  /** ip -force: go on after a failed line. */
  force?: boolean;
}

/** A process or a pipe (net.Socket) that may or may not keep Node's event loop alive. */
type Referable = { ref?(): void; unref?(): void };

/** The outcome of a script: as a command's, and which line failed when ip said so. */
export interface ScriptResult extends CommandResult {
  /** The 1-based number of the line that failed; absent when none did. */
  failedLine?: number;
}

/** What ip's -batch says when a line fails: `Command failed FILE:LINE`. */
const FAILED_LINE = /^Command failed .*:(\d+)$/m;

/** One `ip -j -d -batch` in a netns, started by the launcher: no Node spawn. */
export class LaunchedScript {
  private pidValue = 0;
  private readonly started: Promise<void>;
  private readonly exited: Promise<number>;
  private readonly opened: Promise<number | undefined>;
  private exitCode?: number;
  private lost = false;
  private ended = false;

  constructor(
    private readonly launcher: NetnsLauncher,
    private readonly slot: Slot,
    private readonly argv: readonly string[],
    submit: (p: Pending) => void,
  ) {
    let pidSeen: () => void = () => undefined;
    let exitSeen: (code: number) => void = () => undefined;
    this.started = new Promise((resolve) => (pidSeen = resolve));
    this.exited = new Promise((resolve) => (exitSeen = resolve));
    submit({
      onPid: (pid) => {
        this.pidValue = pid;
        pidSeen();
      },
      onExit: (code, lost) => {
        this.exitCode = code;
        this.lost = lost === true;
        pidSeen();
        exitSeen(code);
      },
    });
    this.opened = this.openFifo();
  }

  /** The pid of ip: once whenReady() said yes, `ip link ... netns PID` names this netns. */
  get pid(): number {
    return this.pidValue;
  }

  /** Resolves true once ip is inside its netns (it opened its input); false when it ended first. */
  async whenReady(): Promise<boolean> {
    const fd = await this.opened;
    await this.started;
    return fd !== undefined && this.exitCode === undefined;
  }

  /** Writes `lines`, ends ip's input, and gives the outcome once ip has exited. */
  async end(lines: string[] = []): Promise<ScriptResult> {
    if (this.ended) throw new Error('LaunchedScript.end called twice');
    this.ended = true;
    let bad: unknown;
    try {
      for (const line of lines) checkBatchLine(line);
    } catch (err) {
      bad = err; // nothing is written: ip reads the end of its input and exits
    }
    const fd = await this.opened;
    if (fd !== undefined) {
      try {
        if (bad === undefined && lines.length > 0) fs.writeSync(fd, lines.map((l) => `${l}\n`).join(''));
      } catch {
        // EPIPE: ip ended early; its exit code and stderr say why.
      }
      fs.closeSync(fd);
    }
    if (bad !== undefined) {
      await this.exited;
      this.launcher.release(this.slot, this.lost);
      throw bad;
    }
    const code = await this.exited;
    const stdout = readOrEmpty(this.slot.out);
    const stderrRaw = readOrEmpty(this.slot.err);
    this.launcher.release(this.slot, this.lost);
    const failed = FAILED_LINE.exec(stderrRaw);
    const result: ScriptResult = {
      argv: [...this.argv, ...lines],
      exitCode: code,
      stdout,
      stderr: stderrRaw.replace(/^Command failed .*:\d+\n?/m, '').trim(),
    };
    if (failed) result.failedLine = Number(failed[1]);
    return result;
  }

  /**
   * Opens the FIFO for writing, which returns once ip has opened it for reading. When ip ends without
   * opening it (it could not enter the netns), a reader opened here releases the waiting open.
   */
  private openFifo(): Promise<number | undefined> {
    return new Promise((resolve) => {
      let releaser: number | undefined;
      let done = false;
      void this.exited.then(() => {
        if (done) return;
        try {
          releaser = fs.openSync(this.slot.fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        } catch {
          // The slot is gone (the launcher closed): the pending open fails by itself.
        }
      });
      fs.open(this.slot.fifo, fs.constants.O_WRONLY, (err, fd) => {
        done = true;
        if (releaser !== undefined) fs.closeSync(releaser);
        if (err) return resolve(undefined);
        if (this.exitCode === undefined) return resolve(fd);
        fs.closeSync(fd); // ip is gone: nothing reads what would be written
        resolve(undefined);
      });
    });
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The slot directories of the launchers not closed yet: removed when the process exits. */
const slotDirs = new Set<string>();
let exitHookSet = false;

/**
 * The directory for slots: private (mkdtemp's 0700), under the system's temporary directory, named
 * after this process, so that the first one made also removes those of agents that died without
 * removing theirs (SIGKILL: no exit hook runs).
 */
function makeSlotsDir(): string {
  const base = SAFE_WORD.test(os.tmpdir()) ? os.tmpdir() : '/tmp';
  if (!exitHookSet) removeDeadSlotDirs(base);
  const dir = fs.mkdtempSync(path.join(base, `mvnet-ip-${process.pid}-`));
  if (!exitHookSet) process.once('exit', removeSlotDirs);
  exitHookSet = true;
  slotDirs.add(dir);
  return dir;
}

/** Removes the slot directories (`mvnet-ip-<pid>-*`) of processes that are gone. */
export function removeDeadSlotDirs(base: string): void {
  for (const name of fs.readdirSync(base)) {
    const owner = /^mvnet-ip-(\d+)-/.exec(name);
    if (owner && !isAlive(Number(owner[1])))
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
  }
}

function removeSlotDirs(): void {
  for (const dir of slotDirs) fs.rmSync(dir, { recursive: true, force: true });
  slotDirs.clear();
}

/**
 * The long-lived helper and its slots. Idle, it does not keep Node alive; close() ends it once the
 * scripts under way are done and removes its slots.
 */
export class NetnsLauncher {
  private child?: ChildProcessWithoutNullStreams;
  private dir?: string;
  private readonly free: Slot[] = [];
  private slotsMade = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private partial = '';
  private closed = false;

  /**
   * Starts `ip -j -d -batch` in `netns` (undefined: the agent's own netns); its lines come with end().
   * With `force`, ip goes on after a failed line (and exits non-zero at the end).
   */
  async start(netns: ResolvedNetns | undefined, opts: LaunchOptions = {}): Promise<LaunchedScript> {
    if (this.closed) throw new KernelError('cannot run ip: the driver is closed');
    const { op, target } = launchTarget(netns);
    const slot = await this.acquire();
    const force = opts.force ? ['-force'] : [];
    const argv = [...(netns?.ipArgv ?? ['ip']), ...force, '-j', '-d', '-batch', slot.fifo];
    const flag = opts.force ? '-force' : '-d';
    return new LaunchedScript(this, slot, argv, (p) => this.request(op, target, slot.dir, p, flag));
  }

  /** Runs `lines` in one ip process in `netns`; with `show` lines, their JSON is on stdout. */
  async run(
    netns: ResolvedNetns | undefined,
    lines: string[],
    opts: LaunchOptions = {},
  ): Promise<ScriptResult> {
    for (const line of lines) checkBatchLine(line);
    return (await this.start(netns, opts)).end(lines);
  }

  /** Gives a slot back once its ip has exited and its output was read. */
  release(slot: Slot, lost = false): void {
    if (!this.closed && !lost) this.free.push(slot);
    this.setReferenced();
  }

  /** Lets the scripts under way finish, ends the helper, removes the slots. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const child = this.child;
    if (child) {
      const gone = new Promise((resolve) => child.once('close', resolve));
      for (const handle of [child, child.stdin, child.stdout, child.stderr] as Referable[]) handle.ref?.();
      child.stdin.end();
      await gone;
    }
    if (this.dir) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      slotDirs.delete(this.dir);
    }
    this.dir = undefined;
  }

  private async acquire(): Promise<Slot> {
    const reused = this.free.pop();
    if (reused) return reused;
    this.dir ??= makeSlotsDir();
    const dir = path.join(this.dir, String(this.slotsMade++));
    fs.mkdirSync(dir, { mode: 0o700 });
    const slot = { dir, fifo: path.join(dir, 'in'), out: path.join(dir, 'out'), err: path.join(dir, 'err') };
    const code = await new Promise<number>((resolve) =>
      this.request('m', '-', dir, { onPid: () => undefined, onExit: resolve }),
    );
    if (code !== 0) throw new KernelError(`cannot run ip: cannot make a FIFO in ${dir} (exit code ${code})`);
    return slot;
  }

  private request(op: string, target: string, slotDir: string, p: Pending, flag = '-d'): void {
    for (const word of [target, slotDir]) {
      if (!SAFE_WORD.test(word)) throw new KernelError(`cannot run ip: unsafe word ${JSON.stringify(word)}`);
    }
    const id = this.nextId++;
    this.pending.set(id, p);
    const child = this.child ?? this.startHelper();
    this.setReferenced();
    child.stdin.write(`${id} ${op} ${target} ${slotDir} ${flag}\n`);
  }

  private startHelper(): ChildProcessWithoutNullStreams {
    const child = spawn('/bin/sh', ['-c', HELPER_SCRIPT], { env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    this.partial = '';
    child.stdin.on('error', () => undefined); // EPIPE when the helper died: 'close' reports it
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.onData(d));
    child.stderr.setEncoding('utf8').on('data', () => undefined);
    child.on('error', () => undefined); // 'close' follows
    child.on('close', () => {
      if (this.child === child) this.child = undefined;
      // Whatever was under way will not be answered: its ip, if any, is on its own.
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.onExit(127, true);
    });
    return child;
  }

  private onData(data: string): void {
    const lines = (this.partial + data).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(\d+) ([PX]) (\d+)$/.exec(line);
      const p = m && this.pending.get(Number(m[1]));
      if (!m || !p) continue;
      if (m[2] === 'P') {
        p.onPid(Number(m[3]));
      } else {
        this.pending.delete(Number(m[1]));
        p.onExit(Number(m[3]));
      }
    }
    this.setReferenced();
  }

  /** A helper with nothing under way must not keep Node alive; a busy one must. */
  private setReferenced(): void {
    const child = this.child;
    if (!child) return;
    const on = this.pending.size > 0 || this.closed;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Referable[]) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }
}

/** How the helper enters `netns`: `ip -n NAME` for a named one, nsenter on its file otherwise. */
function launchTarget(netns: ResolvedNetns | undefined): { op: 'n' | 'f' | 'h'; target: string } {
  if (netns === undefined) return { op: 'h', target: '-' };
  const [first, flag, name] = netns.ipArgv;
  if (first === 'ip' && flag === '-n' && netns.file === `${NETNS_RUN_DIR}/${name}`) {
    return { op: 'n', target: name };
  }
  return { op: 'f', target: netns.file };
}
