// describeInLab's plumbing on a real lab run: runJestInLab boots an instance, runs jest there on a
// fixture with one test of each outcome, and must bring back every test with its blocks, status and
// failure message. The declaring side is plain code over that outcome (test/unit/readInnerJestReport.test.ts).
import { runJestInLab, type JestInLabOutcome } from '../../tools/lab/runJestInLab';

describe('runJestInLab', () => {
  let outcome: JestInLabOutcome;

  beforeAll(() => {
    outcome = runJestInLab('fixtures/mixedResults.labtest.ts');
  }, 300_000);

  it('brings back every inner test with its describe blocks and status', () => {
    expect(outcome.labError).toBeUndefined();
    expect(outcome.tests?.map((t) => [...t.ancestors, t.title, t.status])).toEqual([
      ['a block', 'passes', 'passed'],
      ['a block', 'fails with a message', 'failed'],
      ['a block', 'is skipped', 'skipped'],
      ['a block', 'is still to do', 'todo'],
      ['a block', 'a nested block', 'passes too', 'passed'],
    ]);
  });

  it('carries the failure message of a failed inner test', () => {
    const failed = outcome.tests?.find((t) => t.status === 'failed');
    expect(failed?.failureMessages.join('\n')).toContain('what the outer run should show');
  });

  it("reports jest's exit code and the lab's timings", () => {
    expect(outcome.exitCode).toBe(1);
    expect(outcome.bootMs).toBeGreaterThan(0);
    expect(outcome.totalMs).toBeGreaterThan(outcome.bootMs!);
  });
});

describe('runJestInLab without user-mode Linux', () => {
  const saved = process.env.MVNET_LAB_UML;
  afterAll(() => {
    if (saved === undefined) delete process.env.MVNET_LAB_UML;
    else process.env.MVNET_LAB_UML = saved;
  });

  it('gives the reason instead of a report', () => {
    process.env.MVNET_LAB_UML = '/nonexistent/linux.uml';
    const outcome = runJestInLab('fixtures/mixedResults.labtest.ts', { timeoutMs: 30_000 });
    expect(outcome.tests).toBeUndefined();
    expect(outcome.labError).toMatch(/user-mode Linux is not installed: \/nonexistent\/linux.uml/);
  });
});
