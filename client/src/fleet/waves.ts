import type { RolloutPolicy } from './fleetTypes';

/**
 * The waves of a rollout over `hosts` (in file order): the canary hosts first, alone (a wave of
 * `canary` hosts), then batches of maxUnavailable: a count, or a percentage of all the hosts rounded
 * up, at least 1 (kubernetes-nmstate's and the DaemonSet's rule).
 */
export function rolloutWaves<T>(
  hosts: readonly T[],
  policy: Pick<RolloutPolicy, 'canary' | 'maxUnavailable'>,
): T[][] {
  const size =
    'count' in policy.maxUnavailable
      ? policy.maxUnavailable.count
      : Math.ceil((hosts.length * policy.maxUnavailable.percent) / 100);
  const batch = Math.max(1, size);
  const waves: T[][] = [];
  const canary = Math.min(policy.canary, hosts.length);
  if (canary > 0) waves.push(hosts.slice(0, canary));
  for (let i = canary; i < hosts.length; i += batch) waves.push(hosts.slice(i, i + batch));
  return waves;
}
