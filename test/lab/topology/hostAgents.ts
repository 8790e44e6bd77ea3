/**
 * One mvnet-agent per lab host, as a fleet runs them: each started INSIDE its host's namespace
 * (`ip netns exec <host> node dist/agent/src/main.js`, no --netns: the namespace it runs in is its
 * host), listening on the host's management address in plaintext (--insecure) and, beside it, on a unix
 * socket of its own (`/run/mvnet/<host>/agent.sock`, the local tools' way in, such as a runtime's
 * mvnet-cni: the hosts share the lab's /run, hence a dir each), with its state dir on
 * the machine's disk (`<stateRoot>/<host>`), which a second boot of the lab finds again (a reboot).
 * Each agent is a tools/AgentProcess.ts: a process group of its own, stopped as systemd would
 * (SIGTERM, then SIGKILL of the whole group); whatever of the group outlives the agent is logged and
 * killed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ChannelCredentials, createChannel, createClient } from 'nice-grpc';
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from '../../../proto/gen/grpc/health/v1/health';
import { AgentProcess, type AgentExit, type AgentLogEntry } from '../../../tools/AgentProcess';
import { formatAgentLogLine } from './formatAgentLogLine';
import { clock, type LabLog } from './LabLog';
import { hostNames, hostNetns, mgmtAddress, type TopologySpec } from './topology';

interface RunningAgent {
  child: AgentProcess;
  /** Resolves once the process exited and its log file is complete. */
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
  private readonly entries = new Map<string, AgentLogEntry[]>();

  constructor(private readonly options: HostAgentsOptions) {}

  /** Where the orchestrator reaches the host's agent: `<management address>:<port>`. */
  address(host: string): string {
    return `${mgmtAddress(this.options.topology, host)}:${this.options.port ?? 7443}`;
  }

  /** Where a tool on the host reaches its agent: `unix:///run/mvnet/<host>/agent.sock`. */
  socketAddress(host: string): string {
    return `unix:///run/mvnet/${host}/agent.sock`;
  }

  stateDir(host: string): string {
    return path.join(this.options.stateRoot, host);
  }

  /** The agent's log entries (pino JSON, parsed) of every run in this process, oldest first. */
  logs(host: string): readonly AgentLogEntry[] {
    return this.entries.get(host) ?? [];
  }

  pid(host: string): number | undefined {
    return this.running.get(host)?.child.pid;
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
    const out = fs.createWriteStream(this.options.log.agentFile(host), { flags: 'a' });
    const entries = this.entries.get(host) ?? [];
    this.entries.set(host, entries);
    const write = (text: string): void => {
      if (!out.writableEnded) out.write(`${text}\n`);
    };
    const child = AgentProcess.spawn({
      prefix: ['ip', 'netns', 'exec', hostNetns(this.options.topology, host)],
      args: [
        ...['--listen', this.address(host), '--listen', this.socketAddress(host), '--insecure'],
        ...['--state-dir', this.stateDir(host), '--log-level', 'debug'],
      ],
      env: extraEnv,
      onLine: (line) => {
        const { text, entry } = formatAgentLogLine(line);
        if (entry) entries.push(entry);
        write(text);
      },
      onLeftovers: (members) =>
        write(
          `${clock()} === processes of its group outlived it, killed: ${members.join(', ') || '(zombies)'}`,
        ),
    });
    const env = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
    write(
      `${clock()} === agent of ${host} started, pid ${child.pid}: ${child.command}` +
        (env.length ? ` (with ${env.join(' ')})` : ''),
    );
    const ended = child.ended.then(async (exit) => {
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      write(`${clock()} === agent of ${host} (pid ${child.pid}) ${how}`);
      await new Promise((resolve) => out.end(resolve));
      if (this.running.get(host) === agent) this.running.delete(host);
      return exit;
    });
    const agent: RunningAgent = { child, ended };
    this.running.set(host, agent);
    this.latest.set(host, agent);
    let lastHealth = 'no answer yet';
    try {
      await child.untilReady({
        wait: (signal) => this.waitForHealth(host, signal, (last) => (lastHealth = last)),
        timeoutMs: this.options.startTimeoutMs ?? 90_000,
      });
    } catch (err) {
      await ended;
      throw this.startFailure(host, `${(err as Error).message} (last health check: ${lastHealth})`);
    }
  }

  /** SIGTERM, up to `graceMs` for a clean exit, then SIGKILL of the group. Resolves how it ended. */
  async stop(host: string, graceMs = 10_000): Promise<AgentExit | undefined> {
    const agent = this.running.get(host);
    if (!agent) return undefined;
    await agent.child.stop(graceMs);
    return agent.ended;
  }

  /** A crash: SIGKILL of the agent's process group, without warning. Resolves how it ended. */
  async kill9(host: string): Promise<AgentExit | undefined> {
    const agent = this.running.get(host);
    if (!agent) return undefined;
    await agent.child.kill();
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

  /**
   * Resolves once the agent answers SERVING for mvnet.v1.AgentService through its management address;
   * hands each other answer (or error) to `report`. Gives up quietly when `signal` aborts.
   */
  private async waitForHealth(
    host: string,
    signal: AbortSignal,
    report: (last: string) => void,
  ): Promise<void> {
    // Short reconnect backoffs: grpc-js would wait up to 120 s between attempts to a port not open yet.
    const channel = createChannel(this.address(host), ChannelCredentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 500,
    });
    const health = createClient(HealthDefinition, channel);
    try {
      while (!signal.aborted) {
        try {
          const { status } = await health.check(
            { service: AGENT_SERVICE },
            { signal: AbortSignal.timeout(2000) },
          );
          if (status === HealthCheckResponse_ServingStatus.SERVING) return;
          report(`status ${HealthCheckResponse_ServingStatus[status]}`);
        } catch (err) {
          report(err instanceof Error ? err.message : String(err));
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
