import type { ChangeEvent } from '../domain/model';

/** In-process publication of each commit's events, to the watchers subscribed at that moment. */
export class ChangeFeed {
  private readonly listeners = new Set<(events: ChangeEvent[]) => void>();

  subscribe(listener: (events: ChangeEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: ChangeEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }
}
