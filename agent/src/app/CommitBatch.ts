/**
 * Group commit: the changes asked for in one turn of the event loop are committed together, under the
 * host mutex, in one SQLite transaction. With full sync each commit waits for the disk on the agent's
 * thread; endpoints attached side by side then share that wait instead of queueing for it one by one.
 * Every change is still durable before its caller hears of it.
 */
import type { HostState, HostStateTx } from '../domain/ports/HostState';
import type { Mutex } from './Mutex';

interface Queued {
  change: (tx: HostStateTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class CommitBatch {
  private queue: Queued[] = [];

  constructor(
    private readonly store: HostState,
    private readonly mutex: Mutex,
  ) {}

  /**
   * Runs `change` in the next group commit and resolves with its result once committed; rejects with
   * what it threw (it is undone alone). `change` runs under the mutex: it may check what it relies on.
   */
  commit<T>(change: (tx: HostStateTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ change, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => void this.mutex.run(async () => this.flush()));
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    let outcomes: ({ value: unknown } | { error: unknown })[];
    try {
      outcomes = this.store.transactEach(batch.map((q) => q.change));
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if ('value' in outcome) batch[i].resolve(outcome.value);
      else batch[i].reject(outcome.error);
    });
  }
}
