import type { Logger } from 'pino';
import { PreconditionError, StorageFullError } from '../domain/errors';
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
  const updated = withStatus(record, status);
  const { message } = updated.status;
  const log = deps.logger.child({ network: record.spec.network, endpoint: record.spec.name });
  const stored = recordUnlessFull(
    log,
    'endpoint status',
    () => deps.state.transact((tx) => tx.putEndpoint(updated, type, message)),
    () => asObserved(updated, record),
  );
  log.info({ revision: stored.status.revision, state: status.state }, message || `endpoint ${status.state}`);
  return stored;
}

/** One endpoint's new status, for markEndpoints. */
export interface StatusChange {
  record: EndpointRecord;
  status: Status;
}

/**
 * markEndpoint for many endpoints at once (a restore's findings): one commit, one sync to disk, each
 * change a MODIFIED event under a revision of its own, in the order given; returns them as stored.
 * Each is logged at debug, and the whole at info. On a full state disk a change is not stored and is
 * returned as observed (recordUnlessFull); any other refusal is thrown once the others are committed.
 */
export function markEndpoints(
  changes: readonly StatusChange[],
  deps: { state: HostState; logger: Logger },
): EndpointRecord[] {
  if (changes.length === 0) return [];
  const updated = changes.map(({ record, status }) => withStatus(record, status));
  const commit = () =>
    deps.state.transactEach(updated.map((u) => (tx) => tx.putEndpoint(u, 'MODIFIED', u.status.message)));
  const outcomes = recordUnlessFull(deps.logger, 'endpoint statuses', commit, () => undefined);
  const refusals: unknown[] = [];
  const stored = updated.map((u, i) => {
    const outcome = outcomes?.[i];
    if (outcome && 'value' in outcome) return outcome.value;
    if (outcome) refusals.push(outcome.error);
    return asObserved(u, changes[i].record);
  });
  logMarked(stored, refusals, deps);
  const refused = refusals.find((err) => !(err instanceof StorageFullError));
  if (refused !== undefined) throw refused;
  return stored;
}

/** Each status at debug, then how many of each state at info, and a full disk's refusal at warn. */
function logMarked(
  stored: readonly EndpointRecord[],
  refusals: unknown[],
  deps: { state: HostState; logger: Logger },
) {
  const states: Record<string, number> = {};
  for (const { spec, status } of stored) {
    states[status.state] = (states[status.state] ?? 0) + 1;
    const log = deps.logger.child({ network: spec.network, endpoint: spec.name });
    log.debug(
      { revision: status.revision, state: status.state },
      status.message || `endpoint ${status.state}`,
    );
  }
  deps.logger.info(
    { ...states, revision: deps.state.revision() },
    `${stored.length} endpoint statuses changed`,
  );
  const full = refusals.find((err) => err instanceof StorageFullError) as StorageFullError | undefined;
  if (full) deps.logger.warn({ err: full.message }, 'endpoint statuses not recorded: the state disk is full');
}

/** The record with a new status (its message cut), whose revision the commit gives. */
function withStatus(record: EndpointRecord, status: Status): EndpointRecord {
  return { spec: record.spec, status: { ...status, message: cutMessage(status.message), revision: 0 } };
}

/** A status not stored (a full state disk): as observed, under the revision the record had. */
function asObserved(updated: EndpointRecord, record: EndpointRecord): EndpointRecord {
  return { ...updated, status: { ...updated.status, revision: record.status.revision } };
}

function cutMessage(message: string): string {
  return message.length > MAX_STATUS_MESSAGE_CHARS
    ? `${message.slice(0, MAX_STATUS_MESSAGE_CHARS - 3)}...`
    : message;
}
