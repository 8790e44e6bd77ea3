/**
 * One mvnet-agent per lab host, as a fleet runs them: each started INSIDE its host's namespace
 * (`ip netns exec <host> node dist/agent/src/main.js`, no --netns: the namespace it runs in is its
 * host), listening on the host's management address in plaintext (--insecure), with its state dir on
 * the machine's disk (`<stateRoot>/<host>`), which a second boot of the lab finds again (a reboot).
 * Each agent is a process group of its own (detached), stopped as systemd would: SIGTERM, then
 * SIGKILL of the whole group; whatever of the group outlives the agent is logged and killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ChannelCredentials, createChannel, createClient } from 'nice-grpc';
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from '../../../proto/gen/grpc/health/v1/health';
import { findRepoRoot } from '../../../tools/findRepoRoot';
import { isProcessGroupAlive, killProcessGroup, processGroupMembers } from '../../../tools/processGroup';
import { formatAgentLogLine } from './formatAgentLogLine';
import { clock, type LabLog } from './LabLog';
import { hostNames, hostNetns, mgmtAddress, type TopologySpec } from './topology';

/** How an agent process ended. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface RunningAgent {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process exited and its output was read to the end. */
  ended: Promise<AgentExit>;
}

export interface HostAgentsOptions {
  topology: TopologySpec;
  /** Each host's --state-dir is `<stateRoot>/<host>`: on the machine's disk, so it survives a reboot. */
  stateRoot: string;
  log: LabLog;
  /** Default 7443. */
  port?: number;
  /** How long an agent may take to answer health checks (default 90 s: restoring after a reboot counts). */
  startTimeoutMs?: number;
}

const AGENT_SERVICE = 'mvnet.v1.AgentService';

export class HostAgents {
  private readonly running = new Map<string, RunningAgent>();
  /** The last agent started on each host, running or not. */
  private readonly latest = new Map<string, RunningAgent>();
  private readonly entries = new Map<string, Record<string, unknown>[]>();
  private readonly agentMain = path.join(findRepoRoot(), 'dist/agent/src/main.js');

  constructor(private readonly options: HostAgentsOptions) {
    if (!fs.existsSync(this.agentMain)) throw new Error(`${this.agentMain} is missing: run npm run build`);
  }

  /** Where the orchestrator reaches the host's agent: `<management address>:<port>`. */
  address(host: string): string {
    return `${mgmtAddress(this.options.topology, host)}:${this.options.port ?? 7443}`;
  }

  stateDir(host: string): string {
    return path.join(this.options.stateRoot, host);
  }

  /** The agent's log entries (pino JSON, parsed) of every run in this process, oldest first. */
  logs(host: string): readonly Record<string, unknown>[] {
    return this.entries.get(host) ?? [];
  }

  pid(host: string): number | undefined {
    return this.running.get(host)?.pid;
  }

  isRunning(host: string): boolean {
    return this.running.has(host);
  }

  /** Starts every host's agent at once and waits until all answer health checks. */
  async startAll(): Promise<void> {
    await Promise.all(hostNames(this.options.topology).map((host) => this.start(host)));
  }

