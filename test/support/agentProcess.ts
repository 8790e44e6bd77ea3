import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const AGENT_MAIN = path.join(__dirname, '../../dist/agent/src/main.js');

/** A mvnet-agent process started from dist/ (npm test builds it first). */
export interface AgentProcess {
  address: string;
  /** The --health-listen address, when given. */
  healthAddress?: string;
  pid: number;
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the process group (a crash). */
  kill(): Promise<void>;
  /** How the process ended (by itself, say killed by its fault injection). */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts an agent in its own process group (so a kill takes all of it) and resolves once it serves,
 * with the address it logged (`--listen 127.0.0.1:0` picks a free port).
 */
export function spawnAgent(args: {
  stateDir: string;
  netns?: string;
  listen?: string;
  extra?: string[];
  /** More environment (MVNET_FAULT_KILL_AT...). */
  env?: Record<string, string>;
}): Promise<AgentProcess> {
  const argv = [
    AGENT_MAIN,
    '--listen',
    args.listen ?? '127.0.0.1:0',
    '--state-dir',
    args.stateDir,
    '--log-level',
    'debug',
  ];
  if (args.netns) argv.push('--netns', args.netns);
  argv.push(...(args.extra ?? []));
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...args.env },
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = ended.then(({ code }) => code);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('agent did not serve within 20 s')), 20_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      killGroup(child);
      reject(
        new Error(
          `${err.message}\nstderr: ${stderr}\nlogs: ${logs.map((l) => JSON.stringify(l)).join('\n')}`,
        ),
      );
    };
    exited.then((code) => fail(new Error(`agent exited with ${code} before serving`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg !== 'serving') return;
      clearTimeout(timer);
      resolve({
        address: String(entry.address),
        healthAddress: entry.healthAddress === undefined ? undefined : String(entry.healthAddress),
        pid: child.pid!,
        logs,
        ended,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
        kill: async () => {
          killGroup(child);
          await exited;
        },
      });
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
