import type { Logger } from 'pino';
import type { LinkDriver } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';
import type { EndpointRecord, EndpointStatus } from './model';
import { parseNetnsRef } from './netnsRef';

/**
 * Compares endpoints with their containers' namespaces: an endpoint whose netns is gone becomes LOST
 * (its lease kept, reported with a new revision). A LOST endpoint stays LOST until it is created again,
 * which re-attaches it: a netns of the same name is a new container.
 */
export async function refreshEndpointStatuses(
  records: EndpointRecord[],
  deps: { store: Store; driver: LinkDriver; logger: Logger },
): Promise<EndpointRecord[]> {
  const fresh: EndpointRecord[] = [];
  for (const record of records) {
    const gone =
      record.status.state === 'ready' && !(await deps.driver.netnsExists(parseNetnsRef(record.spec.netns)));
    fresh.push(
      gone
        ? markEndpoint(
            record,
            {
              state: 'lost',
              message: `network namespace ${record.spec.netns} is gone; the lease is kept until the endpoint is deleted`,
            },
            deps,
          )
        : record,
    );
  }
  return fresh;
}

/** Commits a new status of an endpoint as a MODIFIED (or DRIFT) event with its revision. */
export function markEndpoint(
  record: EndpointRecord,
  status: Omit<EndpointStatus, 'revision'>,
  deps: { store: Store; logger: Logger },
  type: 'MODIFIED' | 'DRIFT' = 'MODIFIED',
): EndpointRecord {
  const updated: EndpointRecord = { spec: record.spec, status: { ...status, revision: 0 } };
  const revision = deps.store.transact((tx) => tx.putEndpoint(updated, type, status.message));
  deps.logger
    .child({ network: record.spec.network, endpoint: record.spec.name })
    .info({ revision, state: status.state }, status.message || `endpoint ${status.state}`);
  return updated;
}
