import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { checkBatchLine } from './batchTokens';
import { KernelError } from './LinkDriver';
import { CommandResult } from './runCommand';

/** The outcome of a script: as a command's, and which line failed when ip said so. */
export interface ScriptResult extends CommandResult {
  /** The 1-based number, among the lines given to end(), of the one that failed; absent when none did. */
  failedLine?: number;
}

/** Run first by whenReady(): lo is in every netns, and ip flushes a JSON answer at once. */
const READY_PROBE = 'link show dev lo';

/**
 * One `ip -j -batch -` process (`ipArgv` runs ip where its lines should go: `ip -n c1`, `nsenter
 * --net=FILE ip`), without -force: ip stops at the first line that fails, and names it. The lines
 * are written at once (no round trip per line) and the process ends with them: the cheapest way to
 * run a known sequence in a container's netns. Plain child_process rather than execa, which costs a
 * few ms more a spawn. The process starts at construction, so that its pid can name its netns to
 * the kernel (see whenReady) before its lines are known.
 */
export class IpScript {
  private readonly argv: readonly string[];
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exit: Promise<{ code: number | null; signal: string | null; err?: Error }>;
  private stdout = '';
  private stderr = '';
  private probed = false;
  private onStdout?: () => void;

  constructor(ipArgv: readonly string[]) {
    this.argv = [...ipArgv, '-j', '-d', '-batch', '-'];
    const [file, ...args] = this.argv;
    this.child = spawn(file, args, { env: { ...process.env, LC_ALL: 'C' } });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.onStdout?.();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.stdin.on('error', () => undefined); // EPIPE when ip ended early: its exit says why
    let spawnError: Error | undefined;
    this.child.on('error', (err) => (spawnError = err));
    this.exit = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal, err: spawnError }));
    });
  }

  /** The process's pid: once whenReady() said yes, `ip link ... netns PID` names this netns. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /**
   * Resolves true once ip answered a first line, so is inside its netns (ip enters it before it reads
   * any line; nsenter execs ip in the same process); false when it ended first (end() says why).
   */
  whenReady(): Promise<boolean> {
    this.probed = true;
    this.child.stdin.write(`${READY_PROBE}\n`);
    return new Promise((resolve) => {
      this.onStdout = () => this.stdout.includes('\n') && resolve(true);
      void this.exit.then(() => resolve(false));
    });
  }

  /** Writes `lines`, ends ip's input, and gives the outcome once ip has exited. */
  async end(lines: string[] = []): Promise<ScriptResult> {
    try {
      for (const line of lines) checkBatchLine(line);
    } catch (err) {
      this.child.stdin.end(); // ip ends; nothing of `lines` ran
      throw err;
    }
    this.child.stdin.end(lines.map((l) => `${l}\n`).join(''));
    const { code, signal, err } = await this.exit;
    if (err) throw new KernelError(`cannot run ${this.argv[0]}: ${err.message}`, this.argv);
    const skipped = this.probed ? 1 : 0;
    const failed = /^Command failed -:(\d+)$/m.exec(this.stderr);
    const result: ScriptResult = {
      argv: [...this.argv, ...lines],
      exitCode: code ?? (signal ? 128 : 1),
      stdout: this.probed ? this.stdout.slice(this.stdout.indexOf('\n') + 1) : this.stdout,
      stderr: this.stderr.replace(/^Command failed -:\d+\n?/m, '').trim(),
    };
    if (failed) result.failedLine = Number(failed[1]) - skipped;
    return result;
  }
}

/** Runs `lines` in one fresh ip process (see IpScript); with `show` lines, their JSON is on stdout. */
export function runIpScript(ipArgv: readonly string[], lines: string[]): Promise<ScriptResult> {
  for (const line of lines) checkBatchLine(line);
  return new IpScript(ipArgv).end(lines);
}
