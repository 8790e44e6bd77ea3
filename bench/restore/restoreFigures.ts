/**
 * The restore benchmark's figures, computed once from its raw timings: each side summed up over the
 * rounds, the stages of each agent start (medians), the re-attaching Apply, and what the agent's log
 * counted of its reads of the kernel.
 */
import type { MachineFacts } from '../shared/machineFacts';
import { summarize, type Summary } from '../shared/summarize';
import { PHASES, type PhaseKey, type StartPhases } from './agentPhases';
import type { ProfiledRestore } from './profileRestore';
import type { RestorePlan } from './restoreLayout';
import type { RoundsResult, Side } from './restoreRounds';
import type { TimedApply } from './RestoreSession';

export interface RestoreSettings {
  networks: number;
  endpoints: number;
  containers: number;
  rounds: number;
  /** One more restart and reboot under `node --cpu-prof`, after the rounds. */
  profile: boolean;
  agentLogLevel: string;
  agentLog?: string;
  write: boolean;
}

/** The targets of issue 14 (4): restart to serving, and everything back after a reboot. */
export const RESTART_TARGET_MS = 2000;
export const REBOOT_TARGET_MS = 5000;

export interface RestoreFigures {
  date: string;
  machine: MachineFacts;
  settings: RestoreSettings;
  layout: RestorePlan;
  elapsedS: number;
  setup: TimedApply;
  sides: Record<Side, Summary>;
  /** Per agent side, each stage's median (ms), in PHASES order then `answer`. */
  phases: Record<'restart' | 'empty' | 'reboot', Partial<Record<PhaseKey, number>>>;
  reattach: Summary;
  reattachSteps: Record<string, number>;
  /** The last `endpoints restored` line of a restart and of a reboot: what the agent read. */
  counts: { restart?: Record<string, number>; reboot?: Record<string, number> };
  /** The reboots' `host links restored` lines: the repairs' kernel operations, and the median ms they took. */
  hostRepairs?: { ops: number; ms: number };
  /** Every run in order, for the section's record of the rotation. */
  order: string[];
  profile?: ProfiledRestore;
}

/** The reboots' host repairs: their operations (the last reboot's) and their median time. */
function hostRepairsOf(reboots: readonly { phases?: StartPhases }[]): Pick<RestoreFigures, 'hostRepairs'> {
  const lines = reboots.flatMap((r) => (r.phases?.hostCounts ? [r.phases.hostCounts] : []));
  const ms = median(lines.map((l) => l.ms));
  return ms === undefined ? {} : { hostRepairs: { ops: lines.at(-1)!.ops, ms } };
}

const median = (xs: number[]) => (xs.length === 0 ? undefined : summarize(xs).median);

export function computeRestoreFigures(i: {
  machine: MachineFacts;
  settings: RestoreSettings;
  elapsedS: number;
  setup: TimedApply;
  rounds: RoundsResult;
  layout: RestorePlan;
  profile?: ProfiledRestore;
}): RestoreFigures {
  const { runs, reattaches } = i.rounds;
  const of = (side: Side) => runs.filter((r) => r.side === side);
  const sides = Object.fromEntries(
    (['restart', 'empty', 'reboot', 'floor'] as const).map((s) => [s, summarize(of(s).map((r) => r.ms))]),
  ) as Record<Side, Summary>;
  const keys: PhaseKey[] = [...PHASES.map((p) => p.key), 'answer'];
  const phasesOf = (side: Side) =>
    Object.fromEntries(
      keys.flatMap((k) => {
        const m = median(of(side).flatMap((r) => (r.phases?.ms[k] === undefined ? [] : [r.phases.ms[k]!])));
        return m === undefined ? [] : [[k, m]];
      }),
    );
  const lastCounts = (side: Side) => of(side).at(-1)?.phases?.endpointCounts;
  return {
    date: new Date().toISOString(),
    machine: i.machine,
    settings: i.settings,
    layout: i.layout,
    elapsedS: i.elapsedS,
    setup: i.setup,
    sides,
    phases: { restart: phasesOf('restart'), empty: phasesOf('empty'), reboot: phasesOf('reboot') },
    reattach: summarize(reattaches.map((a) => a.ms)),
    reattachSteps: reattaches.at(-1)?.steps ?? {},
    counts: { restart: lastCounts('restart'), reboot: lastCounts('reboot') },
    ...hostRepairsOf(of('reboot')),
    order: runs.map((r) => `${r.side} #${r.round}: ${(r.ms / 1000).toFixed(2)} s`),
    ...(i.profile ? { profile: i.profile } : {}),
  };
}
