import type { Logger } from 'pino';
import { attachOptionsFor, getsDefaultRoute } from '../domain/endpointLinks';
import { NetnsReplacedError, PreconditionError } from '../domain/errors';
import { endpointMark } from '../domain/marks';
import type { EndpointRecord, EndpointStatus, NetnsInstance, NetnsRef } from '../domain/model';
import { netnsIdentity, sameNetns } from '../domain/netnsIdentity';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver, LinkInfo } from '../domain/ports/LinkDriver';
import {
  lostStatus,
  markEndpoint,
  markEndpoints,
  replacedMessage,
  type StatusChange,
} from './endpointStatus';
import { tempLinkName } from './reserveAttach';

interface RepairDeps {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
}

/** What the kernel shows of one endpoint's namespace and link; `refused` when the ref is not a container's netns. */
interface Seen {
  netnsExists: boolean;
  netnsInstance?: NetnsInstance;
  link?: Pick<LinkInfo, 'alias'>;
  refused?: string;
}

/** What an endpoint needs after a look: nothing, a new status (LOST, or READY adopted), or a re-attach. */
type Verdict = { kind: 'keep' } | { kind: 'mark'; change: StatusChange } | { kind: 'reattach' };

/**
 * At start, after the networks: an endpoint whose container is gone is LOST (lease kept); one whose
 * container is there but whose link is missing (the agent died mid-change, or someone deleted it) is
 * attached again with its lease and MAC, as a DRIFT, into the very namespace it was in; one found in
 * place is READY. After a reboot no container survived: every endpoint is LOST until created again
 * (a pid, an inode or a name of the old boot may well name another container now), without a look.
 *
 * Each container's namespace is read once for all its endpoints (LinkDriver.inspectNetns: one open,
 * one dump of its links), not once per endpoint; the re-attaches run next, then every status change is
 * committed at once (markEndpoints: one sync to disk, not one per endpoint).
 */
export async function restoreEndpoints(deps: RepairDeps & { reboot: boolean }): Promise<void> {
  const started = process.hrtime.bigint();
  const records = deps.state.listEndpoints();
  const found = deps.reboot ? afterReboot(records) : await lookAtEach(records, deps.driver);
  for (const record of found.reattaches) await reattach(record, deps);
  const marked = markEndpoints(found.changes, deps);
  deps.logger.info(
    {
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      endpoints: records.length,
      namespaces: found.namespaces,
      netnsReads: found.reads,
      changed: marked.length,
      reattached: found.reattaches.length,
    },
    'endpoints restored',
  );
}

/** What a restore found to do; the namespaces the endpoints are in, and how many reads of them it took. */
interface Findings {
  changes: StatusChange[];
  reattaches: EndpointRecord[];
  namespaces: number;
  reads: number;
}

/** After a reboot: every endpoint not LOST yet becomes LOST, without a look. */
function afterReboot(records: readonly EndpointRecord[]): Findings {
  const changes = records
    .filter((r) => r.status.state !== 'lost')
    .map((record) => {
      const why = `the host rebooted: the network namespace ${record.spec.netns} of before is gone`;
      return { record, status: lostStatus(record, why) };
    });
  return { changes, reattaches: [], namespaces: 0, reads: 0 };
}

/** Each namespace read once (by the identity of its ref: `c1` however written), each endpoint judged from it. */
async function lookAtEach(records: readonly EndpointRecord[], driver: LinkDriver): Promise<Findings> {
  const groups = new Map<string, EndpointRecord[]>();
  for (const r of records) {
    const key = netnsIdentity(r.spec.netnsRef);
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const found: Findings = { changes: [], reattaches: [], namespaces: groups.size, reads: 0 };
  for (const group of groups.values()) {
    const look = await lookInto(driver, group[0].spec.netnsRef);
    found.reads++;
    for (const record of group) {
      const verdict = judge(record, look(record.spec.ifname));
      if (verdict.kind === 'mark') found.changes.push(verdict.change);
      else if (verdict.kind === 'reattach') found.reattaches.push(record);
    }
  }
  return found;
}

/** One read of a container's netns (a refusal included), then what it shows of each link by name. */
async function lookInto(driver: LinkDriver, ref: NetnsRef): Promise<(ifname: string) => Seen> {
  try {
    const { netnsExists, netnsInstance, links } = await driver.inspectNetns(ref);
    const byName = new Map(links.map((l) => [l.name, l]));
    return (ifname) => ({ netnsExists, netnsInstance, link: byName.get(ifname) });
  } catch (err) {
    if (!(err instanceof PreconditionError)) throw err;
    return () => ({ netnsExists: false, refused: err.message });
  }
}

/**
 * Checks one endpoint against the kernel, and repairs or reports it (see restoreEndpoints), for a
 * change the kernel reported (DriftService). The agent attaches again only into the namespace the
 * endpoint was attached into: a ref that names another one now (a pid reused, a name given to a new
 * container) makes it LOST, and that namespace is not touched.
 */
export async function repairEndpoint(record: EndpointRecord, deps: RepairDeps): Promise<void> {
  let seen: Seen;
  try {
    seen = await deps.driver.inspectEndpoint(record.spec.netnsRef, record.spec.ifname);
  } catch (err) {
    if (!(err instanceof PreconditionError)) throw err;
    seen = { netnsExists: false, refused: err.message };
  }
  const verdict = judge(record, seen);
  if (verdict.kind === 'mark') markEndpoint(verdict.change.record, verdict.change.status, deps);
  else if (verdict.kind === 'reattach') await reattach(record, deps);
}

/** What one endpoint needs, from what the kernel shows of its namespace and link. */
function judge(record: EndpointRecord, seen: Seen): Verdict {
  const { spec } = record;
  const lost = (why?: string): Verdict =>
    record.status.state === 'lost' ? { kind: 'keep' } : mark(record, lostStatus(record, why));
  if (seen.refused !== undefined) return lost(seen.refused);
  if (!seen.netnsExists || !seen.netnsInstance) return lost();
  const was = spec.netnsInstance;
  if (was && !sameNetns(was, seen.netnsInstance)) return lost(replacedMessage(record));
  if (seen.link?.alias === endpointMark(spec.network, spec.name)) {
    // In place; an endpoint of an earlier agent learns which namespace it is in from its own link.
    if (record.status.state === 'ready' && was) return { kind: 'keep' };
    const adopted = { ...record, spec: { ...spec, netnsInstance: seen.netnsInstance } };
    return mark(adopted, { state: 'ready', message: '' });
  }
  if (record.status.state === 'lost') return { kind: 'keep' };
  if (!was)
    return lost(`the namespace ${spec.netns} was attached into is not known (an earlier agent's endpoint)`);
  return { kind: 'reattach' };
}

const mark = (record: EndpointRecord, status: Omit<EndpointStatus, 'revision'>): Verdict => ({
  kind: 'mark',
  change: { record, status },
});

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
