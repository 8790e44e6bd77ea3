import { EventType } from '../../../proto/gen/mvnet/v1/watch';
import type { FleetWatchEvent } from '../fleet/Fleet';
import { retryNote } from './watch';
import { watchEventJson, watchEventLine } from './watchEventLine';

/**
 * What `fleet watch` prints of one event of the merged stream: on stdout, the single-host watch's
 * line with its host in front (`h2    13      ADDED     endpoint  lan/c2  ...`), or with `json` its
 * JSON line with a `host` field first; on stderr, the note on a host's stream about to be resumed.
 * BOOKMARK lines are left out of the table unless `bookmarks`; JSON has them all.
 */
export function fleetWatchOutput(
  item: FleetWatchEvent,
  hostWidth: number,
  options: { json: boolean; bookmarks: boolean },
): { stdout?: string; stderr?: string } {
  if ('retry' in item)
    return { stderr: `Warning: ${item.host}: ${retryNote(item.retry).replace(/^Warning: /, '')}` };
  const { host, event } = item;
  if (options.json)
    return { stdout: `${JSON.stringify({ host, ...(JSON.parse(watchEventJson(event)) as object) })}\n` };
  if (!event.relist && event.type === EventType.EVENT_TYPE_BOOKMARK && !options.bookmarks) return {};
  return { stdout: `${host.padEnd(hostWidth)}  ${watchEventLine(event)}` };
}
