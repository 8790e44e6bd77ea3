import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { checkBatchLine } from '../linkArgumentChecks';
import { KernelError } from '../../domain/errors';
import { CommandResult } from './runCommand';

/** The options every batch process gets: keep going after a failed line, JSON for the `show` commands. */
const BATCH_OPTIONS = ['-force', '-j', '-d', '-batch', '-'];

const FAILED_LINE = /^Command failed -:(\d+)$/;

interface Command {
  line: string;
  /** A `show` whose success prints exactly one line of JSON on stdout. */
  json: boolean;
  resolve: (r: CommandResult) => void;
  reject: (err: unknown) => void;
  /** Already run once more in a fresh process, after a stale interface index (see STALE_INDEX). */
  retried?: boolean;
}

/**
 * The kernel's answer to an interface index that no longer exists. ip remembers the name → index of
 * every link a `link show` listed, for the rest of its life: once a link is deleted and made again
 * under the same name behind this process's back (a sub-interface deleted by hand, then re-created by
 * drift repair), `link set dev NAME` sends the old index and fails with this. (A name ip cannot
 * resolve at all fails with `Cannot find device` instead.) Such a command runs once more in a new process,
 * also when ip ended itself on it (`link show dev NAME` does).
 */
const STALE_INDEX = /No such device/;

/** The command on its way through the process, and what has come back for it so far. */
interface InFlight extends Command {
  lineNumber: number;
  stderr: string[];
  failed: boolean;
  sentinelSeen: boolean;
  timer: NodeJS.Timeout;
}

/** A process or a pipe (net.Socket) that may or may not keep Node's event loop alive. */
type Referable = { ref?(): void; unref?(): void };

export interface IpBatchOptions {
  /** A command without an answer after this long kills the process (and fails): ip is stuck. */
  timeoutMs?: number;
}

/**
 * One `ip -force -batch -` process fed through stdin, one command at a time, so that a command costs
 * a write and a read instead of a spawn: ~0.2 ms for a `link show`, ~0.4 ms for a `link add` (with the
 * kernel's own work), against 2–10 ms for a process. Used for the host namespace, which is long-lived.
 *
 * ip says nothing when a line succeeds, so each command is followed by a sentinel: `link show dev`
 * of a name no link has, which always fails with `Device "<name>" does not exist.` on stderr, which
 * is unbuffered. Everything on stderr before that message belongs to the command; with -force ip
 * reports a failed line as `Command failed -:<line number>`, which tells a failure from a warning.
 * A successful `-j ... show` prints one line of JSON, flushed before the sentinel runs. A line ip
 * cannot parse at all ends the process (its `invarg()` exits): that command fails with what ip said,
 * and the next command starts a new process.
 */
export class IpBatch {
  private readonly argv: readonly string[];
  private readonly timeoutMs: number;
  private readonly queue: Command[] = [];
  private child?: ChildProcessWithoutNullStreams;
  private exited?: Promise<void>;
  private current?: InFlight;
  /** `link show dev <sentinel>`, and the message with which it fails. */
  private sentinelLine = '';
  private sentinelMessage = '';
  private linesWritten = 0;
  private stdoutLines: string[] = [];
  private partial = { stdout: '', stderr: '' };
  private closed = false;

  /** `ipArgv` runs ip where the commands should go: `['ip']`, `['ip', '-n', 'h1']`, `['nsenter', ..., 'ip']`. */
  constructor(ipArgv: readonly string[], opts: IpBatchOptions = {}) {
    this.argv = [...ipArgv, ...BATCH_OPTIONS];
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  /** Runs one command line; exitCode 0 when it succeeded. Fails only when ip cannot be run. */
  run(line: string, json = false): Promise<CommandResult> {
    try {
      checkBatchLine(line); // a newline would start a command of its own
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.closed) return Promise.reject(new KernelError('cannot run ip: the driver is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ line, json, resolve, reject });
      this.next();
    });
  }

  /** Lets the queued commands finish, then ends the process (ip exits at the end of its input). */
  async close(): Promise<void> {
    this.closed = true;
    this.endWhenIdle();
    await this.exited;
  }

  private next(): void {
    if (this.current) return;
    const command = this.queue.shift();
    if (!command) {
      this.setReferenced(false);
      this.endWhenIdle();
      return;
    }
    const child = this.child ?? this.start();
    this.setReferenced(true);
    this.stdoutLines = []; // nothing but a JSON answer prints on stdout: leftovers are stray
    const lineNumber = this.linesWritten + 1;
    this.linesWritten += 2;
    const timer = setTimeout(() => this.giveUp(), this.timeoutMs);
    this.current = { ...command, lineNumber, stderr: [], failed: false, sentinelSeen: false, timer };
    child.stdin.write(`${command.line}\n${this.sentinelLine}\n`);
  }

  private start(): ChildProcessWithoutNullStreams {
    // A name no link has (a leading dot no tool gives a link), longer than a link name may be (15
    // bytes): ip looks it up as an altname over netlink only, and never with SIOCGIFINDEX, whose miss
    // makes the kernel run modprobe twice (netdev-NAME, NAME) for every command.
    const sentinel = `.mvb${crypto.randomBytes(10).toString('hex')}`;
    this.sentinelLine = `link show dev ${sentinel}`;
    this.sentinelMessage = `Device "${sentinel}" does not exist.`;
    this.linesWritten = 0;
    this.partial = { stdout: '', stderr: '' };
    const [file, ...args] = this.argv;
    const child = spawn(file, args, { env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    child.stdin.on('error', () => undefined); // EPIPE when ip died: 'close' reports it
    // After a timeout the process is dropped: what it still says belongs to no command.
    const ours = () => this.child === child;
    child.stdout.setEncoding('utf8').on('data', (d: string) => ours() && this.onData('stdout', d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ours() && this.onData('stderr', d));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.onExit(child, code, signal, spawnError);
        resolve();
      });
    });
    return child;
  }

