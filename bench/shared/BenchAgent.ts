/**
 * The agent a benchmark measures: one `mvnet-agent --netns HOST --listen 127.0.0.1:0` (or a unix socket
 * in its state dir) on a fresh state dir, started once (not timed). It runs in its own process group (tools/AgentProcess.ts), so a
 * Ctrl-C at the terminal reaches the benchmark, which stops the agent itself; its pid and state dir go
 * into the benchmarks' lock, so that a later run can end and remove them if this one is killed.
 * A profiled agent (`cpuProfile`) runs under `node --cpu-prof`, which writes the profile into its state
 * dir as it exits; close() reads it before the dir goes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AgentProcess, type AgentLogEntry } from '../../tools/AgentProcess';
import { recordAgent, STATE_DIR_PREFIX } from './benchLock';

export interface BenchAgentOptions {
  /** The throwaway host netns the agent serves (its --netns). */
  hostNetns: string;
  logLevel: string;
  /** Where to copy the agent's log lines (for a look at debug logs), if anywhere. */
  logFile?: string;
  /** Each entry of the agent's log, as it comes. */
  onEntry?: (entry: AgentLogEntry) => void;
  /** Run under `node --cpu-prof` (sampling every `cpuProfile` µs); close() returns the profile. */
  cpuProfile?: number;
  /**
   * Listen on `unix://<state dir>/agent.sock` instead of loopback TCP: what a real host's agent does,
   * and reachable from a process in any network namespace (a CNI plugin run in the host netns).
   */
  unixSocket?: boolean;
  /** More of the agent's own arguments, after those above: `['--metrics-listen', '127.0.0.1:0']`. */
  args?: string[];
}

/** How long a stopped agent has for a clean exit before its group is killed. */
const STOP_DEADLINE_MS = 5000;

export class BenchAgent {
  private constructor(
    private readonly agent: AgentProcess,
    private readonly stateDir: string,
    private readonly log: fs.WriteStream | undefined,
    private readonly profileDir: string | undefined,
  ) {}

  /** Starts the agent on a fresh state dir; resolves once it serves. */
  static async start(o: BenchAgentOptions): Promise<BenchAgent> {
    const stateDir = fs.mkdtempSync(STATE_DIR_PREFIX);
    const log = o.logFile ? fs.createWriteStream(o.logFile) : undefined;
    const profileDir = o.cpuProfile ? path.join(stateDir, 'cpu-prof') : undefined;
    const listen = o.unixSocket ? `unix://${path.join(stateDir, 'agent.sock')}` : '127.0.0.1:0';
    try {
      const agent = await AgentProcess.start({
        args: [
          ...['--listen', listen, '--state-dir', stateDir],
          ...['--netns', o.hostNetns, '--log-level', o.logLevel],
          ...(o.args ?? []),
        ],
        // The benchmark reads the lines as they come; a long run's worth kept in memory would only add GC work.
        keepLogs: false,
        nodeArgs: profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${o.cpuProfile}`]
          : [],
        onLine: (line, entry) => {
          log?.write(`${line}\n`);
          if (entry) o.onEntry?.(entry);
        },
      });
      recordAgent(agent.pid, stateDir);
      return new BenchAgent(agent, stateDir, log, profileDir);
    } catch (err) {
      log?.end();
      fs.rmSync(stateDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The agent's `127.0.0.1:PORT`, or `unix:///...agent.sock`. */
  get address(): string {
    return this.agent.address;
  }

  /** The `host:port` of its --metrics-listen (given in `args`), as it bound it; undefined without. */
  get metricsAddress(): string | undefined {
    return this.agent.metricsAddress;
  }

  /** The agent process's pid (its CPU time and memory are read from /proc). */
  get pid(): number {
    return this.agent.pid;
  }

  /**
   * Stops the agent (SIGTERM, SIGKILL of its group after 5 s) and removes its state dir; returns the
   * CPU profile of a profiled agent (undefined when it wrote none: killed, or not profiled).
   */
  async close(): Promise<string | undefined> {
    await this.agent.stop(STOP_DEADLINE_MS);
    this.log?.end();
    const profile = this.profileDir && readProfile(this.profileDir);
    fs.rmSync(this.stateDir, { recursive: true, force: true });
    return profile;
  }
}

/** The one `.cpuprofile` node wrote into `dir`, as text. */
function readProfile(dir: string): string | undefined {
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  return file && fs.readFileSync(path.join(dir, file), 'utf8');
}
