/**
 * The rollback side of commit-confirmed: a timer to the pending Apply's deadline, and the rollback
 * itself (at the deadline, on CancelApply, on a failed probe, or at start past the deadline). A rollback
 * plans the way back to the snapshot the Apply kept and carries it out leniently: what cannot be made
 * again (a container's namespace gone meanwhile) is committed LOST, not left half-done. It closes the
 * window in the same transaction, so the host is never both rolled back and still awaiting confirmation.
 */
import type { Logger } from 'pino';
import { changesAnything } from '../../domain/apply/applyModel';
import { planRollback } from '../../domain/apply/planApply';
import { NotFoundError } from '../../domain/errors';
import type { EndpointSpec } from '../../domain/model';
import type { HostState } from '../../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver } from '../../domain/ports/LinkDriver';
import type { Mutex } from '../Mutex';
import type { ConfirmOutcome, ConfirmWindow, PendingConfirmation } from './ConfirmWindow';
import { readApplyView } from './readApplyView';
import { runTransition } from './runTransition';

export interface RollbacksDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  mutex: Mutex;
  window: ConfirmWindow;
  onAttached?: (spec: EndpointSpec) => void;
}

/** setTimeout's longest delay; a confirm window is at most an hour, so this only guards a clock jump. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Rollbacks {
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: RollbacksDeps) {}

  /** Rolls the pending Apply back at its deadline, unless it is confirmed or cancelled first. */
  schedule(pending: PendingConfirmation): void {
    this.cancelTimer();
    const delay = Math.min(Math.max(0, pending.deadline - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const reason = `not confirmed by its deadline ${new Date(pending.deadline).toISOString()}`;
      this.rollBack(pending.applyId, reason).catch((err: unknown) =>
        this.deps.logger.error({ err, applyId: pending.applyId }, 'rollback at the deadline failed'),
      );
    }, delay);
    this.timer.unref();
  }

  cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Rolls the pending Apply `applyId` back now; returns the revision of the rollback (the host's, when
   * the Apply is no longer pending: confirmed or rolled back meanwhile, it is left as it is).
   */
  async rollBack(applyId: string, reason: string): Promise<number> {
    const { state, window, logger } = this.deps;
    return this.deps.mutex.run(async () => {
      const pending = window.pending();
      if (pending?.applyId !== applyId) return this.ended(applyId).revision;
      this.cancelTimer();
      const view = await readApplyView(
        this.deps,
        pending.previous.endpoints.map((e) => e.spec),
      );
      const transition = planRollback(pending.previous, view);
      const close = (revision: number) => ({ applyId, outcome: 'rolled back' as const, reason, revision });
      if (!changesAnything(transition)) {
        state.transact((tx) => window.close(tx, close(state.revision())));
        logger.warn({ applyId, reason }, 'apply rolled back: the host was already as before it');
        return state.revision();
      }
      const result = await runTransition(
        {
          applyId,
          transition,
          lenient: true,
          // Inside the rollback's transaction, after its events: the revision it takes.
          alsoCommit: (tx) => window.close(tx, close(tx.revision())),
        },
        this.deps,
      );
      for (const { spec } of result.attached) this.deps.onAttached?.(spec);
      logger.warn({ applyId, reason, revision: result.revision }, 'apply rolled back');
      return result.revision;
    });
  }

  /** How a past Apply with confirm_within ended; NOT_FOUND for an id this host does not remember. */
  ended(applyId: string): ConfirmOutcome {
    const outcome = this.deps.window.outcome(applyId);
    if (!outcome) {
      throw new NotFoundError(
        `apply ${applyId} is not pending and not among the last ones this host remembers`,
      );
    }
    return outcome;
  }

  /** At start: past its deadline the pending Apply is rolled back now; before it, its timer runs again. */
  async resume(): Promise<void> {
    const pending = this.deps.window.pending();
    if (!pending) return;
    if (pending.deadline <= Date.now()) {
      await this.rollBack(pending.applyId, 'its deadline passed while the agent was down');
    } else {
      this.deps.logger.info(
        { applyId: pending.applyId, deadline: new Date(pending.deadline).toISOString() },
        'apply awaits confirmation',
      );
      this.schedule(pending);
    }
  }
}
