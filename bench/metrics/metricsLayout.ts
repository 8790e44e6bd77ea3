/**
 * The metrics benchmark's namespaces, networks and names. Its prefix (`mvbp-`, p for Prometheus) is its
 * own, so that no other benchmark removes its namespaces, nor it theirs; all share one lock
 * (shared/benchLock.ts). Each agent serves a host of its own, plugged into a switch of its own, so
 * that neither sees the other's links or kernel notifications.
 */
import type { SwitchedHost } from '../shared/benchNamespaces';

/** Every namespace the metrics benchmark makes starts with this; all are removed at start and end. */
export const METRICS_NETNS_PREFIX = 'mvbp-';

/** The two agents: `on` runs with --metrics-listen, `off` without; otherwise the same. */
export const SIDES = ['on', 'off'] as const;
export type Side = (typeof SIDES)[number];

/** Each side's throwaway host (its agent's --netns) and switch; the same addresses, apart. */
export const HOSTS: Record<Side, SwitchedHost> = {
  on: {
    host: `${METRICS_NETNS_PREFIX}on-host`,
    switch: `${METRICS_NETNS_PREFIX}on-switch`,
    gateway: '10.94.0.1',
    prefixLength: 16,
  },
  off: {
    host: `${METRICS_NETNS_PREFIX}off-host`,
    switch: `${METRICS_NETNS_PREFIX}off-switch`,
    gateway: '10.94.0.1',
    prefixLength: 16,
  },
};

/** The network each agent holds from the start: the host's eth0, bridge mode, the switch's subnet. */
export const BENCH_NETWORK = { name: 'bench', cidr: '10.94.0.0/16', gateway: '10.94.0.1' };

/** Container netns `i` of a side's attaches: `mvbp-on-a<i>`. */
export function attachNetns(side: Side, i: number): string {
  return `${METRICS_NETNS_PREFIX}${side}-a${i}`;
}

/** Container netns `i` of the endpoints the scrape counts (the `on` side only): `mvbp-c<i>`. */
export function scaleNetns(i: number): string {
  return `${METRICS_NETNS_PREFIX}c${i}`;
}

/**
 * The scrape phase's networks: `scale<i>` on the host's eth0, each its own /22 out of 10.95.0.0/16, so
 * that up to 1,020 endpoints fit in one network and none overlaps another (or the bench network).
 */
export function scaleNetwork(i: number): { name: string; cidr: string; gateway: string } {
  const third = i * 4;
  return { name: `scale${i}`, cidr: `10.95.${third}.0/22`, gateway: `10.95.${third}.1` };
}
