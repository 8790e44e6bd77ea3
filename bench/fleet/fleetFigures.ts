import fs from 'node:fs';
import { rolloutWaves } from '../../client/src/fleet/waves';
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import { benchRollout } from './fleetLayout';
import type { FleetSettings } from './fleetSettings';
import type { RealPartResult } from './realPart';
import type { ResourcePeaks } from './ResourceSampler';
import { rolloutPhases } from './rolloutPhases';
import type { RolloutKind, RolloutSample } from './runRounds';
import type { SimulatedPartResult } from './simulatedPart';
import { CALL_PHASES, type CallPhase } from './TimedFleet';
import { openFileLimit } from './fileLimit';

/** One kind of rollout (apply or remove) at one fleet size, over its rounds. */
export interface KindFigures {
  rounds: number;
  /** From `fleet.apply()` to the last host's final state, ms. */
  ms: Summary;
  samplesMs: number[];
  /** The fleet-wide plan: to the end of the last dry run, ms. */
  planMs: Summary;
  /** The benchmark's processes' CPU time over the rollout's wall time × CPUs (median over rounds). */
  cpuBusy: number;
  /** CPU time of all the benchmark's processes, and of the client alone, ms (medians over rounds). */
  cpuMs: number;
  clientCpuMs: number;
  /** Calls to an agent per host and rollout. */
  callsPerHost: number;
  /** Each host's time in each phase, ms, over hosts and rounds. */
  phases: { phase: CallPhase; perHost: Summary }[];
  /** Each host's time between its calls during its change, ms, over hosts and rounds. */
  gapMs: Summary;
}

export interface SizeFigures {
  hosts: number;
  apply: KindFigures;
  remove: KindFigures;
}

export interface FleetFigures {
  date: string;
  elapsedS: number;
  machine: MachineFacts;
  settings: FleetSettings;
  real?: {
    sizes: SizeFigures[];
    /** The largest size's median over the smallest's, per kind. */
    ratio: { apply: number; remove: number };
    agentRssMiB: Summary;
    growS: number[];
    connections: number;
    profile?: RealPartResult['profile'];
  };
  simulated?: SimulatedFigures;
}

export interface SimulatedFigures {
  hosts: number;
  waves: number;
  apply: KindFigures;
  remove: KindFigures;
  startS: number;
  peaks: ResourcePeaks;
  warnings: number;
  firstWarnings: string[];
  profile?: SimulatedPartResult['profile'];
  /** The open-file limit the run had, and the machine's ephemeral port range. */
  fileLimit: number;
  portRange: string;
}

function kindFigures(samples: RolloutSample[], kind: RolloutKind, hosts: number, cpus: number): KindFigures {
  const mine = samples.filter((s) => s.kind === kind);
  const phases = mine.map((s) => rolloutPhases(s.spans));
  return {
    rounds: mine.length,
    ms: summarize(mine.map((s) => s.ms)),
    samplesMs: mine.map((s) => s.ms),
    planMs: summarize(phases.map((p) => p.planMs)),
    cpuBusy: summarize(mine.map((s) => s.cpuMs / (s.ms * cpus))).median,
    cpuMs: summarize(mine.map((s) => s.cpuMs)).median,
    clientCpuMs: summarize(mine.map((s) => s.clientCpuMs)).median,
    callsPerHost: mine[0].spans.length / hosts,
    phases: CALL_PHASES.flatMap((phase) => {
      const all = phases.flatMap((p) => p.perHost.get(phase) ?? []);
      return all.length > 0 ? [{ phase, perHost: summarize(all) }] : [];
    }),
    gapMs: summarize(phases.flatMap((p) => p.gapMs)),
  };
}

function sizeFigures(hosts: number, samples: RolloutSample[], cpus: number): SizeFigures {
  return {
    hosts,
    apply: kindFigures(samples, 'apply', hosts, cpus),
    remove: kindFigures(samples, 'remove', hosts, cpus),
  };
}

export function computeFleetFigures(r: {
  date: string;
  elapsedS: number;
  machine: MachineFacts;
  settings: FleetSettings;
  real?: RealPartResult;
  simulated?: SimulatedPartResult;
}): FleetFigures {
  const { cpus } = r.machine;
  const figures: FleetFigures = {
    date: r.date,
    elapsedS: r.elapsedS,
    machine: r.machine,
    settings: r.settings,
  };
  if (r.real) {
    const sizes = r.real.sizes.map((s) => sizeFigures(s.hosts, s.samples, cpus));
    const [first, last] = [sizes[0], sizes.at(-1)!];
    figures.real = {
      sizes,
      ratio: {
        apply: last.apply.ms.median / first.apply.ms.median,
        remove: last.remove.ms.median / first.remove.ms.median,
      },
      agentRssMiB: summarize(r.real.agentRssMiB),
      growS: r.real.growS,
      connections: r.real.connections,
      ...(r.real.profile ? { profile: r.real.profile } : {}),
    };
  }
  if (r.simulated) {
    const s = r.simulated;
    const { apply, remove } = sizeFigures(s.hosts, s.samples, cpus);
    const policy = benchRollout(r.settings.wavePercent, r.settings.confirmWithinMs);
    figures.simulated = {
      hosts: s.hosts,
      waves: rolloutWaves(Array.from({ length: s.hosts }), policy).length,
      apply,
      remove,
      startS: s.startS,
      peaks: s.peaks,
      warnings: s.warnings,
      firstWarnings: s.firstWarnings,
      ...(s.profile ? { profile: s.profile } : {}),
      fileLimit: openFileLimit(),
      portRange: fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().replace(/\s+/, '–'),
    };
  }
  return figures;
}
