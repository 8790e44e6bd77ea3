import { performance } from 'node:perf_hooks';
import type { FleetProgress, HostRolloutState } from '../../client/src/fleet/fleetTypes';
import { TimedFleet, type CallSpan } from './TimedFleet';

/** States a host ends a rollout in. */
const FINAL: ReadonlySet<HostRolloutState> = new Set([
  'Available',
  'Failing',
  'Aborted',
  'RolledBack',
  'Changed',
]);

/** One rollout, timed. */
export interface TimedRollout {
  /** From `fleet.apply()` to the last host's final state, in ms. */
  ms: number;
  /** The same on process.hrtime's clock, in µs (a CPU profile's clock). */
  window: { fromUs: bigint; toUs: bigint };
  /** Hosts that ended Available with changes made (the others matched the file already). */
  changed: number;
  /** Every call to an agent, its times relative to `fleet.apply()`. */
  spans: CallSpan[];
}

/**
 * Rolls `fleet` out through the SDK (`fleet.apply()`, iterating its progress) and times it from the
 * call to the last host's final state. Throws, naming the first few, when a host ends other than
 * Available: a benchmark of a failed rollout would time the wrong thing.
 */
export async function timeRollout(fleet: TimedFleet): Promise<TimedRollout> {
  const last = new Map<string, FleetProgress>();
  const fromUs = process.hrtime.bigint() / 1000n;
  const start = performance.now();
  let finalAt = start;
  let toUs = fromUs;
  for await (const p of fleet.apply()) {
    last.set(p.host, p);
    if (FINAL.has(p.state)) {
      finalAt = performance.now();
      toUs = process.hrtime.bigint() / 1000n;
    }
  }
  const failed = [...last.values()].filter((p) => p.state !== 'Available');
  const missing = fleet.spec.hosts.filter((h) => !last.has(h.name));
  if (failed.length > 0 || missing.length > 0) {
    const said = failed.slice(0, 3).map((p) => `${p.host} ${p.state}: ${p.message}`);
    throw new Error(
      `the rollout did not end with every host Available (${failed.length} did not, ${missing.length} not reported): ${said.join('; ')}`,
    );
  }
  return {
    ms: finalAt - start,
    window: { fromUs, toUs },
    changed: [...last.values()].filter((p) => (p.changes ?? 0) > 0).length,
    spans: fleet.spans.map((s) => ({ ...s, startMs: s.startMs - start, endMs: s.endMs - start })),
  };
}
