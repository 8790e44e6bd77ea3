/**
 * Who may change the host while an Apply runs. Client mutations pass the gate together (shared: they
 * order themselves on the host mutex, and an attach does its kernel work outside it); an Apply passes
 * it alone (exclusive), once the mutations in flight are done, so that it plans against a host nobody
 * else is changing. A waiting Apply goes before mutations that come after it. While an Apply awaits
 * confirmation, the gate refuses client mutations (`refusal`); the agent's own repairs do not pass
 * through it.
 */
export class MutationGate {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waitingExclusive: (() => void)[] = [];
  private readonly waitingShared: (() => void)[] = [];

  /** Throws why client mutations are refused now (an Apply awaits confirmation); set by the Apply service. */
  refusal: () => void = () => undefined;

  /** Runs a client mutation, refused while `refusal` throws. */
  async shared<T>(mutation: () => Promise<T>): Promise<T> {
    if (this.exclusiveHeld || this.waitingExclusive.length > 0) {
      await new Promise<void>((resolve) => this.waitingShared.push(resolve)); // counted by wakeNext
    } else {
      this.sharedHolders++;
    }
    try {
      this.refusal();
      return await mutation();
    } finally {
      this.sharedHolders--;
      this.wakeNext();
    }
  }

  /** Runs an Apply alone. */
  async exclusive<T>(change: () => Promise<T>): Promise<T> {
    if (this.exclusiveHeld || this.sharedHolders > 0 || this.waitingExclusive.length > 0) {
      await new Promise<void>((resolve) => this.waitingExclusive.push(resolve)); // held by wakeNext
    } else {
      this.exclusiveHeld = true;
    }
    try {
      return await change();
    } finally {
      this.exclusiveHeld = false;
      this.wakeNext();
    }
  }

  private wakeNext(): void {
    if (this.exclusiveHeld) return;
    if (this.waitingExclusive.length > 0) {
      if (this.sharedHolders === 0) {
        this.exclusiveHeld = true;
        this.waitingExclusive.shift()!();
      }
      return;
    }
    const waiting = this.waitingShared.splice(0);
    this.sharedHolders += waiting.length;
    for (const wake of waiting) wake();
  }
}
