/**
 * The processes whose idle memory the benchmark compares: the agent on a fresh state (as it starts,
 * and after one GetHost call), its peer (an empty @grpc/grpc-js server, emptyGrpcServer.ts) and bare
 * `node`, for scale. All run as `node <script>` with no Node options, as the agent runs: whatever
 * the agent sets for itself is part of the agent.
 */
import path from 'node:path';
import { BenchAgent } from '../shared/BenchAgent';
import { startNodeProcess } from '../shared/startNodeProcess';
import { openAgentClient } from './agentClient';

export const IDLE_SIDES = ['agent', 'agent after GetHost', 'grpc-js server', 'node'] as const;
export type IdleSide = (typeof IDLE_SIDES)[number];

/** A running process of one side: its pid, to read, and how to end it. */
export interface IdleProcess {
  pid: number;
  close(): Promise<void>;
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
  if (side === 'node') return startNodeProcess(['-e', 'setInterval(()=>{},1e9)']);
  if (side === 'grpc-js server')
    return startNodeProcess([path.join(__dirname, 'emptyGrpcServer.js')], /^listening /);
  const agent = await BenchAgent.start({ hostNetns, logLevel });
  if (side === 'agent after GetHost') {
    await callGetHost(agent.address).catch(async (err: unknown) => {
      await agent.close();
      throw err;
    });
  }
  return { pid: agent.pid, close: async () => void (await agent.close()) };
}
