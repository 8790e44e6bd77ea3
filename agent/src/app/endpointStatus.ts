import type { Logger } from 'pino';
import { PreconditionError } from '../domain/errors';
import type { EndpointRecord, EndpointStatus } from '../domain/model';
import { sameNetns } from '../domain/netnsIdentity';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { MAX_STATUS_MESSAGE_CHARS } from '../domain/limits';
import { recordUnlessFull } from './recordUnlessFull';

type Status = Omit<EndpointStatus, 'revision'>;

/**
 * Compares endpoints with their containers' namespaces: an endpoint whose netns is gone, or is another
 * namespace now (its pid or its name went to another container), becomes LOST (its lease kept, reported
 * with a new revision). A LOST endpoint stays LOST until it is created again, which re-attaches it.
 */
export async function refreshEndpointStatuses(
  records: EndpointRecord[],
  deps: { state: HostState; driver: LinkDriver; logger: Logger },
): Promise<EndpointRecord[]> {
  const fresh: EndpointRecord[] = [];
  for (const record of records) {
    const lost = record.status.state === 'ready' ? await whyLost(record, deps.driver) : undefined;
    fresh.push(lost ? markEndpoint(record, lost, deps) : record);
  }
  return fresh;
}

/** Why a ready endpoint is LOST now, or undefined when its namespace is still the one it was attached into. */
async function whyLost(record: EndpointRecord, driver: LinkDriver): Promise<Status | undefined> {
  let now;
  try {
    now = await driver.netnsInstance(record.spec.netnsRef);
  } catch (err) {
    if (!(err instanceof PreconditionError)) throw err;
    return lostStatus(record, err.message);
  }
  if (!now) return lostStatus(record);
  const was = record.spec.netnsInstance;
  return was && !sameNetns(was, now) ? lostStatus(record, replacedMessage(record)) : undefined;
}

/** The status of an endpoint whose container's netns is gone (or, with `why`, not the container's). */
export function lostStatus(record: EndpointRecord, why?: string): Status {
  const cause = why ?? `network namespace ${record.spec.netns} is gone`;
  return { state: 'lost', message: `${cause}; the lease is kept until the endpoint is deleted` };
}

/** What a LOST endpoint says when its ref names another namespace now. */
export function replacedMessage(record: EndpointRecord): string {
  return `network namespace ${record.spec.netns} is another namespace now (its container is gone)`;
}

/**
 * Commits a new status of an endpoint as a MODIFIED (or DRIFT) event; returns it with its revision.
 * Its message is cut to MAX_STATUS_MESSAGE_CHARS (it may carry a kernel's error). On a full state
 * disk the status is returned as observed, not stored (recordUnlessFull).
 */
export function markEndpoint(
  record: EndpointRecord,
  status: Status,
  deps: { state: HostState; logger: Logger },
  type: 'MODIFIED' | 'DRIFT' = 'MODIFIED',
): EndpointRecord {
  const message = cutMessage(status.message);
  const updated: EndpointRecord = { spec: record.spec, status: { ...status, message, revision: 0 } };
  const log = deps.logger.child({ network: record.spec.network, endpoint: record.spec.name });
  const stored = recordUnlessFull(
    log,
    'endpoint status',
    () => deps.state.transact((tx) => tx.putEndpoint(updated, type, message)),
    () => ({ ...updated, status: { ...updated.status, revision: record.status.revision } }),
  );
  log.info({ revision: stored.status.revision, state: status.state }, message || `endpoint ${status.state}`);
  return stored;
}

function cutMessage(message: string): string {
  return message.length > MAX_STATUS_MESSAGE_CHARS
    ? `${message.slice(0, MAX_STATUS_MESSAGE_CHARS - 3)}...`
    : message;
}
