/**
 * Part 2, memory at scale: one agent on a fresh state serves `endpoints` endpoints, one per container
 * netns (`mvbm-c<i>`), spread over `networks` networks on the host's eth0, then `watchers` Watch
 * streams from a process of their own (watchersProcess.ts), `perChannel` to a connection, each from
 * revision 0 (the whole state, then live), opened a connection at a time. Every stream is proved live
 * (each sees a network added), then the agent is left idle and read. Readings: the agent just started,
 * with the endpoints, with the watchers too, and once the watchers have gone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { runPool } from '../attach/runPool';
import { addNamespaces } from '../shared/benchNamespaces';
import { BenchAgent } from '../shared/BenchAgent';
import type { BenchmarkRun } from '../shared/runBenchmark';
import { openAgentClient, type AgentClient } from './agentClient';
import { containerNetns, MEMORY_HOST, PROBE_NETWORK, scaleNetwork } from './memoryLayout';
import { readProcess, type ProcessReading } from './processMemory';
import { Watchers } from './Watchers';

export interface ScaleSettings {
  endpoints: number;
  networks: number;
  watchers: number;
  perChannel: number;
  /** Idle time before each reading. */
  settleMs: number;
}

export const SCALE_STAGES = ['started', 'endpoints', 'endpoints and watchers', 'watchers gone'] as const;
export type ScaleStage = (typeof SCALE_STAGES)[number];

export interface ScaleResult {
  readings: Record<ScaleStage, ProcessReading>;
  /** The watchers process, with its streams open. */
  client: ProcessReading;
  createMs: number;
  openMs: number;
  /** From the probe network's creation to the last watcher's receipt. */
  probeMs: number;
  /** Streams the agent ended on its own, by message (none expected). */
  ended: Record<string, number>;
}

/** Attaches before the timer: 8 in flight, as the attach benchmark does. */
const PARALLEL = 8;

function readAgent(agent: BenchAgent): ProcessReading {
  const reading = readProcess(agent.pid);
  if (!reading) throw new Error('the agent has ended');
  return reading;
}

async function createEndpoints(a: AgentClient, s: ScaleSettings): Promise<number> {
  for (let n = 0; n < s.networks; n++) {
    const { name, cidr, gateway } = scaleNetwork(n);
    await a.client.createNetwork({
      network: { name, parent: 'eth0', mode: MacvlanMode.MACVLAN_MODE_BRIDGE, subnets: [{ cidr, gateway }] },
    });
  }
  const indexes = Array.from({ length: s.endpoints }, (_, i) => i);
  await addNamespaces(indexes.map(containerNetns));
  return runPool(indexes, PARALLEL, (i) =>
    a.client.createEndpoint({
      endpoint: { name: `c${i}`, network: scaleNetwork(i % s.networks).name, netns: containerNetns(i) },
    }),
  );
}

/** Runs part 2 on the switched host MEMORY_HOST (made already); says what it does. */
export async function measureScale(
  run: BenchmarkRun,
  s: ScaleSettings,
  logLevel: string,
  logFile?: string,
): Promise<ScaleResult> {
  const { say } = run;
  const agent = await BenchAgent.start({ hostNetns: MEMORY_HOST.host, logLevel, logFile });
  run.defer('stop the scale agent', async () => void (await agent.close()));
  const a = openAgentClient(agent.address);
  run.defer('close the client', async () => a.close());
  await sleep(s.settleMs);
  const started = readAgent(agent);
  say(`  ${s.endpoints} endpoints on ${s.networks} networks...`);
  const createMs = await createEndpoints(a, s);
  await sleep(s.settleMs);
  const endpoints = readAgent(agent);
  say(`  ${s.watchers} watchers from revision 0, ${s.perChannel} per connection...`);
  const watchers = Watchers.start({ address: agent.address, perChannel: s.perChannel });
  run.defer('stop the watchers', () => watchers.stop());
  const opened = await watchers.open(s.watchers, 0, 300_000);
  const saw = watchers.expect(PROBE_NETWORK.name, 60_000);
  const probeAt = performance.now();
  const { name, cidr, gateway } = PROBE_NETWORK;
  await a.client.createNetwork({ network: { name, parent: 'eth0', subnets: [{ cidr, gateway }] } });
  await saw;
  const probeMs = performance.now() - probeAt;
  await sleep(s.settleMs);
  const withWatchers = readAgent(agent);
  const client = readProcess(watchers.pid, false)!;
  await watchers.close(s.watchers, 60_000);
  await sleep(s.settleMs);
  const gone = readAgent(agent);
  return {
    readings: {
      started,
      endpoints,
      'endpoints and watchers': withWatchers,
      'watchers gone': gone,
    },
    client,
    createMs,
    openMs: opened.ms,
    probeMs,
    ended: Object.fromEntries(watchers.ended),
  };
}
