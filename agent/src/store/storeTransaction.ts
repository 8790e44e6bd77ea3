import type { ChangeEvent, EventInput } from '../domain/model';
import type { HostStateTx } from '../domain/ports/HostState';
import type { EndpointTable } from './EndpointTable';
import { stageEvent, type EventLog, type StagedEvent } from './EventLog';
import type { LeaseTable } from './LeaseTable';
import type { MetaTable } from './MetaTable';
import type { NetworkTable } from './NetworkTable';
import type { PendingTable } from './PendingTable';

/** The parts of the state a transaction writes to. */
export interface StoreParts {
  meta: MetaTable;
  events: EventLog;
  pending: PendingTable;
  networks: NetworkTable;
  endpoints: EndpointTable;
  leases: LeaseTable;
}

/** The writes of one change, and the end that logs its events. */
export interface StoreChange {
  tx: HostStateTx;
  /**
   * Logs the events the change recorded, all under the next revision (none: no revision is taken),
   * and returns them as logged, for publication once the transaction has committed. Call it once,
   * inside the transaction, after the change ran.
   */
  end(): ChangeEvent[];
}

/**
 * The writes of one change (HostStateTx). Every event it records waits for `end`, which logs them
 * under one revision, the next: the revision each write returns, and the one records are stamped with
 * (in a copy: the caller's object is never written into).
 */
export function storeTransaction(parts: StoreParts): StoreChange {
  const { meta, events, pending, networks, endpoints, leases } = parts;
  const staged: StagedEvent[] = [];
  const revision = () => events.nextRevision();
  const log = (event: EventInput): number => {
    staged.push(stageEvent(event));
    return revision();
  };
  const tx: HostStateTx = {
    recordEvent: log,
    endPending: (id) => pending.endPending(id),
    setMeta: (key, value) => meta.set(key, value),
    revision: () => (staged.length > 0 ? revision() : meta.revision()),
    putNetwork: (record, type, message) => {
      const stamped = { spec: record.spec, status: { ...record.status, revision: revision() } };
      networks.put(stamped);
      const { name } = stamped.spec;
      log({ type, kind: 'network', network: name, name, object: stamped, message });
      return stamped;
    },
    deleteNetwork: (record) => {
      const { name } = record.spec;
      leases.releaseNetwork(name);
      endpoints.deleteAllOf(name);
      networks.delete(name);
      return log({ type: 'DELETED', kind: 'network', network: name, name, object: record });
    },
    putEndpoint: (record, type, message) => {
      const stamped = { spec: record.spec, status: { ...record.status, revision: revision() } };
      const { network, name } = stamped.spec;
      endpoints.put(stamped);
      const holder = `endpoint ${name}`;
      leases.releaseHolder(network, holder);
      for (const address of [stamped.spec.ipv4Address, stamped.spec.ipv6Address].filter(Boolean)) {
        leases.hold(network, address, holder);
      }
      log({ type, kind: 'endpoint', network, name, object: stamped, message });
      return stamped;
    },
    deleteEndpoint: (record) => {
      const { network, name } = record.spec;
      endpoints.delete(network, name);
      leases.releaseHolder(network, `endpoint ${name}`);
      return log({ type: 'DELETED', kind: 'endpoint', network, name, object: record });
    },
    putLease: (network, address, holder) => leases.holdReplacing(network, address, holder),
    releaseLeases: (network, holder) => leases.releaseHolder(network, holder),
  };
  return { tx, end: () => events.appendRevision(staged.splice(0)) };
}
