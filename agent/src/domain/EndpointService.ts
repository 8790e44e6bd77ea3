import type { Logger } from 'pino';
import type { LinkDriver } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';
import { CommitBatch } from './CommitBatch';
import { faultPoint } from '../faultPoint';
import { attachOptionsFor, tempLinkName, endpointsInNetns, getsDefaultRoute } from './endpointLinks';
import { deriveMac } from './endpointMac';
import { AlreadyExistsError, ConflictError, NotFoundError, PreconditionError } from './errors';
import { hostRoute, LeaseLookup, reserveAddress } from './ipam';
import { endpointMark } from './marks';
import { refreshEndpointStatuses } from './endpointStatus';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';
import type { Mutex } from './Mutex';
import { netnsKey, parseNetnsRef } from './netnsRef';
import { normalizeEndpointInput, type EndpointInput, type EndpointRequest } from './normalizeEndpoint';
import { Reservations } from './Reservations';
import { diffSpecFields } from './specDiff';

export interface EndpointServiceDeps {
  store: Store;
  driver: LinkDriver;
  logger: Logger;
  mutex: Mutex;
  /** Told of every endpoint attached (DriftService follows its netns). */
  onAttached?: (spec: EndpointSpec) => void;
}

/** A creation planned under the mutex: what to attach, and how to release its holds. */
interface PlannedAttach {
  spec: EndpointSpec;
  network: NetworkRecord;
  reattach: boolean;
  /** The caller left ifname to the agent: on a clash with a foreign link, the next free one is taken. */
  ifnameChosen: boolean;
  /** This attachment carries the container's default routes (its first on a non-internal network). */
  withDefaultRoute: boolean;
  /** The link's name in the container before its rename (recorded with the pending change). */
  tmpName: string;
  release: () => void;
}

/**
 * The endpoints of one host. A creation reserves under the host mutex (name, addresses from IPAM,
 * interface name), does its kernel work outside it, so that attaches overlap, and commits under it.
 * The lease (addresses, MAC) lives as long as the endpoint, LOST included, and goes with DeleteEndpoint.
 */
export class EndpointService {
  private readonly reservations = new Reservations();
  private readonly commits: CommitBatch;

  constructor(private readonly deps: EndpointServiceDeps) {
    this.commits = new CommitBatch(deps.store, deps.mutex);
  }

  /** Attaches a container to a network; the same request again returns the endpoint; a LOST one is re-attached. */
  async createEndpoint(input: EndpointInput): Promise<{ endpoint: EndpointRecord; revision: number }> {
    const request = normalizeEndpointInput(input);
    const planned = await this.deps.mutex.run(() => this.plan(request));
    if (!('release' in planned)) return planned;
    const { spec, tmpName } = planned;
    const pending = this.deps.store.beginPending({
      kind: 'endpoint',
      network: spec.network,
      name: spec.name,
      netns: spec.netns,
      ifname: spec.ifname,
      tmpName,
    });
    try {
      await this.attach(planned);
    } catch (err) {
      this.deps.store.endPending(pending); // the driver removed what it made
      planned.release();
      throw err;
    }
    return this.commit(planned, pending);
  }

  /** Detaches and forgets an endpoint, releasing its lease; a missing one is success. */
  async deleteEndpoint(network: string, name: string): Promise<{ revision: number }> {
    const { store, driver } = this.deps;
    const deleted = await this.deps.mutex.run(async () => {
      if (this.reservations.isBusy(network, name)) throw busy(network, name);
      const record = store.getEndpoint(network, name);
      if (!record) return undefined;
      const revision = store.transact((tx) => tx.deleteEndpoint(record));
      return { record, revision, release: this.reservations.hold({ network, name }) };
    });
    if (!deleted) return { revision: store.revision() };
    const { spec } = deleted.record;
    try {
      const networkRecord = store.getNetwork(network);
      if (networkRecord) await this.routeFromHost(spec, networkRecord, false);
      await driver.detachEndpoint(parseNetnsRef(spec.netns), spec.ifname, endpointMark(network, name));
    } catch (err) {
      this.log(spec).warn({ err }, 'endpoint deleted; its link could not be removed');
    } finally {
      deleted.release();
    }
    this.log(spec).info({ revision: deleted.revision }, 'endpoint deleted');
    return { revision: deleted.revision };
  }

  /** One endpoint, its status refreshed (LOST when its netns is gone). */
  async getEndpoint(network: string, name: string): Promise<{ endpoint: EndpointRecord; revision: number }> {
    return this.deps.mutex.run(async () => {
      const record = this.deps.store.getEndpoint(network, name);
      if (!record) throw new NotFoundError(`endpoint ${name} not found on network ${network}`);
      const [endpoint] = await refreshEndpointStatuses([record], this.deps);
      return { endpoint, revision: this.deps.store.revision() };
    });
  }

