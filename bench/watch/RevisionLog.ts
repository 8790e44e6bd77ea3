import type { AgentLogEntry } from '../../tools/AgentProcess';

/** Revisions remembered: far more than a part's rounds have in flight, bounded all the same. */
const KEPT = 1000;

/**
 * When the agent first logged each revision: the `time` (pino's Date.now(), whole ms) of the first
 * line of its log that names it (`revision: N`). The agent names a revision only once it is committed
 * (its services log the outcome after the transaction), so that line is a bound on the commit from
 * after, whatever its wording.
 */
export class RevisionLog {
  private readonly times = new Map<number, number>();
  private readonly waiting = new Map<number, (ms: number) => void>();

  /** For BenchAgent's onEntry. */
  readonly onEntry = (entry: AgentLogEntry): void => {
    const { revision, time } = entry;
    if (typeof revision !== 'number' || typeof time !== 'number' || this.times.has(revision)) return;
    this.times.set(revision, time);
    if (this.times.size > KEPT) this.times.delete(this.times.keys().next().value!);
    this.waiting.get(revision)?.(time);
    this.waiting.delete(revision);
  };

  /** The time of the first line naming `revision`; undefined when none comes within `timeoutMs`. */
  async loggedAt(revision: number, timeoutMs: number): Promise<number | undefined> {
    const known = this.times.get(revision);
    if (known !== undefined) return known;
    return new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(revision);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(revision, (ms) => {
        clearTimeout(timer);
        resolve(ms);
      });
    });
  }
}
