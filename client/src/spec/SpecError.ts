/** One thing wrong in a spec file: where (the path, and the line and column when YAML gives them) and what. */
export interface SpecProblem {
  /** `networks[2].vlanId`, as the file spells its keys; empty for the file as a whole. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * A spec file refused before any call, with every problem found in it: one line each,
 * `host.yaml:12:5: networks[2].vlanId: expected a whole number, got the text "ten"`.
 */
export class SpecError extends Error {
  constructor(
    /** The file as the messages name it (`<stdin>` for standard input). */
    readonly source: string,
    readonly problems: readonly SpecProblem[],
    /** Problems found beyond those listed. */
    readonly unreported = 0,
    /** What the file holds, as the message names it. */
    what = 'the spec',
  ) {
    const count = problems.length + unreported;
    const lines = problems.map((p) => `  ${formatProblem(source, p)}`);
    if (unreported > 0) lines.push(`  ... and ${unreported} more`);
    super(`${source}: ${count === 1 ? '1 error' : `${count} errors`} in ${what}:\n${lines.join('\n')}`);
    this.name = 'SpecError';
  }
}

/** A problem as a compiler prints it: `file:line:column: path: message`. */
export function formatProblem(source: string, problem: SpecProblem): string {
  const where = problem.line === undefined ? source : `${source}:${problem.line}:${problem.column ?? 1}`;
  return problem.path === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.path}: ${problem.message}`;
}
