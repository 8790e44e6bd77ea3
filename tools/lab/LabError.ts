/**
 * A lab run that produced no result: linux.uml missing, the instance did not boot, it stopped
 * before the command finished, or the run timed out. A command that ran and failed is not a
 * LabError: its exit code is in the result.
 */
export class LabError extends Error {
  /** The last lines of the instance's console, the place to look first. */
  readonly consoleTail: string;
  /** The full console log on the machine's disk (empty when the instance never started). */
  readonly consoleLog: string;

  constructor(message: string, details: { consoleTail?: string; consoleLog?: string } = {}) {
    const tail = details.consoleTail?.trimEnd() ?? '';
    const where = details.consoleLog ? `\nconsole log: ${details.consoleLog}` : '';
    super(tail ? `${message}${where}\nlast console lines:\n${tail}` : `${message}${where}`);
    this.name = 'LabError';
    this.consoleTail = tail;
    this.consoleLog = details.consoleLog ?? '';
  }
}
