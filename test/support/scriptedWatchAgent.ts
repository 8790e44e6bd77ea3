/**
 * A fake agent for the SDK's watch: it serves scripted Watch streams, so that tests can break a
 * stream anywhere (in the middle of a list, of a revision) and see what the consumer gets.
 */
import { ClientError, Status } from 'nice-grpc';
import type { WatchRequest, WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../proto/gen/mvnet/v1/watch';
import {
  watchEvents,
  type OpenWatchStream,
  type WatchEvent,
  type WatchOptions,
  type WatchRetry,
} from '../../client/src/watchEvents';

/**
 * One stream the fake agent serves: these events (type, revision, object name, revision_end: true
 * unless given), then this ending ('hang': until cancelled).
 */
export interface Stream {
  events: [EventType, number, string?, boolean?][];
  end: Status | 'close' | 'hang';
}

/**
 * An agent that serves scripted streams, one per call, and records the requests; and in `log`, when
 * given, each event as it sends it (`sent 4 MODIFIED n1`).
 */
export function scriptedAgent(
  streams: Stream[],
  log?: string[],
): { open: OpenWatchStream; requests: WatchRequest[] } {
  const requests: WatchRequest[] = [];
  const open: OpenWatchStream = (request, signal) => {
    requests.push(request);
    const stream = streams.shift() ?? { events: [], end: 'hang' };
    return (async function* () {
      for (const [type, revision, name, end] of stream.events) {
        const sent = response(type, revision, name, end);
        log?.push(`sent ${summary({ ...sent, relist: false })}`);
        yield sent;
      }
      if (stream.end === 'close') return;
      if (stream.end === 'hang') {
        await new Promise((_, reject) => {
          if (signal.aborted) reject(new Error('aborted'));
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        });
      }
      throw new ClientError(
        '/mvnet.v1.AgentService/Watch',
        stream.end as Status,
        `scripted ${Status[stream.end as Status]}`,
      );
    })();
  };
  return { open, requests };
}

/** One message of the agent, its object a network named `name` (none when empty). */
function response(type: EventType, revision: number, name = '', revisionEnd = true): WatchResponse {
  const object = name ? { $case: 'network' as const, value: { name } as never } : undefined;
  return { type, revision, object, message: '', time: undefined, revisionEnd };
}

/** `5 ADDED n1`, `7 SYNCED`, `RELIST`: an event in a few characters. */
export function summary(event: WatchEvent): string {
  if (event.relist) return 'RELIST';
  const name = event.object?.$case === 'network' ? ` ${event.object.value.name}` : '';
  return `${event.revision} ${EventType[event.type].replace('EVENT_TYPE_', '')}${name}`;
}

/**
 * Reads `count` events from a watch on the scripted agent (retrying at once), then stops it. With a
 * `log`, it holds what the agent sent and what the consumer got (`got 4 MODIFIED n1`), in order.
 */
export async function take(
  streams: Stream[],
  count: number,
  options: WatchOptions = {},
  log?: string[],
): Promise<{ events: string[]; requests: WatchRequest[]; retries: WatchRetry[] }> {
  const { open, requests } = scriptedAgent(streams, log);
  const retries: WatchRetry[] = [];
  const events: string[] = [];
  if (count > 0) {
    const onRetry = (retry: WatchRetry) => retries.push(retry);
    for await (const event of watchEvents(open, 'h1:7443', { retryDelayMs: 1, onRetry, ...options })) {
      events.push(summary(event));
      log?.push(`got ${summary(event)}`);
      if (events.length === count) break;
    }
  }
  return { events, requests, retries };
}
