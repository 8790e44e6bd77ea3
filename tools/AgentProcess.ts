/**
 * One mvnet-agent process, as the tests, the benchmarks, the demo and the lab run it:
 * `dist/agent/src/main.js` (as `npm run build` made it) in a process group of its own, so that a kill
 * reaches whatever it started, optionally under a command (`ip netns exec h1`). It is ready once it
 * logs `serving` (its address in that line), or once the caller's own wait says so; it is stopped as
 * systemd would stop it: SIGTERM, then SIGKILL of the whole group after a deadline. Whatever of its
 * group outlives it is killed too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { findRepoRoot } from './findRepoRoot';
import { isProcessGroupAlive, killProcessGroup, processGroupMembers } from './processGroup';

/** How an agent process ended. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One line of the agent's log (pino JSON), parsed. */
export type AgentLogEntry = Record<string, unknown>;

export interface AgentProcessOptions {
  /** mvnet-agent's own arguments: --listen, --state-dir, --netns, --log-level... */
  args: string[];
  /** A command to run the agent under, before `node`: `['ip', 'netns', 'exec', 'h1']`. */
  prefix?: string[];
  /** Node's own options, before the script: `['--cpu-prof']`. */
  nodeArgs?: string[];
  /** Added to this process's environment (MVNET_FAULT_KILL_AT=...). */
  env?: Record<string, string>;
  /** Every line the agent writes, on stdout or stderr, with its entry when it is pino's JSON. */
  onLine?: (line: string, entry: AgentLogEntry | undefined) => void;
  /** Keep every entry in `logs` (the default); a benchmark that reads them through onLine need not. */
  keepLogs?: boolean;
  /** Told which processes of its group outlived the agent, before they are killed. */
  onLeftovers?: (members: string[]) => void;
}

export interface ReadyOptions {
  /**
   * What "ready" means, when not the `serving` line: resolves once the agent is (a health check
   * answered, say). `signal` aborts when the agent has exited or time is up: stop waiting then.
   */
  wait?: (signal: AbortSignal) => Promise<void>;
  /** How long the agent may take; 20 s by default. Then its group is killed. */
  timeoutMs?: number;
}

/** How much of its stderr is kept for error messages. */
const STDERR_TAIL = 4096;

/** How long, once it exited, its output may take to end (a process it left may hold the pipes). */
const DRAIN_MS = 2000;

/** How long, once it exited, the rest of its group has to end by itself before it is killed. */
const LEFTOVER_GRACE_MS = 200;

/** A running (or ended) mvnet-agent; see the top of this file. */
export class AgentProcess {
  readonly pid: number;
  /** The command line, for logs. */
  readonly command: string;
  /** Every pino entry it wrote so far, oldest first (unless keepLogs is false). */
  readonly logs: AgentLogEntry[] = [];
  /** Resolves how it ended, once its output was read to the end and its group is empty. */
  readonly ended: Promise<AgentExit>;
  private servingAddress: string | undefined;
  private servingHealthAddress: string | undefined;
  private servingMetricsAddress?: string;
  private readonly serving: Promise<void>;
  private stderrTail = '';
  private exit: AgentExit | undefined;

  private constructor(options: AgentProcessOptions) {
    const main = path.join(findRepoRoot(), 'dist/agent/src/main.js');
    const [file, ...args] = [
      ...(options.prefix ?? []),
      process.execPath,
      ...(options.nodeArgs ?? []),
      main,
      ...options.args,
    ];
    this.command = [file, ...args].join(' ');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    child.once('error', () => undefined); // it did not start: pid is undefined, thrown below
    if (child.pid === undefined) throw new Error(`cannot start ${this.command}`);
    this.pid = child.pid;
    let servingLogged: () => void = () => undefined;
    this.serving = new Promise((resolve) => (servingLogged = resolve));
    const drained = [child.stdout!, child.stderr!].map((stream) => {
      const lines = readline.createInterface({ input: stream });
      lines.on('line', (line) => {
        if (stream === child.stderr) this.stderrTail = `${this.stderrTail}${line}\n`.slice(-STDERR_TAIL);
        const entry = parseEntry(line);
        if (entry && options.keepLogs !== false) this.logs.push(entry);
        if (entry?.msg === 'serving' && this.servingAddress === undefined) {
          this.servingAddress = String(entry.address);
          if (entry.healthAddress !== undefined) this.servingHealthAddress = String(entry.healthAddress);
          if (entry.metricsAddress !== undefined) this.servingMetricsAddress = String(entry.metricsAddress);
          servingLogged();
        }
        options.onLine?.(line, entry);
      });
      return new Promise<void>((resolve) => lines.once('close', resolve));
    });
    this.ended = this.waitForEnd(child, drained, options.onLeftovers);
  }