  /**
   * Starts the host's agent, with `extraEnv` added to its environment (MVNET_FAULT_KILL_AT=...), and
   * resolves once it answers a grpc.health.v1 Check for mvnet.v1.AgentService through its management
   * address, from the lab's root namespace as the orchestrator would. Rejects, with the end of its
   * log, if it exits or does not answer in time.
   */
  async start(host: string, extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.running.has(host)) throw new Error(`the agent of ${host} is already running`);
    const argv = [
      ...['netns', 'exec', hostNetns(this.options.topology, host)],
      ...[process.execPath, this.agentMain, '--listen', this.address(host), '--insecure'],
      ...['--state-dir', this.stateDir(host), '--log-level', 'debug'],
    ];
    const child = spawn('ip', argv, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...extraEnv },
    });
    const env = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
    const agent = this.follow(
      host,
      child,
      `ip ${argv.join(' ')}${env.length ? ` (with ${env.join(' ')})` : ''}`,
    );
    this.running.set(host, agent);
    this.latest.set(host, agent);
    agent.ended.then(() => {
      if (this.running.get(host) === agent) this.running.delete(host);
    });
    await this.waitUntilServing(host, agent);
  }

  /** SIGTERM, up to `graceMs` for a clean exit, then SIGKILL of the group. Resolves how it ended. */
  async stop(host: string, graceMs = 10_000): Promise<AgentExit | undefined> {
    const agent = this.running.get(host);
    if (!agent) return undefined;
    signal(agent.pid, 'SIGTERM');
    const timer = setTimeout(() => killProcessGroup(agent.pid), graceMs);
    const exit = await agent.ended;
    clearTimeout(timer);
    return exit;
  }

  /** A crash: SIGKILL of the agent's process group, without warning. Resolves how it ended. */
  async kill9(host: string): Promise<AgentExit | undefined> {
    const agent = this.running.get(host);
    if (!agent) return undefined;
    killProcessGroup(agent.pid);
    return agent.ended;
  }

  /**
   * Resolves how the host's last agent ended, once it has: for an agent that kills itself (fault
   * injection), whether it already did or does within `timeoutMs`.
   */
  async exited(host: string, timeoutMs = 60_000): Promise<AgentExit> {
    const agent = this.latest.get(host);
    if (!agent) throw new Error(`no agent was started on ${host}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the agent of ${host} still runs after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([agent.ended, timeout]).finally(() => clearTimeout(timer));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((host) => this.stop(host)));
  }

  /** Copies the agent's output, readable, into agent-<host>.log, and keeps its entries for logs(). */
  private follow(host: string, child: ChildProcess, command: string): RunningAgent {
    const out = fs.createWriteStream(this.options.log.agentFile(host), { flags: 'a' });
    const entries = this.entries.get(host) ?? [];
    this.entries.set(host, entries);
    out.write(`${clock()} === agent of ${host} started, pid ${child.pid}: ${command}\n`);
    const closed = [child.stdout!, child.stderr!].map((stream) => {
      const lines = readline.createInterface({ input: stream });
      lines.on('line', (line) => {
        const { text, entry } = formatAgentLogLine(line);
        if (entry) entries.push(entry);
        if (!out.writableEnded) out.write(`${text}\n`);
      });
      return new Promise<void>((resolve) => lines.once('close', resolve));
    });
    const pid = child.pid!;
    const ended = new Promise<AgentExit>((resolve) =>
      child.once('exit', (code, sig) => resolve({ code, signal: sig })),
    ).then(async (exit) => {
      // Its output ends with it, unless a process it left holds the pipes: reapGroup ends those.
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2000))]);
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      out.write(`${clock()} === agent of ${host} (pid ${pid}) ${how}\n`);
      await this.reapGroup(pid, (text) => out.write(`${clock()} === ${text}\n`));
      await new Promise((resolve) => out.end(resolve));
      return exit;
    });
    return { child, pid, ended };
  }

  /**
   * What is left of the agent's process group once it ended (a child it did not stop) is killed, as
   * systemd does with a unit's cgroup; a graceful stop should leave nothing, so it is logged.
   */
  private async reapGroup(pgid: number, note: (text: string) => void): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!isProcessGroupAlive(pgid)) return;
    note(
      `processes of its group outlived it, killed: ${processGroupMembers(pgid).join(', ') || '(zombies)'}`,
    );
    killProcessGroup(pgid);
  }

  private async waitUntilServing(host: string, agent: RunningAgent): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    let exit: AgentExit | undefined;
    void agent.ended.then((e) => (exit = e));
    // Short reconnect backoffs: grpc-js would wait up to 120 s between attempts to a port not open yet.
    const channel = createChannel(this.address(host), ChannelCredentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 500,
    });
    const health = createClient(HealthDefinition, channel);
    let last = 'no answer yet';
    try {
      for (;;) {
        if (exit) throw this.startFailure(host, `its agent exited before serving (${describeExit(exit)})`);
        try {
          const { status } = await health.check(
            { service: AGENT_SERVICE },
            { signal: AbortSignal.timeout(2000) },
          );
          if (status === HealthCheckResponse_ServingStatus.SERVING) return;
          last = `status ${HealthCheckResponse_ServingStatus[status]}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() > deadline) {
          killProcessGroup(agent.pid);
          throw this.startFailure(host, `its agent did not serve within ${timeoutMs} ms (last: ${last})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      channel.close();
    }
  }

  private startFailure(host: string, what: string): Error {
    const tail = this.logs(host)
      .slice(-15)
      .map((e) => `  ${formatAgentLogLine(JSON.stringify(e)).text.split('\n')[0]}`);
    return new Error(`${host}: ${what}; its log ends:\n${tail.join('\n')}`);
  }
}

function describeExit(exit: AgentExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
