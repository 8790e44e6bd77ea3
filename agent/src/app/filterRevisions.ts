import type { ChangeEvent } from '../domain/model';

/**
 * The events of whole revisions that `matches` keeps, with revisionEnd on the last kept event of each
 * revision: a watcher that filters sees the end of every revision it gets part of, and a revision none
 * of whose events match is left out whole. The events given are shared (by every watcher of a commit):
 * one whose mark moves is a copy.
 */
export function filterRevisions(
  events: readonly ChangeEvent[],
  matches: (event: ChangeEvent) => boolean,
): ChangeEvent[] {
  const kept: ChangeEvent[] = [];
  for (const event of events) {
    if (matches(event)) kept.push(event);
    if (!event.revisionEnd) continue;
    const last = kept.length - 1;
    if (last >= 0 && kept[last].revision === event.revision && !kept[last].revisionEnd) {
      kept[last] = { ...kept[last], revisionEnd: true };
    }
  }
  return kept;
}
