import { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import type { AgentServiceClient } from './watchAgent';

/**
 * The first `count` events after `sinceRevision`, as the agent's log replays them to a Watch from
 * there (bookmarks passed over); the stream is closed once they are read.
 */
export async function readLoggedEvents(
  client: AgentServiceClient,
  sinceRevision: number,
  count: number,
): Promise<WatchResponse[]> {
  const abort = new AbortController();
  const events: WatchResponse[] = [];
  try {
    for await (const e of client.watch({ sinceRevision }, { signal: abort.signal })) {
      if (e.type === EventType.EVENT_TYPE_BOOKMARK) continue;
      events.push(e);
      if (events.length === count) break;
    }
  } finally {
    abort.abort();
  }
  return events;
}
