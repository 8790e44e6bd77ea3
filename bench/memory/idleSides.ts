/**
 * The processes whose idle memory the benchmark compares: the agent on a fresh state (as it starts,
 * and after one GetHost call), its peer (an empty @grpc/grpc-js server, emptyGrpcServer.ts) and bare
 * `node`, for scale. All run as `node <script>` with no Node options, as the agent runs: whatever
 * the agent sets for itself is part of the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { BenchAgent } from '../shared/BenchAgent';
import { openAgentClient } from './agentClient';

export const IDLE_SIDES = ['agent', 'agent after GetHost', 'grpc-js server', 'node'] as const;
export type IdleSide = (typeof IDLE_SIDES)[number];

/** A running process of one side: its pid, to read, and how to end it. */
export interface IdleProcess {
  pid: number;
  close(): Promise<void>;
}

/** How long a side may take to be ready. */
const READY_TIMEOUT_MS = 20_000;

/** Starts `argv` under this node; resolves once it printed a line matching `ready` (or at once). */
function startNode(argv: string[], ready?: RegExp): Promise<IdleProcess> {
  const child: ChildProcess = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${argv[0]} was not ready in time`)), READY_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      void close().then(() => reject(err));
    };
    const done = () => {
      clearTimeout(timer);
      resolve({ pid: child.pid!, close });
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${argv.join(' ')} exited (${code})`)));
    if (!ready) child.once('spawn', done);
    else readline.createInterface({ input: child.stdout! }).on('line', (l) => ready.test(l) && done());
  });
}

/** One GetHost call on a channel of its own, closed after (the agent keeps no connection). */
async function callGetHost(address: string): Promise<void> {
  const agent = openAgentClient(address);
  try {
    await agent.client.getHost({});
  } finally {
    agent.close();
  }
}

/** Starts one side; the agents serve `hostNetns` on a fresh state dir each. */
export async function startIdleSide(
  side: IdleSide,
  hostNetns: string,
  logLevel: string,
): Promise<IdleProcess> {
  if (side === 'node') return startNode(['-e', 'setInterval(()=>{},1e9)']);
  if (side === 'grpc-js server')
    return startNode([path.join(__dirname, 'emptyGrpcServer.js')], /^listening /);
  const agent = await BenchAgent.start({ hostNetns, logLevel });
  if (side === 'agent after GetHost') {
    await callGetHost(agent.address).catch(async (err: unknown) => {
      await agent.close();
      throw err;
    });
  }
  return { pid: agent.pid, close: async () => void (await agent.close()) };
}
