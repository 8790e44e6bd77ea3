import type { EndpointRecord, NetworkRecord, ObjectKind } from '../domain/model';
import type { WatchItem } from '../app/WatchService';
import { ResourceKind } from '../../../proto/gen/mvnet/v1/apply';
import type { WatchResponse } from '../../../proto/gen/mvnet/v1/agent_service';
import { EventType } from '../../../proto/gen/mvnet/v1/watch';
import { endpointToMessage } from './endpointMessages';
import { networkToMessage } from './networkMessages';
import { timestampOf } from './timestampMessage';

const TYPES: Record<WatchItem['type'], EventType> = {
  ADDED: EventType.EVENT_TYPE_ADDED,
  MODIFIED: EventType.EVENT_TYPE_MODIFIED,
  DELETED: EventType.EVENT_TYPE_DELETED,
  DRIFT: EventType.EVENT_TYPE_DRIFT,
  SYNCED: EventType.EVENT_TYPE_SYNCED,
  BOOKMARK: EventType.EVENT_TYPE_BOOKMARK,
};

const KINDS: Partial<Record<ResourceKind, ObjectKind>> = {
  [ResourceKind.RESOURCE_KIND_NETWORK]: 'network',
  [ResourceKind.RESOURCE_KIND_ENDPOINT]: 'endpoint',
  [ResourceKind.RESOURCE_KIND_HOST]: 'host',
};

/** The wire kinds of a WatchRequest as the domain's; undefined for a value this agent does not know. */
export function kindsFromMessage(kinds: ResourceKind[]): (ObjectKind | undefined)[] {
  return kinds.map((k) => KINDS[k]);
}

/**
 * One watch item on the wire. Network objects carry their endpoint count of now. revision_end is the
 * event's own; SYNCED and BOOKMARK each stand alone and carry it.
 */
export function watchItemToMessage(
  item: WatchItem,
  endpointCount: (network: string) => number,
): WatchResponse {
  const base = {
    revision: item.revision,
    type: TYPES[item.type],
    message: '',
    object: undefined,
    time: undefined,
    revisionEnd: 'kind' in item ? item.revisionEnd : true,
  };
  if (!('kind' in item)) return base;
  const time = timestampOf(item.time);
  if (item.kind === 'endpoint') {
    return {
      ...base,
      message: item.message,
      time,
      object: { $case: 'endpoint', value: endpointToMessage(item.object as EndpointRecord) },
    };
  }
  const network = item.object as NetworkRecord;
  const view = { ...network, endpointCount: endpointCount(network.spec.name) };
  return {
    ...base,
    message: item.message,
    time,
    object: { $case: 'network', value: networkToMessage(view) },
  };
}
