import { WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import type { AgentClient } from '../../client/src/AgentClient';
import { readLoggedEvents } from './readLoggedEvents';
import type { AgentServiceClient } from './watchAgent';
import { FANOUT_NETWORK, fanOutNetwork } from './watchLayout';

/**
 * What the peer server sends: a SYNCED marker to each new stream, then copies of the events the agent
 * sends for a create and for a delete of part 1's network, renumbered (so of the same size, give or
 * take a byte of the revision's varint).
 */
export interface PeerMessages {
  synced: Uint8Array;
  added: WatchResponse;
  deleted: WatchResponse;
}

/** Creates and deletes part 1's network once, and reads both events back from the agent's log. */
export async function capturePeerMessages(sdk: AgentClient, raw: AgentServiceClient): Promise<PeerMessages> {
  const { revision } = await sdk.createNetwork(fanOutNetwork());
  await sdk.deleteNetwork(FANOUT_NETWORK);
  const [added, deleted] = await readLoggedEvents(raw, revision - 1, 2);
  if (added?.type !== EventType.EVENT_TYPE_ADDED || deleted?.type !== EventType.EVENT_TYPE_DELETED)
    throw new Error('the fan-out network did not log an ADDED then a DELETED event');
  const synced = WatchResponse.encode(
    WatchResponse.fromPartial({
      revision: deleted.revision,
      type: EventType.EVENT_TYPE_SYNCED,
      revisionEnd: true,
    }),
  ).finish();
  return { synced, added, deleted };
}
