/**
 * The kernel steps of a transition, in the order that keeps the host whole: endpoints off, networks off,
 * networks on, endpoints on. Each step knows its undo. A step of a rollback (`lenient`) that cannot be
 * done does not stop it: the object is committed with a status saying why.
 */
import type { Logger } from 'pino';
import type { EndpointAttach, Transition } from '../../domain/apply/applyModel';
import { withKernelMac } from '../passthruMac';
import { attachOptionsFor, getsDefaultRoute } from '../../domain/endpointLinks';
import { NetnsReplacedError, PreconditionError } from '../../domain/errors';
import { describeLinkOp } from '../../domain/linkOps';
import { endpointMark } from '../../domain/marks';
import type { EndpointRecord, EndpointSpec, EndpointStatus, NetworkRecord } from '../../domain/model';
import { planNetworkRemoval } from '../../domain/planNetwork';
import { planRestore } from '../../domain/planRestore';
import type { KernelCapabilities, LinkDriver } from '../../domain/ports/LinkDriver';
import { applyLinkOps } from '../applyLinkOps';
import { routeFromHost } from '../hostRoutes';
import { tempLinkName } from '../reserveAttach';
import { inParallel } from './parallelSteps';
import { netnsIdentity } from '../../domain/netnsIdentity';

/** One kernel step: what it is (for errors and logs), how to do it, and how to undo it. */
export interface KernelStep {
  describe: string;
  run(): Promise<void>;
  undo(): Promise<void>;
}

export interface StepDeps {
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  /** The host's id (a shim made again derives its MAC from it). */
  hostId: string;
  /** The host's networks and endpoints before the transition (the undo puts them back). */
  before: { networks: readonly NetworkRecord[]; endpoints: readonly EndpointRecord[] };
}

/** What the steps learn as they go: the namespace each attach went into, and the statuses of a lenient run. */
export interface StepOutcomes {
  attached: Map<string, EndpointRecord>;
}

const keyOf = (spec: { network: string; name: string }) => `${spec.network}/${spec.name}`;

export function transitionSteps(
  transition: Transition,
  tmpNames: ReadonlyMap<string, string>,
  deps: StepDeps,
  lenient: boolean,
  outcomes: StepOutcomes,
): KernelStep[] {
  const { driver, logger } = deps;
  const oldNetworks = new Map(deps.before.networks.map((n) => [n.spec.name, n]));
  const targetNetworks = new Map<string, NetworkRecord>(deps.before.networks.map((n) => [n.spec.name, n]));
  for (const { record } of transition.removeNetworks) targetNetworks.delete(record.spec.name);
  for (const record of transition.updateNetworks) targetNetworks.set(record.spec.name, record);
  const steps: KernelStep[] = [];

  const detaches: KernelStep[] = [];
  for (const record of transition.detach) {
    const { spec } = record;
    const network = oldNetworks.get(spec.network)!;
    detaches.push({
      describe: `detach endpoint ${spec.name} of network ${spec.network}`,
      run: () => detachOne(spec, network, deps),
      undo: () => restoreEndpoint(record, network, deps),
    });
  }
  // Each its own link: at once, as one step (each waits on the kernel, not on the others).
  if (detaches.length > 0) steps.push(inParallel(detaches, lenient));
  let remaining = [...deps.before.networks];
  for (const { record, ops } of transition.removeNetworks) {
    remaining = remaining.filter((n) => n.spec.name !== record.spec.name);
    steps.push({
      describe: `remove network ${record.spec.name} (${ops.map(describeLinkOp).join(', ') || 'no link'})`,
      run: async () => {
        try {
          await applyLinkOps(driver, ops);
        } catch (err) {
          // Half removed (its shim gone, its sub-interface not): what went comes back, as in the undo.
          await recreateNetwork(record, deps).catch((e: unknown) =>
            logger.error({ err: e, network: record.spec.name }, 'could not put a half-removed network back'),
          );
          throw err;
        }
      },
      undo: () => recreateNetwork(record, deps),
    });
  }
  const kept = [...remaining];
  for (const { record, ops } of transition.createNetworks) {
    const others = [...kept];
    kept.push(record);
    targetNetworks.set(record.spec.name, record);
    steps.push({
      describe: `create network ${record.spec.name} (${ops.map(describeLinkOp).join(', ') || 'no link'})`,
      run: async () => {
        try {
          await applyLinkOps(driver, ops);
        } catch (err) {
          if (!lenient) throw err;
          logger.error({ err, network: record.spec.name }, 'rollback: the network could not be made again');
        }
      },
      undo: () => applyLinkOps(driver, planNetworkRemoval(record, others)),
    });
  }
  for (const attach of transition.attach) {
    const network = targetNetworks.get(attach.spec.network)!;
    steps.push({
      describe: `attach endpoint ${attach.spec.name} of network ${attach.spec.network} in ${attach.spec.netns}`,
      run: () => attachOne(attach, network, tmpNames.get(keyOf(attach.spec))!, deps, lenient, outcomes),
      undo: async () => {
        const made = outcomes.attached.get(keyOf(attach.spec));
        if (made?.status.state === 'ready') await detachOne(made.spec, network, deps);
      },
    });
  }
  return steps;
}

