import type { KernelStep } from './transitionSteps';

/** Detaches at once, at most: each waits ~20 ms on the kernel (a link's deletion ends in RCU grace periods), off the agent's thread. */
export const PARALLEL_STEPS = 8;

/**
 * Steps that touch nothing in common (detaching endpoints, each in its own container) as one step
 * that runs them `limit` at a time. When one fails, the others in flight finish, those done are
 * undone (last first) and the step fails naming the one that failed: all or nothing, as one step. A
 * rollback's (`lenient`) runs them all and then fails naming every one that did, to be logged.
 */
export function inParallel(
  steps: readonly KernelStep[],
  lenient: boolean,
  limit = PARALLEL_STEPS,
): KernelStep {
  if (steps.length === 1) return steps[0];
  return {
    describe: `${steps.length} steps at once (${steps[0].describe}, ...)`,
    run: async () => {
      const done: KernelStep[] = [];
      const failed = await pool(steps, limit, async (step) => {
        await step.run();
        done.push(step);
      });
      if (failed.length === 0) return;
      if (!lenient) {
        for (const step of done.reverse()) await step.undo();
        throw failureOf(failed.slice(0, 1));
      }
      throw failureOf(failed);
    },
    undo: async () => {
      const failed = await pool(steps, limit, (step) => step.undo());
      if (failed.length > 0) throw failureOf(failed);
    },
  };
}

/** Runs `work` on every step, `limit` at once; returns the steps that failed, with why, in order. */
async function pool(
  steps: readonly KernelStep[],
  limit: number,
  work: (step: KernelStep) => Promise<void>,
): Promise<{ step: KernelStep; err: unknown }[]> {
  const failed: { step: KernelStep; err: unknown; at: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < steps.length) {
      const at = next++;
      await work(steps[at]).catch((err: unknown) => failed.push({ step: steps[at], err, at }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, steps.length) }, worker));
  return failed.sort((a, b) => a.at - b.at);
}

function failureOf(failed: readonly { step: KernelStep; err: unknown }[]): Error {
  const reasons = failed.map(
    ({ step, err }) => `${step.describe}: ${err instanceof Error ? err.message : String(err)}`,
  );
  return new Error(reasons.join('; '), { cause: failed[0].err });
}
