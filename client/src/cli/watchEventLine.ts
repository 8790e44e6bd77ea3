import { WatchResponse } from '../../../proto/gen/mvnet/v1/agent_service';
import type { Endpoint } from '../../../proto/gen/mvnet/v1/endpoint';
import type { Host } from '../../../proto/gen/mvnet/v1/host';
import type { Network } from '../../../proto/gen/mvnet/v1/network';
import { EventType, eventTypeToJSON } from '../../../proto/gen/mvnet/v1/watch';
import type { WatchEvent } from '../watchEvents';
import { endpointStateName, stateName } from './format';

/**
 * Widths of the columns before the last: revision, event, kind, name. The lines of a stream cannot be
 * measured before they are printed, so the widths are fixed; a longer cell pushes the line right.
 */
const WIDTHS = [6, 8, 8, 20];

/**
 * One watch event as a line for people, in columns: revision, event, kind, name, details.
 *
 *     12      MODIFIED  network   mvnet                 parent=eth0 subnets=192.168.0.0/24 endpoints=2 state=degraded: parent link eth0 is down
 *     13      ADDED     endpoint  mvnet/c1              ipv4=192.168.0.3 mac=02:… netns=c1 state=ready
 *     13      SYNCED    the current state is above; changes follow
 *     -       RELIST    listing again: <why>
 *
 * A DELETED event names the object only; the agent's note on an event (a DRIFT's account of what it saw
 * and did) follows the details after `; `.
 */
export function watchEventLine(event: WatchEvent): string {
  if (event.relist) return columns(['-', 'RELIST', `listing again: ${event.reason}`]);
  const revision = String(event.revision);
  const type = eventName(event.type);
  if (event.type === EventType.EVENT_TYPE_SYNCED)
    return columns([revision, type, 'the current state is above; changes follow']);
  if (event.type === EventType.EVENT_TYPE_BOOKMARK) return columns([revision, type]);
  const { kind, name, details } = describeObject(event.object);
  const shown = event.type === EventType.EVENT_TYPE_DELETED ? [] : [details];
  const note = [...shown, event.message].filter((text) => text !== '').join('; ');
  return columns([revision, type, kind, name, note]);
}

/** One watch event as a line of JSON: the agent's WatchResponse in proto3 JSON, or the SDK's relist marker. */
export function watchEventJson(event: WatchEvent): string {
  const value = event.relist ? { relist: true, reason: event.reason } : WatchResponse.toJSON(event);
  return `${JSON.stringify(value)}\n`;
}

/** `ADDED`, `SYNCED`, …: the enum's name without its prefix. */
export function eventName(type: EventType): string {
  return eventTypeToJSON(type).replace(/^EVENT_TYPE_/, '');
}

function columns(cells: string[]): string {
  const padded = cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(WIDTHS[i] ?? 0) : cell));
  return `${padded.join('  ').trimEnd()}\n`;
}

function describeObject(object: WatchResponse['object']): { kind: string; name: string; details: string } {
  switch (object?.$case) {
    case 'network':
      return { kind: 'network', name: object.value.name, details: networkDetails(object.value) };
    case 'endpoint': {
      const { network, name } = object.value;
      return { kind: 'endpoint', name: `${network}/${name}`, details: endpointDetails(object.value) };
    }
    case 'host':
      return { kind: 'host', name: object.value.hostname, details: hostDetails(object.value) };
    default:
      return { kind: '-', name: '-', details: '' };
  }
}

function networkDetails(network: Network): string {
  const status = network.status;
  return keyValues([
    ['parent', network.internal ? '(internal)' : network.parent],
    ['subnets', network.subnets.map((s) => s.cidr).join(',')],
    ['endpoints', status ? String(status.endpointCount) : ''],
    ['state', withMessage(stateName(status?.state), status?.message)],
  ]);
}

function endpointDetails(endpoint: Endpoint): string {
  const status = endpoint.status;
  return keyValues([
    ['ipv4', endpoint.ipv4Address],
    ['ipv6', endpoint.ipv6Address],
    ['mac', endpoint.macAddress],
    ['netns', endpoint.netns],
    ['state', withMessage(endpointStateName(status?.state), status?.message)],
  ]);
}

function hostDetails(host: Host): string {
  return keyValues([
    ['version', host.version],
    ['kernel', host.kernelRelease],
  ]);
}

/** `key=value` pairs, empty values left out. */
function keyValues(pairs: [string, string][]): string {
  return pairs
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function withMessage(state: string, message: string | undefined): string {
  return message ? `${state}: ${message}` : state;
}
