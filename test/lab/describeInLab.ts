/**
 * The bridge between the outer jest run (this machine's kernel) and a test file that must run on
 * the lab's kernel. An outer test file holds one line:
 *
 *   describeInLab('kernel.labtest.ts');
 *
 * which boots one lab instance, runs jest on test/lab/kernel.labtest.ts inside it, and declares one
 * outer test per inner test, with the same describe blocks and titles: a failure inside shows up by
 * name outside, with the inner failure messages. The inner run happens while jest collects the
 * outer file (it needs the names), so the outer tests themselves only report. A test of a host
 * reboot boots twice: `describeInLab('reboot.labtest.ts', { phases: ['before', 'after'] })`.
 *
 * Whatever goes wrong with the lab becomes a failing outer test that says why: an exception here
 * would be thrown while jest collects the file, and name no test.
 */
import path from 'node:path';
import type { InnerTest } from '../../tools/lab/readInnerJestReport';
import {
  freshLabTestStateDir,
  runJestInLab,
  type JestInLabOptions,
  type JestInLabOutcome,
} from '../../tools/lab/runJestInLab';

/** An inner failure, shown as its messages only (the outer stack would point at this file). */
function innerFailure(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** Declares the tests of one describe level, and recurses into the blocks below it, in inner order. */
function declareTests(tests: InnerTest[], depth: number): void {
  const blocks = new Map<string, InnerTest[]>();
  for (const test of tests) {
    if (test.ancestors.length > depth) {
      const name = test.ancestors[depth];
      if (!blocks.has(name)) blocks.set(name, []);
      blocks.get(name)!.push(test);
    } else if (test.status === 'passed') it(test.title, () => undefined);
    else if (test.status === 'failed')
      it(test.title, () => {
        throw innerFailure(test.failureMessages.join('\n\n') || 'failed in the lab (no message)');
      });
    else if (test.status === 'todo') it.todo(test.title);
    else it.skip(test.title, () => undefined);
  }
  for (const [name, inner] of blocks) describe(name, () => declareTests(inner, depth + 1));
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`;
}

function declareOutcome(file: string, outcome: JestInLabOutcome, hideSkipped: boolean): void {
  if (outcome.labError !== undefined) {
    it(`runs ${file} in the lab`, () => {
      throw innerFailure(`${outcome.labError}\n(state dir: ${outcome.stateDir})`);
    });
    return;
  }
  if (outcome.suiteFailure !== undefined)
    it(`loads and runs ${file} in the lab`, () => {
      throw innerFailure(outcome.suiteFailure!);
    });
  const tests = outcome.tests ?? [];
  declareTests(hideSkipped ? tests.filter((t) => t.status !== 'skipped') : tests, 0);
  // Every test passed, yet jest failed: a coverage threshold, an open handle, a crash at exit.
  const failedSilently = !outcome.suiteFailure && !tests.some((t) => t.status === 'failed');
  if (outcome.exitCode !== 0 && failedSilently)
    it(`ends jest on ${file} with exit code 0`, () => {
      throw innerFailure(
        `jest exited with ${outcome.exitCode} in the lab; see ${outcome.stateDir}/.lab/output`,
      );
    });
}

function reportTimings(name: string, outcome: JestInLabOutcome, testTimes: boolean): void {
  process.stderr.write(
    `lab: ${name}: booted in ${seconds(outcome.bootMs)}, suite ran ${seconds(outcome.suiteMs)}, ` +
      `total ${seconds(outcome.totalMs)} (state dir ${outcome.stateDir})\n`,
  );
  if (testTimes)
    for (const test of (outcome.tests ?? []).filter((t) => t.status !== 'skipped'))
      process.stderr.write(`lab: ${name}:   ${seconds(test.durationMs).padStart(7)}  ${test.title}\n`);
}

export interface DescribeInLabOptions extends Omit<JestInLabOptions, 'stateDir'> {
  /**
   * Boot once per phase, in order, on the same state dir (a host reboot between them), with
   * MVNET_LAB_PHASE set to the phase: the file runs the tests of that phase and skips the others.
   * Each phase's results appear under `phase <name>`, without the tests it skipped. A phase that
   * fails ends the sequence: the later ones would only report the consequences.
   */
  phases?: string[];
  /** Also print each inner test's run time, one line each, after the timings of its boot (for CI's log). */
  reportTestTimes?: boolean;
}

/**
 * Runs `file` (a `.labtest.ts` under test/lab/, or an absolute path) in a lab instance, or in one
 * per phase, and declares its results as tests of a describe block named after the file. Prints one
 * line of timings per boot.
 */
export function describeInLab(file: string, options: DescribeInLabOptions = {}): void {
  const name = path.basename(file);
  const { phases, reportTestTimes = false, ...jestOptions } = options;
  // One state dir for all phases. An exception (a state dir that cannot be made, a bug of the
  // runner) becomes a labError, which declareOutcome shows as a failing test.
  let stateDir: string | undefined;
  const run = (env = jestOptions.env): JestInLabOutcome => {
    try {
      stateDir ??= freshLabTestStateDir(file);
      return runJestInLab(file, { ...jestOptions, env, stateDir });
    } catch (err) {
      const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
      return {
        stateDir: stateDir ?? '(none: it could not be made)',
        labError: `the lab run failed: ${reason}`,
      };
    }
  };
  if (!phases) {
    const outcome = run();
    reportTimings(name, outcome, reportTestTimes);
    describe(`${name} (in the lab)`, () => declareOutcome(name, outcome, false));
    return;
  }
  const outcomes: [string, JestInLabOutcome][] = [];
  for (const phase of phases) {
    const outcome = run({ ...jestOptions.env, MVNET_LAB_PHASE: phase });
    reportTimings(`${name} phase ${phase}`, outcome, reportTestTimes);
    outcomes.push([phase, outcome]);
    if (outcome.labError || outcome.suiteFailure || outcome.exitCode !== 0) break;
  }
  describe(`${name} (in the lab)`, () => {
    for (const [phase, outcome] of outcomes)
      describe(`phase ${phase}`, () => declareOutcome(name, outcome, true));
    for (const phase of phases.slice(outcomes.length))
      it.skip(`phase ${phase} (not run: an earlier phase failed)`, () => undefined);
  });
}
