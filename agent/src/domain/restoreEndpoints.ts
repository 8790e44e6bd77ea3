import type { Logger } from 'pino';
import type { LinkDriver } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';
import { attachOptionsFor, getsDefaultRoute } from './endpointLinks';
import { markEndpoint } from './endpointStatus';
import { endpointMark } from './marks';
import type { EndpointRecord } from './model';
import { parseNetnsRef } from './netnsRef';

/**
 * At start, after the networks: an endpoint whose container is gone is LOST (lease kept); one whose
 * container is there but whose link is missing (the agent died mid-change, or someone deleted it) is
 * attached again with its lease and MAC, as a DRIFT; one found in place is READY.
 */
export async function restoreEndpoints(deps: {
  store: Store;
  driver: LinkDriver;
  logger: Logger;
}): Promise<void> {
  for (const record of deps.store.listEndpoints()) await repairEndpoint(record, deps);
}

/** Checks one endpoint against the kernel, and repairs or reports it (see restoreEndpoints). */
export async function repairEndpoint(
  record: EndpointRecord,
  deps: { store: Store; driver: LinkDriver; logger: Logger },
): Promise<void> {
  const { store, driver } = deps;
  const ref = parseNetnsRef(record.spec.netns);
  const seen = await driver.inspectEndpoint(ref, record.spec.ifname);
  const network = store.getNetwork(record.spec.network)!;
  const where = `link ${record.spec.ifname} in ${record.spec.netns}`;
  if (!seen.netnsExists) {
    if (record.status.state !== 'lost') {
      markEndpoint(
        record,
        {
          state: 'lost',
          message: `network namespace ${record.spec.netns} is gone; the lease is kept until the endpoint is deleted`,
        },
        deps,
      );
    }
    return;
  }
  if (seen.link?.alias === endpointMark(record.spec.network, record.spec.name)) {
    if (record.status.state !== 'ready') markEndpoint(record, { state: 'ready', message: '' }, deps);
    return;
  }
  if (record.status.state === 'lost') return;
  try {
    await driver.attachEndpoint(attachOptionsFor(record.spec, network, getsDefaultRoute(record.spec, store)));
    markEndpoint(record, { state: 'ready', message: `${where} was missing: re-attached` }, deps, 'DRIFT');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    markEndpoint(
      record,
      { state: 'failed', message: `${where} is missing and could not be re-attached: ${why}` },
      deps,
      'DRIFT',
    );
  }
}
