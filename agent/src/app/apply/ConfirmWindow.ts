/**
 * The durable side of commit-confirmed: the one Apply awaiting confirmation (what the host was before
 * it, to roll back to, and its deadline, which survives a restart), and how the last ones ended, so that
 * a late ConfirmApply hears why its Apply was rolled back. Kept in the state's meta table, written in
 * the same transactions as the changes they belong to.
 */
import type { PlanStep } from '../../domain/apply/applyModel';
import type { HostSnapshot } from '../../domain/apply/planApply';
import type { HostStateReads, HostStateTx } from '../../domain/ports/HostState';

/** An Apply awaiting confirmation. */
export interface PendingConfirmation {
  applyId: string;
  /** Unix milliseconds: unconfirmed by then, it is rolled back. */
  deadline: number;
  /** The revision the Apply committed. */
  revision: number;
  /** The spec's digest: the same spec again gets this apply_id back, not a refusal. */
  digest: string;
  plan: PlanStep[];
  /** The host before the Apply: what a rollback brings back. */
  previous: HostSnapshot;
}

/** How an Apply with confirm_within ended. */
export interface ConfirmOutcome {
  applyId: string;
  outcome: 'confirmed' | 'rolled back';
  /** For a rollback: why (the deadline, a probe, CancelApply). */
  reason: string;
  /** The revision of the rollback, or the Apply's for a confirmation. */
  revision: number;
  time: number;
}

const PENDING_KEY = 'apply_pending';
const OUTCOMES_KEY = 'apply_outcomes';
/** How many endings are remembered. */
const OUTCOMES_KEPT = 64;

export class ConfirmWindow {
  private cached?: { text: string; value: PendingConfirmation | undefined };

  constructor(private readonly state: HostStateReads) {}

  /** The Apply awaiting confirmation, if any. */
  pending(): PendingConfirmation | undefined {
    const text = this.state.getMeta(PENDING_KEY) ?? '';
    if (this.cached?.text !== text) {
      this.cached = { text, value: text === '' ? undefined : (JSON.parse(text) as PendingConfirmation) };
    }
    return this.cached.value;
  }

  /** Opens the window, in the Apply's own transaction. */
  open(tx: HostStateTx, pending: PendingConfirmation): void {
    tx.setMeta(PENDING_KEY, JSON.stringify(pending));
  }

  /** Closes the window, in the transaction of the rollback (or of the confirmation), and remembers how. */
  close(tx: HostStateTx, outcome: Omit<ConfirmOutcome, 'time'>): void {
    tx.setMeta(PENDING_KEY, '');
    const kept = [
      ...this.outcomes().filter((o) => o.applyId !== outcome.applyId),
      { ...outcome, time: Date.now() },
    ];
    tx.setMeta(OUTCOMES_KEY, JSON.stringify(kept.slice(-OUTCOMES_KEPT)));
  }

  /** How an Apply that awaited confirmation ended, if it is one of the last ones. */
  outcome(applyId: string): ConfirmOutcome | undefined {
    return this.outcomes().find((o) => o.applyId === applyId);
  }

  private outcomes(): ConfirmOutcome[] {
    const text = this.state.getMeta(OUTCOMES_KEY) ?? '';
    return text === '' ? [] : (JSON.parse(text) as ConfirmOutcome[]);
  }
}
