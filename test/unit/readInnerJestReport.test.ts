// Reading jest's JSON report of an inner run: tests with their blocks and statuses, and a suite that
// failed outside its tests. Runs on this machine (no lab needed).
import { readInnerJestReport } from '../../tools/lab/readInnerJestReport';

const FILE = '/repo/test/lab/x.labtest.ts';

function report(suite: Record<string, unknown>): string {
  return JSON.stringify({
    testResults: [{ name: FILE, status: 'passed', message: '', startTime: 1000, endTime: 1500, ...suite }],
  });
}

const assertion = (title: string, status: string, extra: Record<string, unknown> = {}) => ({
  ancestorTitles: ['block'],
  title,
  status,
  failureMessages: [],
  duration: 5,
  ...extra,
});

describe('readInnerJestReport', () => {
  it('reads each test with its blocks, status and failure messages', () => {
    const json = report({
      status: 'failed',
      message: 'block › b failed',
      assertionResults: [
        assertion('a', 'passed'),
        assertion('b', 'failed', { failureMessages: ['Error: boom'] }),
        assertion('c', 'pending'),
        assertion('d', 'todo', { duration: null }),
      ],
    });
    const result = readInnerJestReport(json, FILE);
    expect(result.tests.map((t) => [t.title, t.status])).toEqual([
      ['a', 'passed'],
      ['b', 'failed'],
      ['c', 'skipped'],
      ['d', 'todo'],
    ]);
    expect(result.tests[1].failureMessages).toEqual(['Error: boom']);
    expect(result.suiteFailure).toBeUndefined();
    expect(result.suiteMs).toBe(500);
  });

  it('reports a suite that failed outside its tests (it did not load)', () => {
    const json = report({
      status: 'failed',
      message: 'Test suite failed to run\n\n  SyntaxError: nope',
      assertionResults: [],
    });
    expect(readInnerJestReport(json, FILE).suiteFailure).toContain('SyntaxError: nope');
  });

  it('reports a report without the file as a suite failure', () => {
    const result = readInnerJestReport(JSON.stringify({ testResults: [] }), FILE);
    expect(result.suiteFailure).toContain(`no result for ${FILE}`);
  });
});
