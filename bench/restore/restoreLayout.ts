/**
 * What the restore benchmark builds: a throwaway host (`mvbr-host`, its `eth0` a veth into a switch),
 * N networks on that eth0 (each with a host-access shim, and, where the kernel has 802.1q, every other
 * one on a VLAN sub-interface `eth0.<100+i>` of its own), and E endpoints spread over C container
 * namespaces: container k sits on E/C consecutive networks, `eth0`, `eth1`... in it. Two more hosts for
 * the peers: `mvbr-empty` (the agent on an empty state) and `mvbr-floor` (the iproute2 floor), so that
 * neither touches the links of the agent being measured.
 */
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import type { SwitchedHost } from '../shared/benchNamespaces';
import { spec } from '../../test/support/applyWire';
import type { Spec } from '../../proto/gen/mvnet/v1/apply';

/** Every namespace the benchmark makes starts with this; all are removed at the start and at the end. */
export const RESTORE_NETNS_PREFIX = 'mvbr-';

export const HOST_NETNS = `${RESTORE_NETNS_PREFIX}host`;
export const EMPTY_HOST_NETNS = `${RESTORE_NETNS_PREFIX}empty`;
export const FLOOR_HOST_NETNS = `${RESTORE_NETNS_PREFIX}floor`;

/** The host and its switch; the switch's own address is outside every network's subnet. */
export const RESTORE_HOST: SwitchedHost = {
  host: HOST_NETNS,
  switch: `${RESTORE_NETNS_PREFIX}switch`,
  gateway: '10.90.0.1',
  prefixLength: 16,
};

/** How big the host is. */
export interface RestoreScale {
  networks: number;
  endpoints: number;
  containers: number;
  /** Every other network on a VLAN sub-interface (the kernel has 802.1q). */
  vlans: boolean;
}

/** One network: its name, subnet and gateway, and its parent. */
export interface PlannedNetwork {
  name: string;
  index: number;
  parent: string;
  cidr: string;
  gateway: string;
}

/** One endpoint: its network, its container and its link there, its address. */
export interface PlannedEndpoint {
  name: string;
  network: string;
  container: string;
  ifname: string;
  address: string;
}

export interface RestorePlan {
  scale: RestoreScale;
  networks: PlannedNetwork[];
  endpoints: PlannedEndpoint[];
  containers: string[];
}

/** The sizes the layout can hold: /24 per network (room for 240 endpoints each), a container on distinct networks. */
export function checkScale(s: RestoreScale): void {
  if (s.networks < 1 || s.networks > 128) throw new Error(`${s.networks} networks: 1..128 fit one host`);
  if (s.endpoints % s.containers !== 0)
    throw new Error(`${s.endpoints} endpoints do not spread evenly over ${s.containers} containers`);
  if (s.endpoints / s.containers > s.networks)
    throw new Error('a container would sit on one network twice: more networks or more containers');
  if (s.endpoints / s.networks > 240) throw new Error('more than 240 endpoints a network');
}

/** The whole layout, as names and addresses. */
export function planLayout(scale: RestoreScale): RestorePlan {
  checkScale(scale);
  const networks = Array.from({ length: scale.networks }, (_, i): PlannedNetwork => {
    const vlan = scale.vlans && i % 2 === 0;
    return {
      name: `r${i}`,
      index: i,
      parent: vlan ? `eth0.${100 + i}` : 'eth0',
      cidr: `10.91.${i}.0/24`,
      gateway: `10.91.${i}.1`,
    };
  });
  const perContainer = scale.endpoints / scale.containers;
  const containers = Array.from({ length: scale.containers }, (_, k) => `${RESTORE_NETNS_PREFIX}c${k}`);
  const endpoints = Array.from({ length: scale.endpoints }, (_, j): PlannedEndpoint => {
    const network = networks[j % scale.networks];
    return {
      name: `e${j}`,
      network: network.name,
      container: containers[Math.floor(j / perContainer)],
      ifname: `eth${j % perContainer}`,
      address: `10.91.${network.index}.${10 + Math.floor(j / scale.networks)}`,
    };
  });
  return { scale, networks, endpoints, containers };
}

/** The whole host as one Apply spec: every network (bridge, host access) and every endpoint. */
export function restoreSpec(plan: RestorePlan): Spec {
  return spec(
    plan.networks.map((n) => ({
      name: n.name,
      parent: n.parent,
      mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
      hostAccess: true,
      subnets: [{ cidr: n.cidr, gateway: n.gateway }],
    })),
    plan.endpoints.map((e) => ({
      name: e.name,
      network: e.network,
      netns: e.container,
      ifname: e.ifname,
      ipv4Address: e.address,
    })),
  );
}
