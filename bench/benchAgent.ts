import fs from 'node:fs';
import { AgentProcess } from '../tools/AgentProcess';

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

/**
 * Starts `mvnet-agent --listen 127.0.0.1:0 --netns HOST` in its own process group (a Ctrl-C at the
 * terminal reaches the benchmark, which stops the agent itself: SIGTERM, SIGKILL to the group after
 * 5 s) and resolves once it serves.
 */
export async function startBenchAgent(o: StartBenchAgentOptions): Promise<BenchAgent> {
  const log = o.logFile ? fs.createWriteStream(o.logFile) : undefined;
  const kernelTimings = new Map<string, KernelAttachTiming>();
  try {
    const agent = await AgentProcess.start({
      args: [
        '--listen',
        '127.0.0.1:0',
        '--state-dir',
        o.stateDir,
        '--netns',
        o.hostNetns,
        '--log-level',
        o.logLevel,
      ],
      keepLogs: false,
      onLine: (line, entry) => {
        log?.write(`${line}\n`);
        if (entry?.msg !== 'attached endpoint') return;
        const { hostMs, totalMs } = entry as unknown as KernelAttachTiming;
        kernelTimings.set(String(entry.netns), { hostMs, totalMs });
      },
    });
    const stop = async () => {
      await agent.stop(5000);
      log?.end();
    };
    return { address: agent.address, pid: agent.pid, kernelTimings, stop };
  } catch (err) {
    log?.end();
    throw err;
  }
}
