/**
 * bench:all's summary copies each section's own verdicts: the bullets under "### Against the targets",
 * continuation lines joined, nothing from the sections around them.
 */
import { formatSummary, targetLines } from '../../bench/all/targetSummary';

const SECTION = [
  '## Endpoint attach',
  '',
  '### Figures',
  '',
  '- not a verdict',
  '',
  '### Against the targets',
  '',
  '- one attach: 0.84 (target ≤ 0.25): NOT met',
  '- the SDK: 1.32 (target ≤ 1.5):',
  '  met',
  '',
  '### Reproduce',
  '',
  '- not a verdict either',
].join('\n');

describe("bench:all's summary", () => {
  it('takes the bullets under "Against the targets" only, joining continuation lines', () => {
    expect(targetLines(SECTION)).toEqual([
      'one attach: 0.84 (target ≤ 0.25): NOT met',
      'the SDK: 1.32 (target ≤ 1.5): met',
    ]);
  });

  it('says so for a section that is missing or has no targets, and lists each run with its exit', () => {
    const text = formatSummary({
      date: '2026-12-07T00:00:00.000Z',
      outcomes: [
        { script: 'bench', seconds: 60, status: '0' },
        { script: 'bench:watch', seconds: 30, status: 'exit 1' },
      ],
      sectionText: (name) => (name === 'attach' ? SECTION : undefined),
    });
    expect(text).toContain('in 1.5 minutes');
    expect(text).toContain('| `npm run bench:watch` | 30 s | exit 1 |');
    expect(text).toContain('- one attach: 0.84 (target ≤ 0.25): NOT met');
    expect(text).toMatch(
      /\*\*apply\*\* \(`npm run bench`\):\n\n- no verdict: the section is missing or has no targets/,
    );
  });
});
