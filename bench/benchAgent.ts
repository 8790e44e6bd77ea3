import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** dist/bench/ → dist/agent/src/main.js: the agent as `npm run build` made it. */
const AGENT_MAIN = path.join(__dirname, '../agent/src/main.js');

/** The agent's own account of one attach's kernel work (its `attached endpoint` log line). */
export interface KernelAttachTiming {
  /** The parent's lookup and the macvlan's creation in the container's netns, from the host's netlink socket. */
  hostMs: number;
  /** The whole kernel side: host + the container's side (mark, addresses, up, routes) from a socket there. */
  totalMs: number;
}

/** A running mvnet-agent, and what its log said about each attach, by container netns. */
export interface BenchAgent {
  address: string;
  pid: number;
  kernelTimings: Map<string, KernelAttachTiming>;
  stop(): Promise<void>;
}

export interface StartBenchAgentOptions {
  hostNetns: string;
  stateDir: string;
  logLevel: string;
  /** Where to copy the agent's log lines (for a look at debug logs), if anywhere. */
  logFile?: string;
}

function parseLogLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {}; // not pino's: nothing the benchmark reads
  }
}

/** The agent's process: started in its own group, stopped with SIGTERM (SIGKILL to the group after 5 s). */
function spawnAgentProcess(o: StartBenchAgentOptions) {
  const argv = [AGENT_MAIN, '--listen', '127.0.0.1:0', '--state-dir', o.stateDir, '--netns', o.hostNetns];
  const child = spawn(process.execPath, [...argv, '--log-level', o.logLevel], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(killGroup, 5000);
    await exited;
    clearTimeout(timer);
  };
  return { child, exited, killGroup, stop, stderr: () => stderr.trim() };
}

/**
 * Starts `mvnet-agent --listen 127.0.0.1:0 --netns HOST` in its own process group (a Ctrl-C at the
 * terminal reaches the benchmark, which stops the agent itself) and resolves once it serves.
 */
export function startBenchAgent(o: StartBenchAgentOptions): Promise<BenchAgent> {
  const agent = spawnAgentProcess(o);
  const log = o.logFile ? fs.createWriteStream(o.logFile) : undefined;
  const kernelTimings = new Map<string, KernelAttachTiming>();
  const stop = () => agent.stop().finally(() => log?.end());
  return new Promise((resolve, reject) => {
    let serving = false;
    const timer = setTimeout(() => fail('did not serve within 20 s'), 20_000);
    const fail = (why: string) => {
      if (serving) return;
      clearTimeout(timer);
      agent.killGroup();
      reject(new Error(`mvnet-agent ${why}: ${agent.stderr()}`));
    };
    void agent.exited.then(() => fail('exited before serving'));
    readline.createInterface({ input: agent.child.stdout }).on('line', (line) => {
      log?.write(`${line}\n`);
      const entry = parseLogLine(line);
      if (entry.msg === 'attached endpoint') {
        const { hostMs, totalMs } = entry as unknown as KernelAttachTiming;
        kernelTimings.set(String(entry.netns), { hostMs, totalMs });
      }
      if (entry.msg !== 'serving' || serving) return;
      serving = true;
      clearTimeout(timer);
      resolve({ address: String(entry.address), pid: agent.child.pid!, kernelTimings, stop });
    });
  });
}
