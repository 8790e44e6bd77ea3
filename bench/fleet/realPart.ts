import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { BenchmarkRun } from '../shared/runBenchmark';
import { benchRollout, containerNetns, REAL_NETWORK } from './fleetLayout';
import type { FleetSettings } from './fleetSettings';
import { profileRound, type ClientProfile } from './clientProfile';
import { countConnections } from './countConnections';
import { RealHosts } from './RealHosts';
import { residentMiB } from './ResourceSampler';
import { runRounds, type RolloutKind, type RolloutSample, type RoundsOptions } from './runRounds';
import { verifyContainers } from './verifyContainers';

/** What part 1 measured: for each fleet size, its rollouts; and what the agents cost. */
export interface RealPartResult {
  sizes: { hosts: number; samples: RolloutSample[] }[];
  /** Each agent's resident memory at the end (MiB), the largest fleet. */
  agentRssMiB: number[];
  /** How long growing the fleet took (namespaces, agents started), in s, per size. */
  growS: number[];
  /** TCP connections to one agent after a Fleet's two clients (its own and `connect`'s) called it. */
  connections: number;
  /** Where the client's CPU went in an extra, profiled round at the largest size (not counted). */
  profile?: Record<RolloutKind, ClientProfile>;
}

/** Lets the agents just started finish their own start-up work before the first timed rollout. */
const QUIET_AFTER_START_MS = 2000;

/**
 * Part 1: the fleet grows to each size in turn (1, 10, 50 real agents), and at each size runs its
 * rounds: the network and an endpoint per host rolled out at once (canary 0, maxUnavailable 100%),
 * then removed, each host's containers checked in its kernel after every rollout; then, `withProfile`,
 * one more round at the largest size under the client's CPU profiler.
 */
export async function runRealPart(
  run: BenchmarkRun,
  s: FleetSettings,
  withProfile: boolean,
): Promise<RealPartResult> {
  const hosts = new RealHosts({ agentLogLevel: s.agentLogLevel, startParallel: s.startParallel });
  run.defer('stop the real agents', () => hosts.close());
  const result: RealPartResult = { sizes: [], agentRssMiB: [], growS: [], connections: 0 };
  for (const count of s.realCounts) {
    const started = performance.now();
    await hosts.growTo(count);
    result.growS.push((performance.now() - started) / 1000);
    run.say(
      `part 1: ${count} real agent(s) serving (${result.growS.at(-1)!.toFixed(1)} s to grow the fleet)`,
    );
    await sleep(QUIET_AFTER_START_MS);
    if (result.sizes.length === 0) result.connections = await countConnections(hosts.hosts[0]);
    const rounds: RoundsOptions = {
      hosts: hosts.hosts.slice(0, count),
      network: REAL_NETWORK,
      containerOf: (i) => containerNetns(i + 1),
      rollout: benchRollout(100, s.confirmWithinMs),
      hostDeadlineMs: s.hostDeadlineMs,
      warmup: s.realWarmup,
      rounds: s.realRounds,
      settleMs: s.settleMs,
      verify: (kind) => verifyContainers(count, kind),
      say: run.say,
      label: `${count} host(s)`,
    };
    result.sizes.push({ hosts: count, samples: await runRounds(rounds) });
    if (withProfile && count === s.realCounts.at(-1)) result.profile = await profileRound(rounds);
  }
  result.agentRssMiB = hosts.pids.map(residentMiB);
  await hosts.close();
  return result;
}
