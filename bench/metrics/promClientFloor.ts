/**
 * The floor of what the metrics add to a call: prom-client's own work for one, measured alone in this
 * process. The agent's middleware does, per call, what this loop does: start a timer on
 * mvnet_rpc_duration_seconds{method}, stop it, and increment mvnet_rpc_requests_total{method,code},
 * on metrics made as agent/src/api/metrics/AgentMetrics.ts makes them (the same label names and
 * buckets, copied: the benchmark uses no agent code). What a call pays beyond this is the middleware's
 * place in nice-grpc's chain, and noise.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { summarize } from '../shared/summarize';

/** mvnet_rpc_duration_seconds's buckets, as the agent has them. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Runs `rounds` rounds of `calls` observations; returns the median over rounds of the µs per call. */
export function measurePromClientFloor(rounds = 5, calls = 100_000): number {
  const registry = new Registry();
  const requests = new Counter({
    name: 'mvnet_rpc_requests_total',
    help: 'as the agent has it',
    labelNames: ['method', 'code'] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'mvnet_rpc_duration_seconds',
    help: 'as the agent has it',
    labelNames: ['method'] as const,
    buckets: RPC_BUCKETS,
    registers: [registry],
  });
  const perCall: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) {
      const method = i % 2 === 0 ? 'AgentService/ListNetworks' : 'AgentService/GetHost';
      const done = seconds.startTimer({ method });
      done();
      requests.inc({ method, code: 'OK' });
    }
    perCall.push(Number(process.hrtime.bigint() - start) / 1e3 / calls);
  }
  return summarize(perCall).median;
}
