/**
 * The addresses held in each network of an Apply's target, as IPAM reads them: those of endpoints
 * outside Apply's scope, the host-access shims', the host's own (hostClaims), and those the plan hands
 * out as it goes (`hold`).
 */
import { hostClaims } from '../hostClaims';
import type { Address } from '../ip';
import { SHIM_LEASE_HOLDER, type Leases } from '../ipam';
import type { EndpointRecord, HostAddressing, NetworkRecord } from '../model';

export type TargetLeases = Leases & { hold(address: string, holder: string): void };

export function addressLeases(
  networks: ReadonlyMap<string, NetworkRecord>,
  outOfScope: readonly EndpointRecord[],
  addressing: HostAddressing,
): (network: string) => TargetLeases {
  const shims = new Set(
    [...networks.values()].flatMap((n) => (n.status.hostLink ? [n.status.hostLink] : [])),
  );
  const byNetwork = new Map<string, TargetLeases>();
  for (const [name, network] of networks) {
    const held = new Map<string, string>();
    for (const address of network.status.hostAddresses ?? []) held.set(address, SHIM_LEASE_HOLDER);
    for (const e of outOfScope) {
      if (e.spec.network !== name) continue;
      for (const a of [e.spec.ipv4Address, e.spec.ipv6Address]) if (a) held.set(a, `endpoint ${e.spec.name}`);
    }
    const claims = hostClaims(network.spec, addressing, shims);
    byNetwork.set(name, {
      get: (address: string) => held.get(address) ?? claims.holderOf(address),
      has: (address: string) => (held.get(address) ?? claims.holderOf(address)) !== undefined,
      heldUntil: (address: Address) => claims.routeSpan(address)?.last,
      hold: (address: string, holder: string) => void held.set(address, holder),
    });
  }
  return (network) => byNetwork.get(network)!;
}
