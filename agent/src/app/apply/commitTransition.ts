/**
 * The state's side of a transition, inside its one transaction: what goes is deleted, what comes or
 * changes is written, each with its event (DELETED, ADDED, MODIFIED), all under one revision.
 */
import type { Transition } from '../../domain/apply/applyModel';
import { SHIM_LEASE_HOLDER } from '../../domain/ipam';
import type { EndpointRecord, NetworkRecord } from '../../domain/model';
import type { HostStateTx } from '../../domain/ports/HostState';

export interface CommitInput {
  transition: Transition;
  /** The endpoints attached, as the steps left them (namespace, status). */
  attached: readonly EndpointRecord[];
  /** The observed state of each network made. */
  observed: ReadonlyMap<string, Pick<NetworkRecord['status'], 'state' | 'message'>>;
  /** The host before the transition: what existed is MODIFIED, the rest ADDED. */
  existed: { networks: readonly NetworkRecord[]; endpoints: readonly EndpointRecord[] };
}

export function commitTransition(tx: HostStateTx, input: CommitInput): void {
  const { transition } = input;
  const networksBefore = new Set(input.existed.networks.map((n) => n.spec.name));
  const endpointsBefore = new Set(input.existed.endpoints.map((e) => `${e.spec.network}/${e.spec.name}`));
  for (const record of transition.deletedEndpoints) tx.deleteEndpoint(record);
  for (const record of transition.deletedNetworks) tx.deleteNetwork(record);
  for (const { record } of transition.createNetworks) {
    const { name } = record.spec;
    tx.releaseLeases(name, SHIM_LEASE_HOLDER);
    for (const address of record.status.hostAddresses ?? []) tx.putLease(name, address, SHIM_LEASE_HOLDER);
    const status = { ...record.status, ...input.observed.get(name) };
    tx.putNetwork({ spec: record.spec, status }, networksBefore.has(name) ? 'MODIFIED' : 'ADDED');
  }
  for (const record of transition.updateNetworks) tx.putNetwork(record, 'MODIFIED');
  const endpoints = [...input.attached, ...transition.updateEndpoints];
  // Every lease these endpoints held goes first: one may take an address another gives up.
  for (const { spec } of endpoints) tx.releaseLeases(spec.network, `endpoint ${spec.name}`);
  for (const record of endpoints) {
    const existed = endpointsBefore.has(`${record.spec.network}/${record.spec.name}`);
    tx.putEndpoint(record, existed ? 'MODIFIED' : 'ADDED');
  }
}
