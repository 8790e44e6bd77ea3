import type { Logger } from 'pino';
import type { EndpointRecord, EndpointStatus } from '../domain/model';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';

/**
 * Compares endpoints with their containers' namespaces: an endpoint whose netns is gone becomes LOST
 * (its lease kept, reported with a new revision). A LOST endpoint stays LOST until it is created again,
 * which re-attaches it: a netns of the same name is a new container.
 */
export async function refreshEndpointStatuses(
  records: EndpointRecord[],
  deps: { state: HostState; driver: LinkDriver; logger: Logger },
): Promise<EndpointRecord[]> {
  const fresh: EndpointRecord[] = [];
  for (const record of records) {
    const gone = record.status.state === 'ready' && !(await deps.driver.netnsExists(record.spec.netnsRef));
    fresh.push(gone ? markEndpoint(record, lostStatus(record), deps) : record);
  }
  return fresh;
}

/** The status of an endpoint whose container's netns is gone. */
export function lostStatus(record: EndpointRecord): Omit<EndpointStatus, 'revision'> {
  return {
    state: 'lost',
    message: `network namespace ${record.spec.netns} is gone; the lease is kept until the endpoint is deleted`,
  };
}

/** Commits a new status of an endpoint as a MODIFIED (or DRIFT) event; returns it with its revision. */
export function markEndpoint(
  record: EndpointRecord,
  status: Omit<EndpointStatus, 'revision'>,
  deps: { state: HostState; logger: Logger },
  type: 'MODIFIED' | 'DRIFT' = 'MODIFIED',
): EndpointRecord {
  const updated: EndpointRecord = { spec: record.spec, status: { ...status, revision: 0 } };
  const stored = deps.state.transact((tx) => tx.putEndpoint(updated, type, status.message));
  deps.logger
    .child({ network: record.spec.network, endpoint: record.spec.name })
    .info(
      { revision: stored.status.revision, state: status.state },
      status.message || `endpoint ${status.state}`,
    );
  return stored;
}