  private onData(stream: 'stdout' | 'stderr', data: string): void {
    const lines = (this.partial[stream] + data).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) {
      if (stream === 'stdout') this.stdoutLines.push(line);
      else this.onStderrLine(line);
    }
    this.finishIfAnswered();
  }

  private onStderrLine(line: string): void {
    const current = this.current;
    if (!current) return;
    const failed = FAILED_LINE.exec(line);
    // The sentinel's own "Command failed" line comes after its message, or with the next command.
    if (failed) current.failed ||= Number(failed[1]) === current.lineNumber;
    else if (line === this.sentinelMessage) current.sentinelSeen = true;
    else current.stderr.push(line);
  }

  private finishIfAnswered(): void {
    const c = this.current;
    if (!c?.sentinelSeen) return;
    const answer = c.json && !c.failed ? this.stdoutLines.shift() : '';
    if (answer === undefined) return; // the JSON line is on its way
    const stderr = c.stderr.join('\n');
    if (c.failed && !c.retried && STALE_INDEX.test(stderr)) {
      this.retryInFreshProcess(c);
      return;
    }
    this.finish({ argv: [...this.argv, c.line], exitCode: c.failed ? 1 : 0, stdout: answer, stderr });
  }

  /** Ends the process (its cache with it: ip exits at the end of its input) and runs `c` first in the next. */
  private retryInFreshProcess(c: InFlight): void {
    clearTimeout(c.timer);
    this.current = undefined;
    const child = this.child;
    this.child = undefined; // its exit belongs to no command any more
    child?.stdin.end();
    this.queue.unshift({ line: c.line, json: c.json, resolve: c.resolve, reject: c.reject, retried: true });
    this.next();
  }

  private finish(result: CommandResult | Error): void {
    const c = this.current;
    if (!c) return;
    clearTimeout(c.timer);
    this.current = undefined;
    if (result instanceof Error) c.reject(result);
    else c.resolve(result);
    this.next();
  }

  private onExit(
    child: ChildProcessWithoutNullStreams,
    code: number | null,
    signal: string | null,
    err?: Error,
  ) {
    if (this.child !== child) return;
    this.child = undefined;
    const c = this.current;
    if (!c) return;
    if (err) {
      this.finish(new KernelError(`cannot run ${this.argv[0]}: ${err.message}`, this.argv));
      return;
    }
    const stderr = [...c.stderr, this.partial.stderr].filter((l) => l !== '' && !FAILED_LINE.test(l));
    // `link show dev NAME` with a stale index ends ip itself ("Cannot send link get request").
    if (!c.retried && STALE_INDEX.test(stderr.join('\n'))) {
      this.retryInFreshProcess(c);
      return;
    }
    const exitCode = code ?? (signal ? 128 : 1);
    this.finish({
      argv: [...this.argv, c.line],
      exitCode: exitCode || 1,
      stdout: '',
      stderr: stderr.join('\n'),
    });
  }

  /** ip is stuck (a netlink call that does not return): drop the process, fail the command, go on. */
  private giveUp(): void {
    const c = this.current;
    const child = this.child;
    this.child = undefined;
    this.exited = undefined;
    child?.kill('SIGKILL');
    if (!c) return;
    const stderr = [...c.stderr, `ip gave no answer within ${this.timeoutMs} ms`].join('\n');
    this.finish({ argv: [...this.argv, c.line], exitCode: 124, stdout: '', stderr });
  }

  /** Once closed and idle: end ip's input, and keep Node alive until ip has gone (close() awaits it). */
  private endWhenIdle(): void {
    if (!this.closed || this.current || this.queue.length > 0) return;
    this.setReferenced(true);
    this.child?.stdin.end();
  }

  /** An idle batch process must not keep Node alive; a busy one must, or an awaited answer is lost. */
  private setReferenced(on: boolean): void {
    const child = this.child;
    if (!child) return;
    // stdio pipes are net.Sockets, though typed as plain streams.
    const handles = [child, child.stdin, child.stdout, child.stderr] as Referable[];
    for (const handle of handles) {
      if (on) handle.ref?.();
      else handle.unref?.();
    }
  }
}
