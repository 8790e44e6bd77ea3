/**
 * The Watch benchmark's namespaces and addresses. Its prefix differs from the attach benchmark's
 * (`mvb-`), so that neither ever removes the other's namespaces; both share one lock
 * (shared/benchLock.ts), so that they never run at once and time each other's load.
 */
import { MacvlanMode } from '../../proto/gen/mvnet/v1/network';
import type { SwitchedHost } from '../shared/benchNamespaces';

/** Every namespace the Watch benchmark makes starts with this; all are removed at start and end. */
export const WATCH_NETNS_PREFIX = 'mvbw-';

/** The throwaway host (the agent's --netns), its "switch", and the one container that drifts. */
export const WATCH_HOST_NETNS = `${WATCH_NETNS_PREFIX}host`;
export const WATCH_SWITCH_NETNS = `${WATCH_NETNS_PREFIX}switch`;
export const WATCH_CONTAINER_NETNS = `${WATCH_NETNS_PREFIX}c1`;

/** The physical network behind the host's eth0; the gateway sits on the switch's bridge. */
export const WATCH_SUBNET = '10.89.0.0/16';
export const WATCH_GATEWAY = '10.89.0.1';
export const WATCH_PREFIX_LENGTH = 16;

/** The host and its switch, as shared/benchNamespaces.ts builds them. */
export const WATCH_HOST: SwitchedHost = {
  host: WATCH_HOST_NETNS,
  switch: WATCH_SWITCH_NETNS,
  gateway: WATCH_GATEWAY,
  prefixLength: WATCH_PREFIX_LENGTH,
};

/** Part 2's network and its endpoint (named after the container, as the SDK does). */
export const DRIFT_NETWORK = 'watchbench';
export const DRIFT_ENDPOINT = 'c1';
export const DRIFT_ADDRESS = '10.89.0.2';
/** The endpoint's link in the container: the one deleted by hand, every round. */
export const DRIFT_IFNAME = 'eth0';

/**
 * Part 1's network, made and deleted again every other round, and part 3's networks, made and deleted
 * one at a time: all with this subnet (apart from part 2's, since the subnets of one host's networks
 * must not overlap), never two at once.
 */
export const FANOUT_NETWORK = 'wf-fanout';
export const MUTATION_SUBNET = '10.90.0.0/24';
export const MUTATION_GATEWAY = '10.90.0.1';

/** Part 1's network, as the SDK takes it. */
export function fanOutNetwork() {
  return {
    name: FANOUT_NETWORK,
    parent: 'eth0',
    mode: MacvlanMode.MACVLAN_MODE_BRIDGE,
    subnets: [{ cidr: MUTATION_SUBNET, gateway: MUTATION_GATEWAY, ipRange: '', auxAddresses: {} }],
  };
}
