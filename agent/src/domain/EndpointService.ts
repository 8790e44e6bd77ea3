import type { Logger } from 'pino';
import type { LinkDriver } from '../kernel/LinkDriver';
import type { Store } from '../store/Store';
import { CommitBatch } from './CommitBatch';
import { faultPoint } from '../faultPoint';
import { attachOptionsFor } from './endpointLinks';
import { NotFoundError } from './errors';
import { hostRoute } from './ipam';
import { endpointMark } from './marks';
import { refreshEndpointStatuses } from './endpointStatus';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from './model';
import type { Mutex } from './Mutex';
import { parseNetnsRef } from './netnsRef';
import { normalizeEndpointInput, type EndpointInput } from './normalizeEndpoint';
import { busy, nextFreeIfname, planAttach, type PlannedAttach } from './planEndpoint';
import { Reservations } from './Reservations';

export interface EndpointServiceDeps {
  store: Store;
  driver: LinkDriver;
  logger: Logger;
  mutex: Mutex;
  /** Told of every endpoint attached (DriftService follows its netns). */
  onAttached?: (spec: EndpointSpec) => void;
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
    const planned = await this.deps.mutex.run(() =>
      planAttach({ ...this.deps, reservations: this.reservations }, request),
    );
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

  /**
   * Carries out the kernel side. Two clashes are resolved once: a link left by an earlier attempt of this
   * same endpoint (it carries its mark) is removed; a foreign link holding the interface name the agent
   * picked makes it pick the next free one.
   */
  private async attach(planned: PlannedAttach): Promise<void> {
    const { driver } = this.deps;
    const optionsNow = () =>
      attachOptionsFor(planned.spec, planned.network, planned.withDefaultRoute, planned.tmpName);
    const options = optionsNow();
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
    await driver.attachEndpoint(optionsNow());
  }

  /**
   * Records the attached endpoint (in a group commit); when that fails (its network went meanwhile),
   * removes its link again and throws.
   */
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
          if (!store.getNetwork(spec.network)) {
            throw new NotFoundError(
              `network ${spec.network} was deleted while endpoint ${spec.name} was being attached`,
            );
          }
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
