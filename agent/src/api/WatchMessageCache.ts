/**
 * One wire message per watch event, however many watchers it goes to. The feed hands every watcher
 * the same event object, so its message is made once (its network's endpoint count read once, at the
 * first watcher's turn: the count of now) and kept as long as the event is (a WeakMap: the cache holds
 * nothing alive). encodedOnce() then has grpc-js encode that one message once for all streams.
 */
import type { WatchItem } from '../app/WatchService';
import type { WatchResponse } from '../../../proto/gen/mvnet/v1/agent_service';
import { watchItemToMessage } from './watchMessages';

export class WatchMessageCache {
  private readonly messages = new WeakMap<WatchItem, WatchResponse>();

  constructor(private readonly endpointCount: (network: string) => number) {}

  /** The message of `item`: the same object for the same event. */
  messageOf(item: WatchItem): WatchResponse {
    let message = this.messages.get(item);
    if (!message) {
      message = watchItemToMessage(item, this.endpointCount);
      this.messages.set(item, message);
    }
    return message;
  }
}
