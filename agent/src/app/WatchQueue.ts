import type { ChangeEvent } from '../domain/model';

/** What a watcher's queue hands out next. */
export type QueueItem = { events: ChangeEvent[] } | { idle: true } | { overflow: true };

/**
 * A watcher's bounded queue. Commits push into it synchronously (never waiting for anyone); the watch
 * stream takes from it as fast as its client reads. When a client is too slow and the queue is full,
 * the queue overflows once and the stream ends, so that no watcher ever slows another, or a mutation.
 */
export class WatchQueue {
  private items: ChangeEvent[] = [];
  private overflowed = false;
  private wake?: () => void;

  constructor(private readonly capacity: number) {}

  push(events: ChangeEvent[]): void {
    if (this.overflowed) return;
    if (this.items.length + events.length > this.capacity) {
      this.overflowed = true;
      this.items = [];
    } else {
      this.items.push(...events);
    }
    this.wake?.();
  }

  /** The queued events, or `idle` after `idleMs` without any, or `overflow`. Resolves early on abort. */
  async next(idleMs: number, signal: AbortSignal): Promise<QueueItem> {
    if (!this.overflowed && this.items.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, idleMs);
        signal.addEventListener('abort', done);
        this.wake = done;
      });
    }
    if (this.overflowed) return { overflow: true };
    if (this.items.length === 0) return { idle: true };
    const events = this.items;
    this.items = [];
    return { events };
  }
}