/**
 * Detaches one endpoint, the link first: a detach the kernel refuses leaves the host's route to the
 * endpoint in place (routeFromHost never throws), so a failed detach has changed nothing.
 */
async function detachOne(spec: EndpointSpec, network: NetworkRecord, deps: StepDeps): Promise<void> {
  const mark = endpointMark(spec.network, spec.name);
  await deps.driver.detachEndpoint(spec.netnsRef, spec.ifname, mark, spec.netnsInstance);
  await routeFromHost(deps.driver, spec, network, false, deps.logger);
}

/** Attaches one endpoint; in a rollback, a namespace that is gone or another one makes it LOST. */
async function attachOne(
  attach: EndpointAttach,
  network: NetworkRecord,
  tmpName: string,
  deps: StepDeps,
  lenient: boolean,
  outcomes: StepOutcomes,
): Promise<void> {
  const { spec } = attach;
  const options = attachOptionsFor(spec, network, attach.withDefaultRoute, tmpName);
  let status: Omit<EndpointStatus, 'revision'> = { state: 'ready', message: '' };
  let netnsInstance = spec.netnsInstance;
  try {
    netnsInstance = await deps.driver.attachEndpoint(
      attach.restore ? options : { ...options, netnsInstance: undefined },
    );
    await routeFromHost(deps.driver, spec, network, true, deps.logger);
  } catch (err) {
    if (!lenient && !attach.restore) throw err;
    status = unattached(spec.netns, err);
  }
  const attached = { ...spec, netnsInstance };
  outcomes.attached.set(keyOf(spec), {
    spec: status.state === 'ready' ? await withKernelMac(attached, network, deps.driver) : attached,
    status: { ...status, revision: 0 },
  });
}

/** Why an endpoint that comes back could not be attached: its container is gone (LOST), or the kernel refused. */
function unattached(netns: string, err: unknown): Omit<EndpointStatus, 'revision'> {
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof NetnsReplacedError || err instanceof PreconditionError) {
    return { state: 'lost', message: `${why}; the lease is kept until the endpoint is deleted` };
  }
  return { state: 'failed', message: `could not be attached again in ${netns}: ${why}` };
}

/** Undo of a detach: the endpoint back into the namespace it was in, its route from the host too. */
async function restoreEndpoint(
  record: EndpointRecord,
  network: NetworkRecord,
  deps: StepDeps,
): Promise<void> {
  const { spec } = record;
  if (record.status.state !== 'ready') return;
  const inNetns = deps.before.endpoints.filter(
    (e) => netnsIdentity(e.spec.netnsRef) === netnsIdentity(spec.netnsRef),
  );
  const isInternal = (name: string) =>
    deps.before.networks.find((n) => n.spec.name === name)?.spec.internal ?? false;
  const withDefaultRoute = !network.spec.internal && getsDefaultRoute(spec, inNetns, isInternal);
  await deps.driver.attachEndpoint(attachOptionsFor(spec, network, withDefaultRoute, tempLinkName()));
  await routeFromHost(deps.driver, spec, network, true, deps.logger);
}

/** Undo of a network's removal: its links made again as the restore at start would make them. */
async function recreateNetwork(record: NetworkRecord, deps: StepDeps): Promise<void> {
  const links = new Map((await deps.driver.listLinks()).map((l) => [l.name, l]));
  const addresses = deps.before.endpoints
    .filter((e) => e.spec.network === record.spec.name)
    .flatMap((e) => [e.spec.ipv4Address, e.spec.ipv6Address].filter(Boolean));
  const steps = planRestore(
    [record],
    links,
    deps.capabilities,
    deps.hostId,
    new Map([[record.spec.name, addresses]]),
  );
  for (const step of steps) if (step.network === record.spec.name) await applyLinkOps(deps.driver, step.ops);
}
