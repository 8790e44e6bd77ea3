import type { Logger } from 'pino';
import { withKernelMac } from './passthruMac';
import { faultPoint } from '../faultPoint';
import { attachOptionsFor } from '../domain/endpointLinks';
import { KernelError, NotFoundError, PreconditionError } from '../domain/errors';
import { endpointMark } from '../domain/marks';
import { checkObjectName } from '../domain/names';
import type { EndpointRecord, EndpointSpec, NetworkRecord } from '../domain/model';
import { normalizeEndpointInput, type EndpointInput } from '../domain/normalizeEndpoint';
import { busy, nextFreeIfname } from '../domain/planAttach';
import type { HostState } from '../domain/ports/HostState';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { CommitBatch } from './CommitBatch';
import { routeFromHost } from './hostRoutes';
import { refreshEndpointStatuses } from './endpointStatus';
import { MutationGate } from './MutationGate';
import type { Mutex } from './Mutex';
import { Reservations } from './Reservations';
import { lookBeforeReserving, reserveAttach, type ReservedAttach } from './reserveAttach';

export interface EndpointServiceDeps {
  state: HostState;
  driver: LinkDriver;
  logger: Logger;
  mutex: Mutex;
  /** Client mutations pass it together, an Apply alone (default: a gate of its own, no Apply on this host). */
  gate?: MutationGate;
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

  private readonly gate: MutationGate;

  constructor(private readonly deps: EndpointServiceDeps) {
    this.gate = deps.gate ?? new MutationGate();
    this.commits = new CommitBatch(deps.state, deps.mutex);
  }

  /** Attaches a container to a network; the same request again returns the endpoint; a LOST one is re-attached. */
  async createEndpoint(input: EndpointInput): Promise<{ endpoint: EndpointRecord; revision: number }> {
    return this.gate.shared(() => this.createEndpointNow(input));
  }

  private async createEndpointNow(
    input: EndpointInput,
  ): Promise<{ endpoint: EndpointRecord; revision: number }> {
    const request = normalizeEndpointInput(input);
    const look = await lookBeforeReserving(this.deps.driver, request);
    const reserved = await this.deps.mutex.run(async () =>
      reserveAttach({ ...this.deps, reservations: this.reservations }, request, look),
    );
    if (!('release' in reserved)) return reserved;
    const { spec, tmpName } = reserved;
    let pending: number;
    try {
      pending = this.deps.state.beginPending({
        kind: 'endpoint',
        network: spec.network,
        name: spec.name,
        netns: spec.netns,
        netnsRef: spec.netnsRef,
        ifname: spec.ifname,
        tmpName,
      });
    } catch (err) {
      reserved.release(); // refused before any work (a full state disk): nothing stays held
      throw err;
    }
    try {
      await this.attach(reserved);
    } catch (err) {
      this.deps.state.endPending(pending); // the driver removed what it made
      reserved.release();
      throw await this.parentGone(err, reserved.network);
    }
    return this.commit(reserved, pending);
  }

  /** Detaches and forgets an endpoint, releasing its lease; a missing one is success. */
  async deleteEndpoint(network: string, name: string): Promise<{ revision: number }> {
    return this.gate.shared(() => this.deleteEndpointNow(network, name));
  }

