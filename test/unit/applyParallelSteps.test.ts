import { inParallel } from '../../agent/src/app/apply/parallelSteps';
import type { KernelStep } from '../../agent/src/app/apply/transitionSteps';

/** Steps that record what they did, take a few ms each, and fail where told. */
function steps(n: number, failAt: number[] = []) {
  const log: string[] = [];
  let inFlight = 0;
  let most = 0;
  const made: KernelStep[] = Array.from({ length: n }, (_, i) => ({
    describe: `step ${i}`,
    run: async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      if (failAt.includes(i)) throw new Error(`kernel refused ${i}`);
      log.push(`run ${i}`);
    },
    undo: async () => {
      log.push(`undo ${i}`);
    },
  }));
  return { made, log, most: () => most };
}

describe('inParallel: steps of their own links, as one step', () => {
  it('runs them all, at most `limit` at once', async () => {
    const s = steps(20);
    await inParallel(s.made, false, 4).run();
    expect(s.log.filter((l) => l.startsWith('run'))).toHaveLength(20);
    expect(s.most()).toBe(4);
  });

  it('all or nothing: one that fails, the done ones are undone, the error names it', async () => {
    const s = steps(10, [5]);
    await expect(inParallel(s.made, false, 3).run()).rejects.toThrow('step 5: kernel refused 5');
    const ran = s.log.filter((l) => l.startsWith('run')).map((l) => l.slice(4));
    const undone = s.log.filter((l) => l.startsWith('undo')).map((l) => l.slice(5));
    expect(undone).toEqual([...ran].reverse());
    expect(ran).not.toContain('5');
  });

  it('a rollback runs every one and names every failure; the undo undoes all', async () => {
    const s = steps(6, [1, 4]);
    await expect(inParallel(s.made, true).run()).rejects.toThrow(
      'step 1: kernel refused 1; step 4: kernel refused 4',
    );
    expect(s.log.filter((l) => l.startsWith('run'))).toHaveLength(4);
    expect(s.log.some((l) => l.startsWith('undo'))).toBe(false);
    const group = inParallel(s.made, false);
    await group.undo();
    expect(s.log.filter((l) => l.startsWith('undo')).sort()).toEqual(
      ['0', '1', '2', '3', '4', '5'].map((i) => `undo ${i}`),
    );
  });

  it('a single step stays itself', () => {
    const s = steps(1);
    expect(inParallel(s.made, false)).toBe(s.made[0]);
  });
});
