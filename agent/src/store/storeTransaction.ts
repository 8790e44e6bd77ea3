import type { ChangeEvent, EventInput } from '../domain/model';
import type { HostStateTx } from '../domain/ports/HostState';
import type { EndpointTable } from './EndpointTable';
import type { EventLog } from './EventLog';
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

/**
 * The writes of one transaction (HostStateTx). Every event it logs is also appended to `recorded`, for
 * publication once the transaction has committed. Records are stamped with their revision in a copy:
 * the caller's object is never written into.
 */
export function storeTransaction(parts: StoreParts, recorded: ChangeEvent[]): HostStateTx {
  const { meta, events, pending, networks, endpoints, leases } = parts;
  const log = (event: EventInput): number => {
    const logged = events.append(event);
    recorded.push(logged);
    return logged.revision;
  };
  const nextRevision = () => meta.revision() + 1;
  return {
    recordEvent: log,
    endPending: (id) => pending.endPending(id),
    setMeta: (key, value) => meta.set(key, value),
    revision: () => meta.revision(),
    putNetwork: (record, type, message) => {
      const stamped = { spec: record.spec, status: { ...record.status, revision: nextRevision() } };
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
      const stamped = { spec: record.spec, status: { ...record.status, revision: nextRevision() } };
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
}
