import type { Logger } from 'pino';
import { attachOptionsFor, getsDefaultRoute } from '../domain/endpointLinks';
import { NetnsReplacedError, PreconditionError } from '../domain/errors';
import { endpointMark } from '../domain/marks';
import type { EndpointRecord } from '../domain/model';
import { sameNetns } from '../domain/netnsIdentity';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { lostStatus, markEndpoint, replacedMessage } from './endpointStatus';
import { tempLinkName } from './reserveAttach';

interface RepairDeps {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
}

/**
 * At start, after the networks: an endpoint whose container is gone is LOST (lease kept); one whose
 * container is there but whose link is missing (the agent died mid-change, or someone deleted it) is
 * attached again with its lease and MAC, as a DRIFT, into the very namespace it was in; one found in
 * place is READY. After a reboot no container survived: every endpoint is LOST until created again
 * (a pid, an inode or a name of the old boot may well name another container now).
 */
export async function restoreEndpoints(deps: RepairDeps & { reboot: boolean }): Promise<void> {
  for (const record of deps.state.listEndpoints()) {
    if (!deps.reboot) await repairEndpoint(record, deps);
    else if (record.status.state !== 'lost') {
      const why = `the host rebooted: the network namespace ${record.spec.netns} of before is gone`;
      markEndpoint(record, lostStatus(record, why), deps);
    }
  }
}

/**
 * Checks one endpoint against the kernel, and repairs or reports it (see restoreEndpoints). The agent
 * attaches again only into the namespace the endpoint was attached into: a ref that names another one
 * now (a pid reused, a name given to a new container) makes it LOST, and that namespace is not touched.
 */
export async function repairEndpoint(record: EndpointRecord, deps: RepairDeps): Promise<void> {
  const { driver } = deps;
  const { spec } = record;
  const lost = (why?: string) => {
    if (record.status.state !== 'lost') markEndpoint(record, lostStatus(record, why), deps);
  };
  let seen;
  try {
    seen = await driver.inspectEndpoint(spec.netnsRef, spec.ifname);
  } catch (err) {
    if (err instanceof PreconditionError) return lost(err.message);
    throw err;
  }
  if (!seen.netnsExists || !seen.netnsInstance) return lost();
  const was = spec.netnsInstance;
  if (was && !sameNetns(was, seen.netnsInstance)) return lost(replacedMessage(record));
  if (seen.link?.alias === endpointMark(spec.network, spec.name)) {
    // In place; an endpoint of an earlier agent learns which namespace it is in from its own link.
    if (record.status.state === 'ready' && was) return;
    const adopted = { ...record, spec: { ...spec, netnsInstance: seen.netnsInstance } };
    markEndpoint(adopted, { state: 'ready', message: '' }, deps);
    return;
  }
  if (record.status.state === 'lost') return;
  if (!was)
    return lost(`the namespace ${spec.netns} was attached into is not known (an earlier agent's endpoint)`);
  await reattach(record, deps);
}

/** Attaches a READY endpoint whose link went missing again, into its own namespace; a DRIFT either way. */
async function reattach(record: EndpointRecord, deps: RepairDeps): Promise<void> {
  const { state, driver } = deps;
  const { spec } = record;
  const where = `link ${spec.ifname} in ${spec.netns}`;
  const network = state.getNetwork(spec.network)!;
  try {
    const isInternal = (name: string) => state.getNetwork(name)?.spec.internal ?? false;
    const withDefaultRoute = getsDefaultRoute(spec, state.endpointsInNetns(spec.netnsRef), isInternal);
    await driver.attachEndpoint(attachOptionsFor(spec, network, withDefaultRoute, tempLinkName()));
    markEndpoint(record, { state: 'ready', message: `${where} was missing: re-attached` }, deps, 'DRIFT');
  } catch (err) {
    if (err instanceof NetnsReplacedError) {
      markEndpoint(record, lostStatus(record, replacedMessage(record)), deps, 'DRIFT');
      return;
    }
    const why = err instanceof Error ? err.message : String(err);
    const failed = {
      state: 'failed' as const,
      message: `${where} is missing and could not be re-attached: ${why}`,
    };
    markEndpoint(record, failed, deps, 'DRIFT');
  }
}