  /** The endpoints of one network ("": of all), statuses refreshed. */
  async listEndpoints(network: string): Promise<{ endpoints: EndpointRecord[]; revision: number }> {
    return this.deps.mutex.run(async () => {
      const { store } = this.deps;
      if (network !== '' && !store.getNetwork(network))
        throw new NotFoundError(`network ${network} not found`);
      const endpoints = await refreshEndpointStatuses(store.listEndpoints(network || undefined), this.deps);
      return { endpoints, revision: store.revision() };
    });
  }

  /** The periodic check: finds endpoints whose container went away. */
  async checkEndpoints(): Promise<void> {
    await this.deps.mutex.run(() => refreshEndpointStatuses(this.deps.store.listEndpoints(), this.deps));
  }

  private async plan(
    request: EndpointRequest,
  ): Promise<PlannedAttach | { endpoint: EndpointRecord; revision: number }> {
    const { store, driver } = this.deps;
    const network = store.getNetwork(request.network);
    if (!network) throw new NotFoundError(`network ${request.network} not found`);
    if (this.reservations.isBusy(request.network, request.name)) throw busy(request.network, request.name);
    const existing = store.getEndpoint(request.network, request.name);
    if (existing) return this.planExisting(request, existing, network);
    if (!(await driver.netnsExists(request.ref))) {
      throw new PreconditionError(
        `endpoint.netns: network namespace ${request.netns} does not exist: start the container first`,
      );
    }
    const key = netnsKey(request.ref);
    const inNetns = endpointsInNetns(store, request.ref);
    const ifname = request.ifname || freeIfname(inNetns, (n) => this.reservations.isIfnameHeld(key, n));
    const clash = inNetns.find((e) => e.spec.ifname === ifname);
    if (clash || this.reservations.isIfnameHeld(key, ifname)) {
      const holder = clash
        ? `endpoint ${clash.spec.name} of network ${clash.spec.network}`
        : 'an endpoint being created';
      throw new PreconditionError(`endpoint.ifname: ${ifname} in ${request.netns} is used by ${holder}`);
    }
    const leases = new LeaseLookup(
      store,
      request.network,
      new Map(this.reservations.addressesOf(request.network)),
    );
    const spec: EndpointSpec = {
      name: request.name,
      network: request.network,
      netns: request.netns,
      ifname,
      ipv4Address: reserveAddress(network.spec, 4, request.ipv4Address, leases, 'endpoint.ipv4_address'),
      ipv6Address: reserveAddress(network.spec, 6, request.ipv6Address, leases, 'endpoint.ipv6_address'),
      macAddress: request.macAddress || deriveMac(request.network, request.name),
    };
    const addresses = [spec.ipv4Address, spec.ipv6Address].filter(Boolean);
    const withDefaultRoute =
      !network.spec.internal &&
      !this.reservations.isDefaultRouteHeld(key) &&
      getsDefaultRoute(spec, store, inNetns);
    const release = this.reservations.hold({
      network: spec.network,
      name: spec.name,
      addresses,
      netnsKey: key,
      ifname,
      defaultRoute: withDefaultRoute,
    });
    const ifnameChosen = request.ifname === '';
    return {
      spec,
      network,
      reattach: false,
      ifnameChosen,
      withDefaultRoute,
      tmpName: tempLinkName(),
      release,
    };
  }

  /** The same endpoint again: returned as it is, or re-attached when LOST or FAILED (same lease, same MAC). */
  private planExisting(request: EndpointRequest, existing: EndpointRecord, network: NetworkRecord) {
    const asked: Partial<EndpointSpec> = { netns: request.netns };
    for (const field of ['ifname', 'ipv4Address', 'ipv6Address', 'macAddress'] as const) {
      if (request[field] !== '') asked[field] = request[field];
    }
    const differs = diffSpecFields(asked, pick(existing.spec, Object.keys(asked) as (keyof EndpointSpec)[]));
    if (differs.length > 0) {
      throw new AlreadyExistsError(
        `endpoint ${request.name} already exists on network ${request.network} with another ${differs.join(', ')}: disconnect it first or use another name`,
      );
    }
    if (existing.status.state === 'ready')
      return { endpoint: existing, revision: this.deps.store.revision() };
    const release = this.reservations.hold({ network: request.network, name: request.name });
    const withDefaultRoute = getsDefaultRoute(existing.spec, this.deps.store);
    const tmpName = tempLinkName();
    return {
      spec: existing.spec,
      network,
      reattach: true,
      ifnameChosen: false,
      withDefaultRoute,
      tmpName,
      release,
    };
  }

