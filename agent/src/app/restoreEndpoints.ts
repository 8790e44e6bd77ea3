import type { Logger } from 'pino';
import { attachOptionsFor, getsDefaultRoute } from '../domain/endpointLinks';
import { endpointMark } from '../domain/marks';
import type { EndpointRecord } from '../domain/model';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { lostStatus, markEndpoint } from './endpointStatus';
import { tempLinkName } from './reserveAttach';

interface RepairDeps {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
}

/**
 * At start, after the networks: an endpoint whose container is gone is LOST (lease kept); one whose
 * container is there but whose link is missing (the agent died mid-change, or someone deleted it) is
 * attached again with its lease and MAC, as a DRIFT; one found in place is READY.
 */
export async function restoreEndpoints(deps: RepairDeps): Promise<void> {
  for (const record of deps.state.listEndpoints()) await repairEndpoint(record, deps);
}

/** Checks one endpoint against the kernel, and repairs or reports it (see restoreEndpoints). */
export async function repairEndpoint(record: EndpointRecord, deps: RepairDeps): Promise<void> {
  const { state, driver } = deps;
  const { spec } = record;
  const seen = await driver.inspectEndpoint(spec.netnsRef, spec.ifname);
  const network = state.getNetwork(spec.network)!;
  const where = `link ${spec.ifname} in ${spec.netns}`;
  if (!seen.netnsExists) {
    if (record.status.state !== 'lost') markEndpoint(record, lostStatus(record), deps);
    return;
  }
  if (seen.link?.alias === endpointMark(spec.network, spec.name)) {
    if (record.status.state !== 'ready') markEndpoint(record, { state: 'ready', message: '' }, deps);
    return;
  }
  if (record.status.state === 'lost') return;
  try {
    const isInternal = (name: string) => state.getNetwork(name)?.spec.internal ?? false;
    const withDefaultRoute = getsDefaultRoute(spec, state.endpointsInNetns(spec.netnsRef), isInternal);
    await driver.attachEndpoint(attachOptionsFor(spec, network, withDefaultRoute, tempLinkName()));
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
