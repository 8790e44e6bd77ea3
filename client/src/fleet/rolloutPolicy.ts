import type { Rollout } from '../../../proto/gen/mvnet/fleet/v1/fleet';
import { MAX_CONFIRM_WITHIN_MS, MIN_CONFIRM_WITHIN_MS } from '../applyRequest';
import { formatDuration, parseDuration } from '../duration';
import { quoteText } from '../../../common/quoteText';
import type { SpecProblem } from '../spec/SpecError';
import type { RolloutPolicy } from './fleetTypes';

/** The defaults of a rollout (the fleet file's `rollout:`), as issue 13 and kubernetes-nmstate set them. */
export const DEFAULT_ROLLOUT: RolloutPolicy = {
  canary: 1,
  maxUnavailable: { percent: 25 },
  confirmWithinMs: 60_000,
  probeGateways: false,
  maxFailures: 0,
};

/**
 * The rollout a fleet file asks for, defaults filled in, and what is wrong with it (paths under
 * `rollout`): a canary larger than the fleet, a maxUnavailable that is neither a positive count nor
 * 1-100%, a confirmWithin that is not a duration of 1s to 1h.
 */
export function rolloutPolicy(
  rollout: Rollout | undefined,
  hostCount: number,
): { policy: RolloutPolicy; problems: SpecProblem[] } {
  const problems: SpecProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ path: `rollout.${field}`, message });
  const policy: RolloutPolicy = { ...DEFAULT_ROLLOUT };
  if (!rollout) return { policy, problems };
  policy.canary = rollout.canary ?? DEFAULT_ROLLOUT.canary;
  // The default canary of a file without hosts is not a second problem: the hosts' is said.
  if (rollout.canary !== undefined && policy.canary > hostCount)
    problem('canary', `${policy.canary} canary hosts, but the file names ${hostCount} host(s)`);
  if (rollout.maxUnavailable !== '') {
    const parsed = maxUnavailable(rollout.maxUnavailable);
    if ('problem' in parsed) problem('maxUnavailable', parsed.problem);
    else policy.maxUnavailable = parsed;
  }
  if (rollout.confirmWithin !== '') {
    try {
      policy.confirmWithinMs = parseDuration(rollout.confirmWithin);
      if (policy.confirmWithinMs < MIN_CONFIRM_WITHIN_MS || policy.confirmWithinMs > MAX_CONFIRM_WITHIN_MS)
        problem('confirmWithin', `${formatDuration(policy.confirmWithinMs)} is outside 1s..1h`);
    } catch (err) {
      problem('confirmWithin', (err as Error).message);
    }
  }
  policy.probeGateways = rollout.probeGateways;
  policy.maxFailures = rollout.maxFailures;
  return { policy, problems };
}

/** `3` (a count of hosts) or `25%` (of the hosts). */
function maxUnavailable(text: string): RolloutPolicy['maxUnavailable'] | { problem: string } {
  const count = /^[1-9]\d{0,8}$/.exec(text);
  if (count) return { count: Number(text) };
  const percent = /^([1-9]\d{0,2})%$/.exec(text);
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  return {
    problem: `expected a count of hosts from 1 (3) or a percentage from 1% to 100% (25%), got ${quoteText(text)}`,
  };
}