  private async deleteEndpointNow(network: string, name: string): Promise<{ revision: number }> {
    checkEndpointKey(network, name);
    const { state, driver } = this.deps;
    const deleted = await this.deps.mutex.run(async () => {
      if (this.reservations.isBusy(network, name)) throw busy(network, name);
      const record = state.getEndpoint(network, name);
      if (!record) return undefined;
      const revision = state.transact((tx) => tx.deleteEndpoint(record));
      return { record, revision, release: this.reservations.hold({ network, name }) };
    });
    if (!deleted) return { revision: state.revision() };
    const { spec } = deleted.record;
    try {
      const networkRecord = state.getNetwork(network);
      if (networkRecord) await this.routeFromHost(spec, networkRecord, false);
      await driver.detachEndpoint(
        spec.netnsRef,
        spec.ifname,
        endpointMark(network, name),
        spec.netnsInstance,
      );
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
    checkEndpointKey(network, name);
    return this.deps.mutex.run(async () => {
      const record = this.deps.state.getEndpoint(network, name);
      if (!record) throw new NotFoundError(`endpoint ${name} not found on network ${network}`);
      const [endpoint] = await refreshEndpointStatuses([record], this.deps);
      return { endpoint, revision: this.deps.state.revision() };
    });
  }

  /** The endpoints of one network ("": of all), statuses refreshed. */
  async listEndpoints(network: string): Promise<{ endpoints: EndpointRecord[]; revision: number }> {
    if (network !== '') checkObjectName('network', network);
    return this.deps.mutex.run(async () => {
      const { state } = this.deps;
      if (network !== '' && !state.getNetwork(network))
        throw new NotFoundError(`network ${network} not found`);
      const endpoints = await refreshEndpointStatuses(state.listEndpoints(network || undefined), this.deps);
      return { endpoints, revision: state.revision() };
    });
  }

  /** The periodic check: finds endpoints whose container went away. */
  async checkEndpoints(): Promise<void> {
    await this.deps.mutex.run(() => refreshEndpointStatuses(this.deps.state.listEndpoints(), this.deps));
  }

  /**
   * Carries out the kernel side. Two clashes are resolved once: a link left by an earlier attempt of this
   * same endpoint (it carries its mark) is removed; a foreign link holding the interface name the agent
   * picked makes it pick the next free one.
   */
  private async attach(reserved: ReservedAttach): Promise<void> {
    const { driver } = this.deps;
    // A client's attach goes where its ref leads (a re-created container included): no expected netns.
    const optionsNow = () => ({
      ...attachOptionsFor(reserved.spec, reserved.network, reserved.withDefaultRoute, reserved.tmpName),
      netnsInstance: undefined,
    });
    const options = optionsNow();
    try {
      reserved.spec = { ...reserved.spec, netnsInstance: await driver.attachEndpoint(options) };
      reserved.spec = await withKernelMac(reserved.spec, reserved.network, driver);
      return;
    } catch (err) {
      // The attach's own error is what the caller hears: a look that fails too (the netns went
      // meanwhile, or is no netns) says nothing about why the attach failed.
      const seen = await driver
        .inspectEndpoint(options.netns, options.ifname)
        .catch((inspectErr: unknown) => {
          this.log(reserved.spec).debug({ err: inspectErr }, 'could not inspect after a failed attach');
          throw err;
        });
      if (seen.link?.alias === options.alias) {
        await driver.detachEndpoint(options.netns, options.ifname, options.alias);
      } else if (seen.link && reserved.ifnameChosen) {
        const names = new Set(await driver.listLinkNamesIn(options.netns));
        reserved.spec = { ...reserved.spec, ifname: nextFreeIfname((name) => names.has(name)) };
      } else {
        throw err;
      }
    }
    reserved.spec = { ...reserved.spec, netnsInstance: await driver.attachEndpoint(optionsNow()) };
    reserved.spec = await withKernelMac(reserved.spec, reserved.network, driver);
  }

  /**
   * A kernel refusal of an attach, said as what it is when the network's parent link is gone from the
   * host (the kernel only says it cannot find a device): the network is parent-missing until it is back.
   */
  private async parentGone(err: unknown, network: NetworkRecord): Promise<unknown> {
    if (!(err instanceof KernelError)) return err;
    const parent = network.status.parentLink;
    const link = await this.deps.driver.getLink(parent).catch(() => null); // null: no answer, no claim
    if (link !== undefined) return err;
    return new PreconditionError(
      `network ${network.spec.name}: its parent link ${parent} is missing from the host: no endpoint can attach until it is back`,
      { cause: err },
    );
  }

  /**
   * Records the attached endpoint (in a group commit); when that fails (its network went meanwhile),
   * removes its link again and throws.
   */
  private async commit(
    reserved: ReservedAttach,
    pending: number,
  ): Promise<{ endpoint: EndpointRecord; revision: number }> {
    const { state, driver } = this.deps;
    const { spec } = reserved;
    try {
      const record: EndpointRecord = { spec, status: { state: 'ready', message: '', revision: 0 } };
      faultPoint('endpoint-before-commit');
      const committed = await this.commits
        .commit((tx) => {
          if (!state.getNetwork(spec.network)) {
            throw new NotFoundError(
              `network ${spec.network} was deleted while endpoint ${spec.name} was being attached`,
            );
          }
          tx.endPending(pending);
          return tx.putEndpoint(record, reserved.reattach ? 'MODIFIED' : 'ADDED');
        })
        .catch(async (err: unknown) => {
          const mark = endpointMark(spec.network, spec.name);
          await driver.detachEndpoint(spec.netnsRef, spec.ifname, mark, spec.netnsInstance);
          state.endPending(pending);
          throw err;
        });
      faultPoint('endpoint-committed');
      await this.routeFromHost(spec, reserved.network, true);
      this.deps.onAttached?.(spec);
      const revision = committed.status.revision;
      this.log(spec).info(
        {
          revision,
          ifname: spec.ifname,
          ipv4: spec.ipv4Address,
          ipv6: spec.ipv6Address,
          mac: spec.macAddress,
        },
        reserved.reattach ? 'endpoint re-attached' : 'endpoint attached',
      );
      return { endpoint: committed, revision };
    } finally {
      reserved.release();
    }
  }

  private async routeFromHost(spec: EndpointSpec, network: NetworkRecord, add: boolean): Promise<void> {
    await routeFromHost(this.deps.driver, spec, network, add, this.deps.logger);
  }

  private log(spec: EndpointSpec): Logger {
    return this.deps.logger.child({ network: spec.network, endpoint: spec.name });
  }
}

/** The key of a Get/DeleteEndpointRequest: two names, checked before they are looked up or echoed. */
function checkEndpointKey(network: string, name: string): void {
  checkObjectName('network', network);
  checkObjectName('name', name);
}
