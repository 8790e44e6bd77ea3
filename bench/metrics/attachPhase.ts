/**
 * Phase 2, attaches on both agents: `warmup + attaches` CreateEndpoint calls on each into fresh
 * container namespaces (made before the phase, not timed), the agent going first alternating from
 * one iteration to the next; then (untimed) every container is checked; then as many DeleteEndpoint
 * calls, the same way. The first `warmup` of each are not counted. An attach's time is its call's,
 * from the request to the answer: what the agent's kernel path costs with the metrics' Proxy around
 * its LinkDriver (and their middleware around the call), or without.
 */
import { addNamespaces, deleteNamespaces } from '../shared/benchNamespaces';
import { checkAttached } from './checkAttached';
import { attachNetns, BENCH_NETWORK, SIDES, type Side } from './metricsLayout';
import type { MetricsAgents } from './openMetricsAgents';
import { sideOrder } from './unaryPhase';

export interface AttachSettings {
  attaches: number;
  warmup: number;
}

/** ms per call, counted iterations only, by side. */
export interface AttachResult {
  attach: Record<Side, number[]>;
  detach: Record<Side, number[]>;
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Runs phase 2 on both agents. */
export async function measureAttach(agents: MetricsAgents, s: AttachSettings): Promise<AttachResult> {
  const count = s.warmup + s.attaches;
  const indexes = Array.from({ length: count }, (_, i) => i);
  const containers = SIDES.flatMap((side) => indexes.map((i) => attachNetns(side, i)));
  const result: AttachResult = { attach: { on: [], off: [] }, detach: { on: [], off: [] } };
  const attached: Record<Side, Map<string, string>> = { on: new Map(), off: new Map() };
  await addNamespaces(containers);
  try {
    for (const i of indexes) {
      for (const side of sideOrder(i)) {
        const netns = attachNetns(side, i);
        const start = process.hrtime.bigint();
        const { endpoint } = await agents[side].client.createEndpoint({
          endpoint: { name: `a${i}`, network: BENCH_NETWORK.name, netns },
        });
        if (i >= s.warmup) result.attach[side].push(elapsedMs(start));
        attached[side].set(netns, endpoint?.ipv4Address ?? '');
      }
    }
    for (const side of SIDES) await checkAttached(side, attached[side]);
    for (const i of indexes) {
      for (const side of sideOrder(i)) {
        const start = process.hrtime.bigint();
        await agents[side].client.deleteEndpoint({ network: BENCH_NETWORK.name, name: `a${i}` });
        if (i >= s.warmup) result.detach[side].push(elapsedMs(start));
      }
    }
    for (const side of SIDES) {
      const { endpoints } = await agents[side].client.listEndpoints({});
      if (endpoints.length > 0)
        throw new Error(`${side}: ${endpoints.length} endpoints left after deleting all`);
    }
  } finally {
    await deleteNamespaces(containers);
  }
  return result;
}
