/**
 * The timed part of the restore benchmark: `rounds` rounds, each running the four sides once, in an
 * order that rotates from round to round (so that no side always follows the same one): a restart, a
 * start on an empty state, a reboot (followed, untimed as a side, by the containers' return and the
 * Apply that re-attaches them), and the `ip -batch` floor.
 */
import { startPhases, type StartPhases } from './agentPhases';
import type { RestoreSession, TimedApply } from './RestoreSession';

export type Side = 'restart' | 'empty' | 'reboot' | 'floor';

const SIDES: readonly Side[] = ['restart', 'empty', 'reboot', 'floor'];

/** One side's run in one round. */
export interface SideRun {
  side: Side;
  round: number;
  ms: number;
  /** Where an agent's start went (the floor has none). */
  phases?: StartPhases;
}

export interface RoundsResult {
  runs: SideRun[];
  /** The Apply that re-attached every endpoint after each reboot. */
  reattaches: TimedApply[];
}

export async function runRounds(
  session: RestoreSession,
  rounds: number,
  say: (text: string) => void,
): Promise<RoundsResult> {
  const result: RoundsResult = { runs: [], reattaches: [] };
  for (let round = 1; round <= rounds; round++) {
    const order = SIDES.map((_, i) => SIDES[(i + round - 1) % SIDES.length]);
    for (const side of order) {
      const run = await runSide(session, side, round, result);
      result.runs.push(run);
      say(`  round ${round}: ${side} ${run.ms.toFixed(0)} ms`);
    }
  }
  return result;
}

async function runSide(
  session: RestoreSession,
  side: Side,
  round: number,
  result: RoundsResult,
): Promise<SideRun> {
  if (side === 'floor') return { side, round, ms: await session.floor() };
  if (side === 'restart' || side === 'empty') {
    const start = side === 'restart' ? await session.restart() : await session.startEmpty();
    return { side, round, ms: start.readyMs, phases: startPhases(start) };
  }
  const start = await session.reboot();
  result.reattaches.push(await session.reattach());
  return { side, round, ms: start.readyMs, phases: startPhases(start) };
}
