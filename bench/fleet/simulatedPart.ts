import type { BenchmarkRun } from '../shared/runBenchmark';
import { profileRound, type ClientProfile } from './clientProfile';
import { benchRollout, SIMULATED_CONTAINER, SIMULATED_NETWORK } from './fleetLayout';
import type { FleetSettings } from './fleetSettings';
import { ResourceSampler, type ResourcePeaks } from './ResourceSampler';
import { runRounds, type RolloutKind, type RolloutSample, type RoundsOptions } from './runRounds';
import { SimulatedHosts } from './SimulatedHosts';

/** What part 2 measured. */
export interface SimulatedPartResult {
  hosts: number;
  samples: RolloutSample[];
  /** How long the slowest child took to start its agents, in s. */
  startS: number;
  peaks: ResourcePeaks;
  /** Lines the agents logged at warn or above, and the first few. */
  warnings: number;
  firstWarnings: string[];
  /** Where the client's CPU went in the extra, profiled round (not counted), when it ran. */
  profile?: Record<RolloutKind, ClientProfile>;
}

/** How often memory, descriptors and sockets are sampled. */
const SAMPLE_MS = 250;

/**
 * Part 2: `simulated` agents on the in-memory kernel, in `processes` children, and rounds of a rollout
 * in waves of `wavePercent` (canary 0), then its removal; memory, descriptors and sockets sampled
 * throughout, for the client (this process) and each child; then, `withProfile`, one more round
 * under the client's CPU profiler.
 */
export async function runSimulatedPart(
  run: BenchmarkRun,
  s: FleetSettings,
  withProfile: boolean,
): Promise<SimulatedPartResult> {
  run.say(`part 2: starting ${s.simulated} simulated agents in ${s.processes} processes...`);
  const hosts = await SimulatedHosts.start({ agents: s.simulated, processes: s.processes, parallel: 8 });
  run.defer('stop the simulated agents', () => hosts.close());
  run.say(
    `part 2: ${hosts.addresses.length} simulated agents serving (${(hosts.startMs / 1000).toFixed(1)} s)`,
  );
  const sampler = new ResourceSampler(
    [
      { pid: process.pid, role: 'client (the benchmark)' },
      ...hosts.pids.map((pid, i) => ({ pid, role: `simulated hosts ${i + 1}` })),
    ],
    SAMPLE_MS,
  );
  const rounds: RoundsOptions = {
    hosts: hosts.addresses.map((address, i) => ({ name: `s${i + 1}`, address, labels: {} })),
    network: SIMULATED_NETWORK,
    containerOf: () => SIMULATED_CONTAINER,
    rollout: benchRollout(s.wavePercent, s.confirmWithinMs),
    hostDeadlineMs: s.hostDeadlineMs,
    warmup: s.simulatedWarmup,
    rounds: s.simulatedRounds,
    settleMs: s.settleMs,
    say: run.say,
    label: `${s.simulated} simulated`,
  };
  let samples: RolloutSample[];
  let peaks: ResourcePeaks;
  try {
    samples = await runRounds(rounds);
  } finally {
    peaks = sampler.stop();
  }
  const profile = withProfile ? await profileRound(rounds) : undefined;
  await hosts.close();
  return {
    hosts: s.simulated,
    samples,
    startS: hosts.startMs / 1000,
    peaks,
    warnings: hosts.warnings,
    firstWarnings: hosts.firstWarnings,
    ...(profile ? { profile } : {}),
  };
}
