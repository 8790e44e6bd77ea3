/**
 * The soak's namespaces, networks and addresses. Its prefix (`mvbs-`) is its own, so that no other
 * benchmark removes its namespaces, nor it theirs; all share one lock (shared/benchLock.ts).
 */
import type { SwitchedHost } from '../shared/benchNamespaces';

/** Every namespace the soak makes starts with this; all are removed at start and end. */
export const SOAK_NETNS_PREFIX = 'mvbs-';

/** The throwaway host (the agent's --netns) and its switch. */
export const SOAK_HOST: SwitchedHost = {
  host: `${SOAK_NETNS_PREFIX}host`,
  switch: `${SOAK_NETNS_PREFIX}switch`,
  gateway: '10.95.0.1',
  prefixLength: 16,
};

/** Container netns `slot` of the pool each cycle's endpoints go into: `mvbs-c<slot>`. */
export function soakContainer(slot: number): string {
  return `${SOAK_NETNS_PREFIX}c${slot}`;
}

/**
 * Cycle `cycle`'s network: a name never used before (a leak kept per name would show), and a /24
 * out of 10.96.0.0/16 (one network lives at a time, so subnets may come round again).
 */
export function soakNetwork(cycle: number): { name: string; cidr: string; gateway: string } {
  const third = cycle % 256;
  return { name: `soak${cycle}`, cidr: `10.96.${third}.0/24`, gateway: `10.96.${third}.1` };
}

/** Endpoint `slot` of cycle `cycle`: also never used before. */
export function soakEndpoint(cycle: number, slot: number): string {
  return `e${cycle}-${slot}`;
}
