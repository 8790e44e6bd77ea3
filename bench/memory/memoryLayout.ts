/**
 * The memory benchmark's namespaces, networks and addresses. Its prefix (`mvbm-`) is its own, so that
 * no other benchmark removes its namespaces, nor it theirs; all share one lock (shared/benchLock.ts).
 */
import type { SwitchedHost } from '../shared/benchNamespaces';

/** Every namespace the memory benchmark makes starts with this; all are removed at start and end. */
export const MEMORY_NETNS_PREFIX = 'mvbm-';

/** The throwaway host (every agent's --netns) and its switch. */
export const MEMORY_HOST: SwitchedHost = {
  host: `${MEMORY_NETNS_PREFIX}host`,
  switch: `${MEMORY_NETNS_PREFIX}switch`,
  gateway: '10.91.0.1',
  prefixLength: 16,
};

/** Container netns number `i` of the scale part: `mvbm-c<i>`. */
export function containerNetns(i: number): string {
  return `${MEMORY_NETNS_PREFIX}c${i}`;
}

/**
 * The scale part's networks: `scale<i>` on the host's eth0 (bridge mode), each its own /22 out of
 * 10.92.0.0/16, so that up to 1,020 endpoints fit in one network and none overlaps another.
 */
export function scaleNetwork(i: number): { name: string; cidr: string; gateway: string } {
  const third = i * 4;
  return { name: `scale${i}`, cidr: `10.92.${third}.0/22`, gateway: `10.92.${third}.1` };
}

/** The network the scale part makes once the watchers are up: every watcher must see it added. */
export const PROBE_NETWORK = { name: 'probe', cidr: '10.93.0.0/24', gateway: '10.93.0.1' };
