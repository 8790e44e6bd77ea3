import type { NetworkView } from '../app/NetworkService';
import type { MacvlanMode as DomainMode, NetworkState as DomainState } from '../domain/model';
import type { NetworkInput } from '../domain/normalizeNetwork';
import { MacvlanMode, NetworkState, type Network } from '../../../proto/gen/mvnet/v1/network';

const MODE_NAMES: Record<number, DomainMode | ''> = {
  [MacvlanMode.MACVLAN_MODE_UNSPECIFIED]: '',
  [MacvlanMode.MACVLAN_MODE_BRIDGE]: 'bridge',
  [MacvlanMode.MACVLAN_MODE_PRIVATE]: 'private',
  [MacvlanMode.MACVLAN_MODE_VEPA]: 'vepa',
  [MacvlanMode.MACVLAN_MODE_PASSTHRU]: 'passthru',
};

const MODE_ENUMS: Record<DomainMode, MacvlanMode> = {
  bridge: MacvlanMode.MACVLAN_MODE_BRIDGE,
  private: MacvlanMode.MACVLAN_MODE_PRIVATE,
  vepa: MacvlanMode.MACVLAN_MODE_VEPA,
  passthru: MacvlanMode.MACVLAN_MODE_PASSTHRU,
};

const STATE_ENUMS: Record<DomainState, NetworkState> = {
  ready: NetworkState.NETWORK_STATE_READY,
  degraded: NetworkState.NETWORK_STATE_DEGRADED,
  'parent-missing': NetworkState.NETWORK_STATE_PARENT_MISSING,
};

/** A wire Network (status ignored: it is output only) as the domain's input. */
export function networkFromMessage(network: Network | undefined): NetworkInput {
  const n = network ?? ({} as Partial<Network>);
  return {
    name: n.name ?? '',
    parent: n.parent ?? '',
    vlanId: n.vlanId ?? 0,
    // An enum value this agent does not know reaches the domain as text it refuses, naming the number.
    mode: MODE_NAMES[n.mode ?? 0] ?? `enum value ${n.mode}`,
    subnets: (n.subnets ?? []).map((s) => ({
      cidr: s.cidr,
      gateway: s.gateway,
      ipRange: s.ipRange,
      auxAddresses: { ...s.auxAddresses },
    })),
    mtu: n.mtu ?? 0,
    internal: n.internal ?? false,
    promiscuous: n.promiscuous ?? false,
    hostAccess: n.hostAccess ?? false,
    labels: { ...n.labels },
  };
}

/** A domain network as a wire Network, status included. */
export function networkToMessage(view: NetworkView): Network {
  const { spec, status } = view;
  return {
    name: spec.name,
    parent: spec.parent,
    vlanId: spec.vlanId,
    mode: MODE_ENUMS[spec.mode],
    subnets: spec.subnets.map((s) => ({ ...s, auxAddresses: { ...s.auxAddresses } })),
    mtu: spec.mtu,
    internal: spec.internal,
    promiscuous: spec.promiscuous,
    hostAccess: spec.hostAccess,
    labels: { ...spec.labels },
    status: {
      state: STATE_ENUMS[status.state],
      message: status.message,
      parentLink: status.parentLink,
      parentLinkOwned: status.parentLinkOwned,
      revision: status.revision,
      endpointCount: view.endpointCount,
      hostLink: status.hostLink ?? '',
      hostAddresses: status.hostAddresses ?? [],
    },
  };
}
