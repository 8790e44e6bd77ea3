/**
 * The top of BENCHMARKS.md after `npm run bench:all`: every target of every section, met or not, as
 * its section says it (the bullets under its "### Against the targets"), and how long each benchmark
 * took. Read from the sections themselves, so that the summary never says what a section does not.
 */
import type { BenchmarkSection } from '../shared/writeBenchmarksMd';
import { BENCH_STEPS } from './benchSteps';

export interface StepOutcome {
  script: string;
  seconds: number;
  /** Its exit status: 0, or what went wrong. */
  status: string;
}

/** The bullets under `### Against the targets` in one section's text. */
export function targetLines(section: string): string[] {
  const at = section.indexOf('### Against the targets');
  if (at < 0) return [];
  const lines: string[] = [];
  for (const line of section.slice(at).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    if (line.startsWith('- ')) lines.push(line.slice(2));
    else if (line.startsWith('  ') && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
  }
  return lines;
}

/** The summary section's body. */
export function formatSummary(args: {
  date: string;
  outcomes: StepOutcome[];
  sectionText: (name: BenchmarkSection) => string | undefined;
}): string {
  const total = args.outcomes.reduce((sum, o) => sum + o.seconds, 0);
  const out = [
    '## Summary: every target against its peer',
    '',
    `Written by \`npm run bench:all\` (bench/all/benchAll.ts) on ${args.date}, in ${(total / 60).toFixed(1)} minutes:`,
    'each benchmark below ran in this one session, on the machine its section names, and wrote its section.',
    "Each line is its section's own verdict, copied here.",
    '',
    '| benchmark | took | exit |',
    '| --- | ---: | --- |',
    ...args.outcomes.map((o) => `| \`npm run ${o.script}\` | ${o.seconds.toFixed(0)} s | ${o.status} |`),
  ];
  for (const step of BENCH_STEPS) {
    for (const section of step.sections) {
      const lines = targetLines(args.sectionText(section) ?? '');
      out.push('', `**${section}** (\`npm run ${step.script}\`):`, '');
      if (lines.length === 0) out.push('- no verdict: the section is missing or has no targets');
      for (const line of lines) out.push(`- ${line}`);
    }
  }
  return out.join('\n');
}
