/**
 * Reads the JSON report (`jest --json --outputFile=...`) of a jest run inside the lab into what the
 * outer test file declares: one entry per inner test, and the suite's own failure when it did not
 * run at all (a syntax error, a setup file that threw).
 */

/** One test of the inner run. */
export interface InnerTest {
  /** The titles of its describe blocks, outermost first. */
  ancestors: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'todo';
  failureMessages: string[];
  durationMs: number;
}

export interface InnerJestReport {
  tests: InnerTest[];
  /** Set when the suite failed outside any test (it did not load, or a hook failed). */
  suiteFailure?: string;
  /** The suite's own run time in the lab (jest's startTime to endTime of the file), milliseconds. */
  suiteMs: number;
}

/** The parts of jest's JSON report that are read here (see @jest/test-result's FormattedTestResults). */
interface JestJson {
  testResults?: {
    name: string;
    status: string;
    message: string;
    startTime?: number;
    endTime?: number;
    assertionResults: {
      ancestorTitles: string[];
      title: string;
      status: string;
      failureMessages?: string[];
      duration?: number | null;
    }[];
  }[];
}

function innerStatus(status: string): InnerTest['status'] {
  if (status === 'passed' || status === 'failed' || status === 'todo') return status;
  return 'skipped'; // pending, skipped, disabled, focused-out
}

/** Parses the report for `file` (an absolute path). */
export function readInnerJestReport(json: string, file: string): InnerJestReport {
  const report = JSON.parse(json) as JestJson;
  const suite = report.testResults?.find((r) => r.name === file);
  if (!suite) return { tests: [], suiteFailure: `jest's report has no result for ${file}`, suiteMs: 0 };
  const tests = suite.assertionResults.map((a): InnerTest => ({
    ancestors: a.ancestorTitles,
    title: a.title,
    status: innerStatus(a.status),
    failureMessages: a.failureMessages ?? [],
    durationMs: a.duration ?? 0,
  }));
  // A failed suite whose tests all passed (or that has none) failed outside them: its message says why.
  const failedOutsideTests = suite.status === 'failed' && !tests.some((t) => t.status === 'failed');
  const suiteMs = (suite.endTime ?? 0) - (suite.startTime ?? 0);
  return {
    tests,
    ...(failedOutsideTests ? { suiteFailure: suite.message || 'the suite failed' } : {}),
    suiteMs,
  };
}
