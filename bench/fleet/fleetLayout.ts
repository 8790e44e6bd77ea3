/**
 * The fleet benchmark's hosts, network and fleet files. Its namespace prefix (`mvbf-`) differs from the
 * other benchmarks' (`mvb-`, `mvbw-`), so that none removes another's; all share one lock
 * (shared/benchLock.ts), so that they never run at once and time each other's load.
 */
import { FleetEndpoint, FleetNetwork } from '../../proto/gen/mvnet/fleet/v1/fleet';
import type { FleetHost, FleetSpec, RolloutPolicy } from '../../client/src/fleet/fleetTypes';

/** Every namespace the fleet benchmark makes starts with this; all are removed at start and end. */
export const FLEET_NETNS_PREFIX = 'mvbf-';

/** The "switch" all real hosts' eth0 are plugged into (a bridge, holding the gateway). */
export const FLEET_SWITCH_NETNS = `${FLEET_NETNS_PREFIX}switch`;

/** Real host `i` (from 1): its netns, and its one container's. */
export const hostNetns = (i: number) => `${FLEET_NETNS_PREFIX}h${i}`;
export const containerNetns = (i: number) => `${FLEET_NETNS_PREFIX}c${i}`;

/** The container netns of every simulated agent (in its in-memory kernel: no namespace is made). */
export const SIMULATED_CONTAINER = 'c1';

/** The network rolled out: a bridge-mode macvlan on each host's eth0, each host a block of the subnet. */
export interface FleetNetworkShape {
  cidr: string;
  gateway: string;
  /** The gateway's prefix length on the switch. */
  prefixLength: number;
  ipRangePerHost: number;
}

/** Part 1: 256 blocks of /24, room for the 50 hosts. */
export const REAL_NETWORK: FleetNetworkShape = {
  cidr: '10.91.0.0/16',
  gateway: '10.91.0.1',
  prefixLength: 16,
  ipRangePerHost: 24,
};

/** Part 2: 2,048 blocks of /25, room for the 1,000 hosts. */
export const SIMULATED_NETWORK: FleetNetworkShape = {
  cidr: '10.96.0.0/14',
  gateway: '10.96.0.1',
  prefixLength: 14,
  ipRangePerHost: 25,
};

export const NETWORK_NAME = 'fleetbench';
export const ENDPOINT_NAME = 'web';

/**
 * The fleet file with the network on every host and one endpoint per host (in `containerOf(i)`, its
 * address left for the agent to allocate from the host's block), or, with `empty`, the file that
 * removes them: the same hosts, no network, no endpoint.
 */
export function fleetSpec(o: {
  hosts: FleetHost[];
  network: FleetNetworkShape;
  containerOf: (index: number) => string;
  rollout: RolloutPolicy;
  empty?: boolean;
}): FleetSpec {
  const network = FleetNetwork.fromPartial({
    name: NETWORK_NAME,
    parent: 'eth0',
    subnets: [{ cidr: o.network.cidr, gateway: o.network.gateway, ipRangePerHost: o.network.ipRangePerHost }],
  });
  const endpoints = o.hosts.map((h, i) =>
    FleetEndpoint.fromPartial({
      host: h.name,
      name: ENDPOINT_NAME,
      network: NETWORK_NAME,
      netns: o.containerOf(i),
    }),
  );
  return {
    hosts: o.hosts,
    networks: o.empty ? [] : [network],
    endpoints: o.empty ? [] : endpoints,
    rollout: o.rollout,
  };
}

/** The rollout every round uses: no canary, `maxUnavailable`, no gateway probe, no failure tolerated. */
export function benchRollout(maxUnavailablePercent: number, confirmWithinMs: number): RolloutPolicy {
  return {
    canary: 0,
    maxUnavailable: { percent: maxUnavailablePercent },
    confirmWithinMs,
    probeGateways: false,
    maxFailures: 0,
  };
}