  /**
   * Carries out the kernel side. Two clashes are resolved once: a link left by an earlier attempt of this
   * same endpoint (it carries its mark) is removed; a foreign link holding the interface name the agent
   * picked makes it pick the next free one.
   */
  private async attach(planned: PlannedAttach): Promise<void> {
    const { driver } = this.deps;
    const options = attachOptionsFor(
      planned.spec,
      planned.network,
      planned.withDefaultRoute,
      planned.tmpName,
    );
    try {
      await driver.attachEndpoint(options);
      return;
    } catch (err) {
      const seen = await driver.inspectEndpoint(options.netns, options.ifname);
      if (seen.link?.alias === options.alias) {
        await driver.detachEndpoint(options.netns, options.ifname, options.alias);
      } else if (seen.link && planned.ifnameChosen) {
        const names = new Set(await driver.listLinkNamesIn(options.netns));
        planned.spec.ifname = nextFreeIfname((name) => names.has(name));
      } else {
        throw err;
      }
    }
    const { spec, network, withDefaultRoute, tmpName } = planned;
    await driver.attachEndpoint(attachOptionsFor(spec, network, withDefaultRoute, tmpName));
  }

  /** Records the attached endpoint (in a group commit), unless its network went meanwhile; then undoes it. */
  private async commit(
    planned: PlannedAttach,
    pending: number,
  ): Promise<{ endpoint: EndpointRecord; revision: number }> {
    const { store, driver } = this.deps;
    const { spec } = planned;
    try {
      const record: EndpointRecord = { spec, status: { state: 'ready', message: '', revision: 0 } };
      faultPoint('endpoint-before-commit');
      const revision = await this.commits
        .commit((tx) => {
          if (!store.getNetwork(spec.network)) return undefined;
          tx.endPending(pending);
          return tx.putEndpoint(record, planned.reattach ? 'MODIFIED' : 'ADDED');
        })
        .catch(async (err: unknown) => {
          await driver.detachEndpoint(
            parseNetnsRef(spec.netns),
            spec.ifname,
            endpointMark(spec.network, spec.name),
          );
          store.endPending(pending);
          throw err;
        });
      if (revision === undefined) {
        await driver.detachEndpoint(
          parseNetnsRef(spec.netns),
          spec.ifname,
          endpointMark(spec.network, spec.name),
        );
        store.endPending(pending);
        throw new NotFoundError(
          `network ${spec.network} was deleted while endpoint ${spec.name} was being attached`,
        );
      }
      faultPoint('endpoint-committed');
      await this.routeFromHost(spec, planned.network, true);
      this.deps.onAttached?.(spec);
      this.log(spec).info(
        {
          revision,
          ifname: spec.ifname,
          ipv4: spec.ipv4Address,
          ipv6: spec.ipv6Address,
          mac: spec.macAddress,
        },
        planned.reattach ? 'endpoint re-attached' : 'endpoint attached',
      );
      return { endpoint: record, revision };
    } finally {
      planned.release();
    }
  }

  /**
   * With host access, the host reaches each endpoint through the network's shim: a host route per
   * address. A failure here leaves the endpoint working for everyone but the host: logged, not thrown.
   */
  private async routeFromHost(spec: EndpointSpec, network: NetworkRecord, add: boolean): Promise<void> {
    const { hostLink } = network.status;
    if (!hostLink) return;
    for (const address of [spec.ipv4Address, spec.ipv6Address].filter(Boolean)) {
      try {
        if (add) await this.deps.driver.replaceRoute(hostRoute(address), hostLink);
        else await this.deps.driver.deleteRoute(hostRoute(address), hostLink);
      } catch (err) {
        this.log(spec).warn({ err, address, hostLink }, 'could not change the host route to the endpoint');
      }
    }
  }

  private log(spec: EndpointSpec): Logger {
    return this.deps.logger.child({ network: spec.network, endpoint: spec.name });
  }
}

function busy(network: string, name: string): ConflictError {
  return new ConflictError(
    `endpoint ${name} of network ${network} is being changed by another request: retry`,
  );
}

/** Docker's naming: eth0 for a container's first attachment, then the next free ethN. */
function freeIfname(inNetns: EndpointRecord[], held: (name: string) => boolean): string {
  const used = new Set(inNetns.map((e) => e.spec.ifname));
  return nextFreeIfname((name) => used.has(name) || held(name));
}

function nextFreeIfname(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) if (!taken(`eth${i}`)) return `eth${i}`;
}

function pick<T extends object>(object: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, object[k]])) as Partial<T>;
}
