import type { Logger } from 'pino';
import { AlreadyExistsError, NotFoundError, PreconditionError } from '../domain/errors';
import { SHIM_LEASE_HOLDER } from '../domain/ipam';
import { createdLinks, describeLinkOp } from '../domain/linkOps';
import { endpointMark } from '../domain/marks';
import { checkObjectName } from '../domain/names';
import type { NetworkRecord, NetworkSpec } from '../domain/model';
import { observeNetworkState } from '../domain/networkStatus';
import { normalizeNetworkSpec, type NetworkInput } from '../domain/normalizeNetwork';
import { planNetworkCreation, planNetworkRemoval } from '../domain/planNetwork';
import type { HostState } from '../domain/ports/HostState';
import type { KernelCapabilities, LinkDriver, LinkInfo } from '../domain/ports/LinkDriver';
import { diffSpecFields } from '../domain/specDiff';
import { faultPoint } from '../faultPoint';
import { applyLinkOps } from './applyLinkOps';
import { recordUnlessFull } from './recordUnlessFull';
import { MutationGate } from './MutationGate';
import type { Mutex } from './Mutex';

/** A network as callers see it: its record and the number of endpoints on it. */
export interface NetworkView extends NetworkRecord {
  endpointCount: number;
}

export interface NetworkServiceDeps {
  state: HostState;
  driver: LinkDriver;
  capabilities: KernelCapabilities;
  logger: Logger;
  /** Taken for every change of host state; shared with the other services of the host. */
  mutex: Mutex;
  /** Client mutations pass it together, an Apply alone (default: a gate of its own, no Apply on this host). */
  gate?: MutationGate;
}

/**
 * The networks of one host: create, read, delete. A change is validated first (a refused request changes
 * nothing), planned against the observed kernel, carried out, and committed with the next revision.
 * Reads refresh each network's observed status; a status that changed is a change too, with its revision.
 */
export class NetworkService {
  private readonly gate: MutationGate;

  constructor(private readonly deps: NetworkServiceDeps) {
    this.gate = deps.gate ?? new MutationGate();
  }

  /** Creates a network; the same spec again returns the existing one (a safe retry). */
  async createNetwork(input: NetworkInput): Promise<{ network: NetworkView; revision: number }> {
    return this.gate.shared(() => this.createNetworkNow(input));
  }

  private async createNetworkNow(input: NetworkInput): Promise<{ network: NetworkView; revision: number }> {
    const spec = normalizeNetworkSpec(input);
    return this.deps.mutex.run(async () => {
      const { state, capabilities } = this.deps;
      const existing = state.getNetwork(spec.name);
      if (existing) {
        const differs = diffSpecFields(existing.spec, spec);
        if (differs.length === 0) return { network: this.view(existing), revision: state.revision() };
        throw new AlreadyExistsError(
          `network ${spec.name} already exists with another ${differs.join(', ')}: delete it first or use another name`,
        );
      }
      const plan = planNetworkCreation(spec, {
        links: await this.linkMap(),
        capabilities,
        networks: state.listNetworks(),
        addressing: await this.deps.driver.readHostAddressing(),
        hostId: state.hostId(),
      });
      const pending = state.beginPending({
        kind: 'network',
        network: spec.name,
        creates: createdLinks(plan.ops),
      });
      let made: { record: NetworkRecord; revision: number };
      try {
        made = await this.makeAndCommit(spec, plan, pending);
      } catch (err) {
        state.endPending(pending); // what was made is removed again
        throw err;
      }
      const { record, revision } = made;
      this.log(spec.name).info(
        { revision, parentLink: plan.parentLink, ops: plan.ops.map(describeLinkOp) },
        'network created',
      );
      return { network: this.view(record), revision };
    });
  }

  /** Carries out a network's plan and commits it, ending its pending change; on a failure undoes the plan. */
  private async makeAndCommit(
    spec: NetworkSpec,
    plan: ReturnType<typeof planNetworkCreation>,
    pending: number,
  ): Promise<{ record: NetworkRecord; revision: number }> {
    const { state, driver } = this.deps;
    const { ops, ...facts } = plan;
    await applyLinkOps(driver, ops);
    const observed = observeNetworkState(plan.parentLink, await driver.getLink(plan.parentLink));
    const record: NetworkRecord = { spec, status: { ...observed, ...facts, revision: 0 } };
    faultPoint('network-before-commit');
    try {
      const stored = state.transact((tx) => {
        for (const address of plan.hostAddresses ?? []) tx.putLease(spec.name, address, SHIM_LEASE_HOLDER);
        tx.endPending(pending);
        return tx.putNetwork(record, 'ADDED');
      });
      return { record: stored, revision: stored.status.revision };
    } catch (err) {
      await applyLinkOps(driver, planNetworkRemoval(record, state.listNetworks())).catch(() => undefined);
      throw err;
    }
  }

