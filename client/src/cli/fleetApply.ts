import type { FleetPlan } from '../fleet/fleetTypes';
import { FleetRefusedError } from '../fleet/rollout';
import type { CliContext } from './CliContext';
import { rolloutFromFlags, type FleetRolloutFlags } from './fleetFlags';
import { openFleet, readFleetFile, readPlanFile, type FleetSourceFlags } from './fleetOpen';
import { refusalLines } from './fleetPlanText';
import { progressView } from './fleetProgress';
import { renderOutcomeJson, renderOutcomeTable, RolloutOutcomes } from './fleetTables';

/** The flags of `mvnet fleet apply`, as commander hands them over. */
export interface FleetApplyFlags extends FleetRolloutFlags, FleetSourceFlags {
  plan?: string;
  /** False with --no-rollback. */
  rollback: boolean;
}

/**
 * `mvnet fleet apply -f FILE [--plan PLAN] [rollout flags]`: rolls the file out (a saved plan
 * exactly), showing the progress on stderr, then prints where each host stands (a table, or one JSON
 * document). Ctrl-C (io.signal) stops starting hosts; those in flight finish. Exit status 0 when every
 * host is Available; 1 when one is not, or the plan was refused (its refusals on stderr).
 */
export async function runFleetApply(flags: FleetApplyFlags, ctx: CliContext): Promise<void> {
  const file = await readFleetFile(flags, ctx);
  const spec = { ...file, rollout: rolloutFromFlags(file.rollout, flags, file.hosts.length) };
  const plan = flags.plan === undefined ? undefined : await readPlanFile(flags.plan, spec.hosts);
  const fleet = openFleet(spec, ctx);
  try {
    const outcomes = new RolloutOutcomes(spec.hosts);
    const view = progressView(
      ctx.io,
      spec.hosts.map((h) => h.name),
      spec.rollout.canary,
    );
    const signal = ctx.io.signal;
    let refused: FleetPlan | undefined;
    try {
      for await (const progress of fleet.apply({ plan, signal, rollback: flags.rollback })) {
        outcomes.record(progress);
        view.show(progress);
      }
    } catch (err) {
      if (!(err instanceof FleetRefusedError)) throw err;
      refused = err.plan;
    } finally {
      view.stop();
    }
    if (refused) {
      const reasons = refusalLines(refused);
      ctx.io.stderr(`Refused, nothing changed:\n${reasons.map((r) => `  ${r}\n`).join('')}`);
      outcomes.refuse(refused);
    } else if (signal?.aborted) {
      ctx.io.stderr('Stopped: no host started after Ctrl-C; the hosts in flight finished.\n');
      outcomes.abortPending('not started: the rollout was stopped');
    }
    ctx.io.stdout(ctx.json ? renderOutcomeJson(outcomes.outcomes) : renderOutcomeTable(outcomes.outcomes));
    if (!outcomes.ok) ctx.exitCode = 1;
  } finally {
    fleet.close();
  }
}
