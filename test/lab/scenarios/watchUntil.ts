import { EventType, type AgentClient, type WatchChange } from '../../../client/src';

/** An event as scenarios compare them: `DRIFT network macvlan10`, `MODIFIED endpoint r1`. */
export function describeEvent(event: WatchChange): string {
  const type = EventType[event.type].replace(/^EVENT_TYPE_/, '');
  const { object } = event;
  const what =
    object === undefined ? '' : object.$case === 'host' ? 'host' : `${object.$case} ${object.value.name}`;
  return `${type} ${what}`.trim();
}

/**
 * Watches an agent from `sinceRevision` (the changes after it, replayed, then live ones) until
 * `enough` holds for the events seen, and resolves them; rejects with what it saw after `timeoutMs`.
 * BOOKMARKs are left out.
 */
export async function watchUntil(
  client: AgentClient,
  sinceRevision: number,
  enough: (events: WatchChange[]) => boolean,
  timeoutMs = 10_000,
): Promise<WatchChange[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: WatchChange[] = [];
  try {
    for await (const event of client.watch({ sinceRevision, signal: abort.signal })) {
      if (event.relist) throw new Error(`the watch had to list again: ${event.reason}`);
      if (event.type === EventType.EVENT_TYPE_BOOKMARK) continue;
      events.push(event);
      if (enough(events)) return events;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(
    `watching from revision ${sinceRevision} for ${timeoutMs} ms did not show what was expected; it saw: ` +
      (events.map((e) => `${e.revision} ${describeEvent(e)}`).join(', ') || 'nothing'),
  );
}