  /** One network, with its status refreshed from the kernel. */
  async getNetwork(name: string): Promise<{ network: NetworkView; revision: number }> {
    checkObjectName('name', name);
    return this.deps.mutex.run(async () => {
      const record = this.deps.state.getNetwork(name);
      if (!record) throw new NotFoundError(`network ${name} not found`);
      const [fresh] = this.refreshStatuses([record], await this.linkMap());
      return { network: this.view(fresh), revision: this.deps.state.revision() };
    });
  }

  /** Every network, statuses refreshed from the kernel. */
  async listNetworks(): Promise<{ networks: NetworkView[]; revision: number }> {
    return this.deps.mutex.run(async () => {
      const records = this.refreshStatuses(this.deps.state.listNetworks(), await this.linkMap());
      return { networks: records.map((r) => this.view(r)), revision: this.deps.state.revision() };
    });
  }

  /**
   * Deletes a network: refused while it has endpoints, unless forced (then they go too, each with its
   * DELETED event, in the same transaction). The state is committed first, so
   * that the intent survives a crash; the kernel clean-up follows, and what it leaves behind is an orphan
   * removed at the next start.
   */
  async deleteNetwork(name: string, force: boolean): Promise<{ revision: number }> {
    return this.gate.shared(() => this.deleteNetworkNow(name, force));
  }

  private async deleteNetworkNow(name: string, force: boolean): Promise<{ revision: number }> {
    checkObjectName('name', name);
    return this.deps.mutex.run(async () => {
      const { state, driver } = this.deps;
      const record = state.getNetwork(name);
      if (!record) throw new NotFoundError(`network ${name} not found`);
      const endpoints = state.countEndpoints(name);
      if (endpoints > 0 && !force) {
        throw new PreconditionError(
          `network ${name} has ${endpoints} endpoint(s): disconnect them first, or delete with force`,
        );
      }
      const endpointRecords = state.listEndpoints(name);
      const revision = state.transact((tx) => {
        for (const endpoint of endpointRecords) tx.deleteEndpoint(endpoint);
        return tx.deleteNetwork(record);
      });
      const ops = planNetworkRemoval(record, state.listNetworks());
      try {
        for (const { spec } of endpointRecords) {
          const mark = endpointMark(spec.network, spec.name);
          await driver.detachEndpoint(spec.netnsRef, spec.ifname, mark, spec.netnsInstance);
        }
        await applyLinkOps(driver, ops);
      } catch (err) {
        this.log(name).warn(
          { err, ops: ops.map(describeLinkOp) },
          'network deleted, kernel clean-up failed: left for the next start',
        );
      }
      this.log(name).info({ revision, ops: ops.map(describeLinkOp) }, 'network deleted');
      return { revision };
    });
  }

  /** Re-reads every parent link's state and commits what changed; the caller holds the host mutex. */
  async refreshAllHeld(): Promise<void> {
    this.refreshStatuses(this.deps.state.listNetworks(), await this.linkMap());
  }

  /** Compares each record's stored state with the kernel; a change is committed as MODIFIED. */
  private refreshStatuses(records: NetworkRecord[], links: ReadonlyMap<string, LinkInfo>): NetworkRecord[] {
    return records.map((record) => {
      const link = links.get(record.status.parentLink);
      const lower = link?.parent === undefined ? undefined : links.get(link.parent);
      const observed = observeNetworkState(record.status.parentLink, link, lower);
      if (observed.state === record.status.state && observed.message === record.status.message) return record;
      const updated: NetworkRecord = { spec: record.spec, status: { ...record.status, ...observed } };
      const log = this.log(record.spec.name);
      const stored = recordUnlessFull(
        log,
        'network status',
        () => this.deps.state.transact((tx) => tx.putNetwork(updated, 'MODIFIED', observed.message)),
        () => updated,
      );
      log.info(
        { revision: stored.status.revision, state: observed.state },
        observed.message || 'network ready again',
      );
      return stored;
    });
  }

  private async linkMap(): Promise<Map<string, LinkInfo>> {
    return new Map((await this.deps.driver.listLinks()).map((link) => [link.name, link]));
  }

  private view(record: NetworkRecord): NetworkView {
    return { ...record, endpointCount: this.deps.state.countEndpoints(record.spec.name) };
  }

  private log(network: string): Logger {
    return this.deps.logger.child({ network });
  }
}
