/**
 * The benchmark's side of the simulated hosts: `processes` child processes (simulatedHostsProcess.ts), each
 * serving its share of the agents, so that the client (this process) is not the servers. Each child's
 * state dir is recorded in the benchmarks' lock before it starts, so that a later run removes it if
 * this one is killed; a child stops its agents when its IPC channel closes, so none outlives the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { recordAgent, STATE_DIR_PREFIX } from '../shared/benchLock';
import {
  simulatedHostsArgv,
  type SimulatedHostsCommand,
  type SimulatedHostsReport,
} from './simulatedHostsProtocol';

/** How long a child may take to start its agents (generous: 2 CPUs, hundreds of SQLite files). */
const START_DEADLINE_MS = 180_000;
/** How long a child has to stop its agents before it is killed. */
const STOP_DEADLINE_MS = 20_000;
/** Lines of the children's stderr (the agents' warnings) kept to show. */
const KEPT_LINES = 5;

interface Child {
  process: ChildProcess;
  stateDir: string;
  exited: Promise<void>;
}

export class SimulatedHosts {
  /** Lines the agents logged at warn or above, over all children. */
  warnings = 0;
  readonly firstWarnings: string[] = [];
  /** Every agent's `127.0.0.1:PORT`, in host order. */
  addresses: string[] = [];
  /** How long the slowest child took to start its agents, in ms. */
  startMs = 0;
  private readonly children: Child[] = [];

  get pids(): number[] {
    return this.children.flatMap((c) => (c.process.pid === undefined ? [] : [c.process.pid]));
  }

  /** Starts `agents` agents over `processes` children, `parallel` at a time in each; resolves once all serve. */
  static async start(o: { agents: number; processes: number; parallel: number }): Promise<SimulatedHosts> {
    const script = path.join(__dirname, 'simulatedHostsProcess.js');
    const per = Math.ceil(o.agents / o.processes);
    const hosts = new SimulatedHosts();
    const ready: Promise<{ addresses: string[]; startMs: number }>[] = [];
    for (let first = 0; first < o.agents; first += per) {
      const stateDir = fs.mkdtempSync(STATE_DIR_PREFIX);
      recordAgent(undefined, stateDir);
      const count = Math.min(per, o.agents - first);
      const child = fork(script, simulatedHostsArgv({ count, first, stateDir, parallel: o.parallel }), {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      hosts.children.push({ process: child, stateDir, exited });
      child.stderr!.setEncoding('utf8').on('data', (text: string) => hosts.noteWarnings(text));
      ready.push(untilReady(child, exited));
    }
    try {
      const started = await Promise.all(ready);
      hosts.addresses = started.flatMap((s) => s.addresses);
      hosts.startMs = Math.max(...started.map((s) => s.startMs));
      return hosts;
    } catch (err) {
      await hosts.close();
      throw err;
    }
  }

  /** Stops every child (its agents, its state dir); kills one that does not end in time. */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        if (c.process.exitCode === null && c.process.signalCode === null) {
          c.process.send({ type: 'stop' } satisfies SimulatedHostsCommand, () => undefined);
          const timer = setTimeout(() => c.process.kill('SIGKILL'), STOP_DEADLINE_MS);
          await c.exited;
          clearTimeout(timer);
        }
        fs.rmSync(c.stateDir, { recursive: true, force: true });
      }),
    );
  }

  private noteWarnings(text: string): void {
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      this.warnings++;
      if (this.firstWarnings.length < KEPT_LINES) this.firstWarnings.push(line.slice(0, 300));
    }
  }
}

function untilReady(
  child: ChildProcess,
  exited: Promise<void>,
): Promise<{ addresses: string[]; startMs: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `simulated hosts (pid ${child.pid}) did not all serve within ${START_DEADLINE_MS / 1000} s`,
          ),
        ),
      START_DEADLINE_MS,
    );
    child.on('message', (m: SimulatedHostsReport) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve(m);
      else reject(new Error(`simulated hosts (pid ${child.pid}): ${m.message}`));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`simulated hosts (pid ${child.pid}) exited before serving`));
    });
  });
}
