/**
 * The agent as the restore benchmark runs it: `mvnet-agent --netns HOST --listen 127.0.0.1:0` on a
 * state dir that outlives it (a restart is a new process on the same dir), in its own process group
 * (tools/AgentProcess.ts), recorded in the benchmarks' lock with its state dir, so that a later run can
 * end and remove what a killed one left. A start is timed from the spawn to the moment a client has
 * seen the host restored (`ready`, the caller's check), and the agent's own log lines of the way are
 * kept (their pino `time`) to tell where that time went (agentPhases.ts).
 *
 * The agent reads the host's boot id from /proc/sys/kernel/random/boot_id, as on a real host. To play
 * a reboot without one, every start runs in a mount namespace of its own (`unshare -m`, receiving the
 * machine's mounts, so that the netns made later show) where a file holding the boot id the benchmark
 * chose is bind-mounted over that one: the same wrapper for every start, a new id for a reboot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { AgentClient } from '../../client/src/AgentClient';
import { AgentProcess, type AgentLogEntry } from '../../tools/AgentProcess';
import { recordAgent, STATE_DIR_PREFIX } from '../shared/benchLock';

/** How long a stopped agent has for a clean exit before its group is killed. */
const STOP_DEADLINE_MS = 5000;

/** How long a start may take before the benchmark gives up on it. */
const START_TIMEOUT_MS = 60_000;

/** The CPU profile's sampling interval, µs (node's default is 1000; a start is a second or two). */
export const PROFILE_INTERVAL_US = 200;

/** Where a start's boot id is written: beside the state, which the agent leaves alone. */
const BOOT_ID_FILE = 'bench-boot-id';

/** Runs the rest of the command line with the file `$0` bind-mounted over the kernel's boot id. */
const WITH_BOOT_ID = [
  ...['unshare', '--mount', '--propagation', 'slave'],
  ...['sh', '-c', 'mount --bind "$0" /proc/sys/kernel/random/boot_id && exec "$@"'],
];

/** This boot's id, as the kernel gives it. */
export function machineBootId(): string {
  return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** health.v1 ServingStatus.SERVING. */
const SERVING = 1;

export interface RestoreAgentOptions {
  hostNetns: string;
  stateDir: string;
  /** The boot id the agent reads (/proc/sys/kernel/random/boot_id, bind-mounted). */
  bootId: string;
  logLevel: string;
  /** Where to append the agent's log lines, if anywhere. */
  logFile?: string;
  /** Run under `node --cpu-prof`, writing the profile into this dir as it exits. */
  cpuProfileDir?: string;
}

/** One timed start: from the spawn to the client's check, in ms, and the agent's log lines meanwhile. */
export interface TimedStart {
  readyMs: number;
  /** Date.now() at the spawn: the zero of the log lines' `time`. */
  spawnedAt: number;
  /** Date.now() once the client's check passed. */
  readyAt: number;
  /** process.hrtime of the spawn and of the check's success, ns (CLOCK_MONOTONIC, as a CPU profile's clock). */
  spawnedNs: bigint;
  readyNs: bigint;
  entries: AgentLogEntry[];
}

/** A fresh state dir where a killed run's cleanup finds it (benchLock's STATE_DIR_PREFIX). */
export function makeStateDir(): string {
  return fs.mkdtempSync(STATE_DIR_PREFIX);
}

export class RestoreAgent {
  private constructor(
    private readonly agent: AgentProcess,
    readonly client: AgentClient,
    private readonly log: fs.WriteStream | undefined,
  ) {}

  /**
   * Spawns the agent and resolves once `ready` passed on a client of its own: health SERVING first,
   * then whatever the caller checks (every endpoint READY, say), retried until it holds. The clock
   * runs from just before the spawn to the check's success.
   */
  static async start(
    o: RestoreAgentOptions,
    ready: (client: AgentClient) => Promise<string | undefined>,
  ): Promise<{ agent: RestoreAgent; start: TimedStart }> {
    const entries: AgentLogEntry[] = [];
    const log = o.logFile ? fs.createWriteStream(o.logFile, { flags: 'a' }) : undefined;
    const spawnedAt = Date.now();
    const t0 = process.hrtime.bigint();
    const bootIdFile = path.join(o.stateDir, BOOT_ID_FILE);
    fs.writeFileSync(bootIdFile, `${o.bootId}\n`);
    const agent = await AgentProcess.start({
      prefix: [...WITH_BOOT_ID, bootIdFile],
      args: [
        ...['--listen', '127.0.0.1:0', '--state-dir', o.stateDir],
        ...['--netns', o.hostNetns, '--log-level', o.logLevel],
      ],
      keepLogs: false,
      nodeArgs: o.cpuProfileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`]
        : [],
      onLine: (line, entry) => {
        log?.write(`${line}\n`);
        if (entry) entries.push(entry);
      },
      timeoutMs: START_TIMEOUT_MS,
    }).catch((err: unknown) => {
      log?.end();
      throw err;
    });
    recordAgent(agent.pid, o.stateDir);
    const client = new AgentClient({ host: agent.address, timeoutMs: 30_000 });
    try {
      await untilReady(agent.address, client, ready);
    } catch (err) {
      client.close();
      await agent.stop(STOP_DEADLINE_MS);
      log?.end();
      throw err;
    }
    const readyNs = process.hrtime.bigint();
    const readyMs = Number(readyNs - t0) / 1e6;
    const start = { readyMs, spawnedAt, readyAt: Date.now(), spawnedNs: t0, readyNs, entries };
    return { agent: new RestoreAgent(agent, client, log), start };
  }

  /** The agent's `127.0.0.1:PORT`. */
  get address(): string {
    return this.agent.address;
  }

  /** Stops the agent (SIGTERM, its group killed after 5 s); the state dir stays. */
  async stop(): Promise<void> {
    this.client.close();
    await this.agent.stop(STOP_DEADLINE_MS);
    this.log?.end();
  }
}

/** Health SERVING on a channel of its own, then `ready` until it says nothing is missing. */
async function untilReady(
  address: string,
  client: AgentClient,
  ready: (client: AgentClient) => Promise<string | undefined>,
): Promise<void> {
  const channel = createChannel(address);
  try {
    const health = createClient(HealthDefinition, channel);
    const { status } = await health.check({ service: '' });
    if (status !== SERVING) throw new Error(`the agent serves, but its health is ${status}, not SERVING`);
  } finally {
    channel.close();
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const missing = await ready(client);
    if (missing === undefined) return;
    if (Date.now() > deadline) throw new Error(`the agent serves, but ${missing}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
