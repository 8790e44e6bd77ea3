/**
 * The two agents the metrics benchmark compares: each `mvnet-agent --netns <its host> --listen
 * 127.0.0.1:0` on a fresh state dir, the `on` one with `--metrics-listen 127.0.0.1:0` as well, and
 * otherwise the same. Each holds the network `bench` and has a raw nice-grpc client on a connection of
 * its own, connected before the first timed call. Started once, not timed.
 */
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import { openAgentClient, type AgentClient } from '../memory/agentClient';
import { BenchAgent } from '../shared/BenchAgent';
import type { BenchmarkRun } from '../shared/runBenchmark';
import { BENCH_NETWORK, HOSTS, SIDES, type Side } from './metricsLayout';

/** One side: its agent process and its client. */
export interface MetricsAgent {
  side: Side;
  agent: BenchAgent;
  client: AgentClient['client'];
}

export type MetricsAgents = Record<Side, MetricsAgent> & {
  /** The `on` agent's /metrics, `http://127.0.0.1:PORT/metrics`. */
  metricsUrl: string;
};

async function openSide(
  run: BenchmarkRun,
  side: Side,
  logLevel: string,
  logFile?: string,
): Promise<MetricsAgent> {
  const agent = await BenchAgent.start({
    hostNetns: HOSTS[side].host,
    logLevel,
    logFile: logFile && `${logFile}.${side}`,
    args: side === 'on' ? ['--metrics-listen', '127.0.0.1:0'] : [],
  });
  run.defer(`stop the ${side} agent`, async () => void (await agent.close()));
  const raw = openAgentClient(agent.address);
  run.defer(`close the ${side} client`, async () => raw.close());
  const { name, cidr, gateway } = BENCH_NETWORK;
  await raw.client.createNetwork({
    network: { name, parent: 'eth0', mode: MacvlanMode.MACVLAN_MODE_BRIDGE, subnets: [{ cidr, gateway }] },
  });
  return { side, agent, client: raw.client };
}

/**
 * Starts both agents (their hosts made already), creates their network, and checks that the `on`
 * agent serves /metrics and the `off` one does not; stopped when the run cleans up. `logFile` gets
 * `.on` and `.off` appended, one log per agent.
 */
export async function openMetricsAgents(
  run: BenchmarkRun,
  o: { agentLogLevel: string; agentLog?: string },
): Promise<MetricsAgents> {
  const sides = {} as Record<Side, MetricsAgent>;
  for (const side of SIDES) sides[side] = await openSide(run, side, o.agentLogLevel, o.agentLog);
  const address = sides.on.agent.metricsAddress;
  if (!address) throw new Error('the agent started with --metrics-listen logged no metricsAddress');
  if (sides.off.agent.metricsAddress) throw new Error('the agent without --metrics-listen serves metrics');
  return { ...sides, metricsUrl: `http://${address}/metrics` };
}
