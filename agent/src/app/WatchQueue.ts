import type { ChangeEvent } from '../domain/model';

/** What a watcher's queue hands out next. */
export type QueueItem = { events: ChangeEvent[] } | { idle: true } | { overflow: true };

/** The queues whose streams wait for what was just pushed: woken together on the next turn. */
const toWake = new Set<WatchQueue>();

function wakeAll(): void {
  const queues = [...toWake];
  toWake.clear();
  for (const queue of queues) queue.wakeNow();
}

/**
 * A watcher's bounded queue. Commits push into it synchronously (never waiting for anyone); the watch
 * stream takes from it as fast as its client reads. When a client is too slow and the queue is full,
 * the queue overflows once and the stream ends, so that no watcher ever slows another, or a mutation.
 * A waiting stream is woken on the next turn of the event loop (setImmediate), all of a commit's
 * watchers at once, and not within the commit: the call that committed gets its reply on its way first,
 * where 1,000 watchers woken at once had held it back by tens of milliseconds.
 *
 * It admits a revision whole or not at all, so it only ever holds and hands out whole revisions. A
 * revision larger than the capacity is admitted into an empty queue: a big change (an Apply) does not
 * end every watcher that keeps up.
 */
export class WatchQueue {
  private items: ChangeEvent[] = [];
  private overflowed = false;
  private wake?: () => void;
  private idleTimer?: NodeJS.Timeout;
  private idleMs?: number;
  private signal?: AbortSignal;
  /** Wakes the waiting stream: its idle time is up, or its call was aborted. */
  private readonly wakeUp = () => this.wakeNow();

  constructor(private readonly capacity: number) {}

  /** Takes the events of one commit: whole revisions, in order (each ending with revisionEnd). */
  push(events: readonly ChangeEvent[]): void {
    if (this.overflowed || events.length === 0) return;
    let start = 0;
    for (let i = 0; i < events.length; i++) {
      if (!events[i].revisionEnd && i < events.length - 1) continue;
      const size = i + 1 - start;
      if (this.items.length > 0 && this.items.length + size > this.capacity) {
        this.overflowed = true;
        this.items = [];
        break;
      }
      for (let j = start; j <= i; j++) this.items.push(events[j]);
      start = i + 1;
    }
    if (!this.wake) return;
    if (toWake.size === 0) setImmediate(wakeAll);
    toWake.add(this);
  }

  /** Wakes the stream waiting in next(), if one is. */
  wakeNow(): void {
    this.wake?.();
  }

  /**
   * The queued events, or `idle` after `idleMs` without any, or `overflow`. Resolves early on abort.
   * One idle timer per queue, re-armed at each wait (not one timer and one abort listener per event:
   * with 1,000 watchers those were a good part of an event's cost); close() ends both.
   */
  async next(idleMs: number, signal: AbortSignal): Promise<QueueItem> {
    if (!this.overflowed && this.items.length === 0 && !signal.aborted) {
      if (this.signal !== signal) {
        this.signal?.removeEventListener('abort', this.wakeUp);
        this.signal = signal;
        signal.addEventListener('abort', this.wakeUp);
      }
      await new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = undefined;
          resolve();
        };
        if (this.idleTimer && this.idleMs === idleMs) this.idleTimer.refresh();
        else {
          clearTimeout(this.idleTimer);
          this.idleMs = idleMs;
          // Unref: the stream keeps the agent alive, not its timer (armed on after a wake by a push).
          this.idleTimer = setTimeout(this.wakeUp, idleMs).unref();
        }
      });
    }
    if (this.overflowed) return { overflow: true };
    if (this.items.length === 0) return { idle: true };
    const events = this.items;
    this.items = [];
    return { events };
  }

  /** Ends the queue's timer and its abort listener: its stream is over. */
  close(): void {
    clearTimeout(this.idleTimer);
    this.signal?.removeEventListener('abort', this.wakeUp);
    toWake.delete(this);
    this.wake = undefined;
  }
}