  /** Starts the agent; see untilReady() for when it serves. */
  static spawn(options: AgentProcessOptions): AgentProcess {
    return new AgentProcess(options);
  }

  /** Starts the agent and resolves once it logged `serving` (see untilReady). */
  static async start(options: AgentProcessOptions & ReadyOptions): Promise<AgentProcess> {
    const agent = new AgentProcess(options);
    await agent.untilReady(options);
    return agent;
  }

  /**
   * Resolves once the agent is ready. If it exits first, or is not ready in time, its group is killed
   * and this rejects with the reason and the end of its stderr.
   */
  async untilReady(options: ReadyOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not serve within ${timeoutMs} ms`)), timeoutMs);
    });
    const exited = this.ended.then((exit) => {
      throw new Error(`exited before serving (${describeExit(exit)})`);
    });
    exited.catch(() => undefined); // once ready, its exit is nobody's error here
    try {
      await Promise.race([options.wait ? options.wait(abort.signal) : this.serving, exited, timeout]);
    } catch (err) {
      await this.kill();
      const stderr = this.stderrTail.trim();
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`mvnet-agent ${why}${stderr ? `\nstderr: ${stderr}` : ''}`);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  /**
   * The address of its `serving` line (`--listen 127.0.0.1:0` picks a port), which untilReady() waits
   * for by default; throws before that line came.
   */
  get address(): string {
    if (this.servingAddress === undefined)
      throw new Error(`mvnet-agent (pid ${this.pid}) has not logged serving yet`);
    return this.servingAddress;
  }

  /** The --health-listen address of its `serving` line, when it was given one. */
  get healthAddress(): string | undefined {
    return this.servingHealthAddress;
  }

  /** The --metrics-listen address (`host:port`) of its `serving` line, when it was given one. */
  get metricsAddress(): string | undefined {
    return this.servingMetricsAddress;
  }

  /**
   * SIGTERM, then SIGKILL of its group if it has not exited within `deadlineMs`; resolves its exit
   * code (null when a signal ended it).
   */
  async stop(deadlineMs = 10_000): Promise<number | null> {
    if (this.exit === undefined) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    const timer = setTimeout(() => this.killGroup(), deadlineMs);
    try {
      return (await this.ended).code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A crash: SIGKILL of its whole group, without warning. Resolves how it ended. */
  kill(): Promise<AgentExit> {
    this.killGroup();
    return this.ended;
  }

  private killGroup(): void {
    try {
      killProcessGroup(this.pid);
    } catch {
      // EPERM: not ours; ended waits for it all the same.
    }
  }

  /** Its exit, once its output ended (or DRAIN_MS passed) and what was left of its group is gone. */
  private async waitForEnd(
    child: ChildProcess,
    drained: Promise<void>[],
    onLeftovers: AgentProcessOptions['onLeftovers'],
  ): Promise<AgentExit> {
    const exit = await new Promise<AgentExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.exit = exit;
    await within(Promise.all(drained), DRAIN_MS);
    const deadline = Date.now() + LEFTOVER_GRACE_MS;
    while (isProcessGroupAlive(this.pid) && Date.now() < deadline) await sleep(20);
    if (isProcessGroupAlive(this.pid)) {
      onLeftovers?.(processGroupMembers(this.pid));
      this.killGroup();
    }
    return exit;
  }
}

/** How an exit reads in a message: `code 1`, `killed by SIGKILL`. */
function describeExit(exit: AgentExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}

function parseEntry(line: string): AgentLogEntry | undefined {
  try {
    const entry = JSON.parse(line) as unknown;
    return typeof entry === 'object' && entry !== null && !Array.isArray(entry)
      ? (entry as AgentLogEntry)
      : undefined;
  } catch {
    return undefined; // not pino's: a crash trace, a warning of node's
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; no timer is left behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
