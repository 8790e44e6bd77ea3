/**
 * Fault injection, for tests only and off by default: with MVNET_FAULT_KILL_AT=<step>[#<n>] in its
 * environment the agent kills itself (SIGKILL, as `kill -9` would) the n-th time (default: the first)
 * it reaches that step of a change, to prove that a crash at any step leaves nothing behind: after a
 * restart, kernel and state agree. With MVNET_FAULT_FAIL_AT=<step>[#<n>] the step fails instead (it
 * throws, as a kernel refusal would), to prove that what came before it is undone. The agent logs a
 * warning at start when either is set.
 */

/** The steps, in the order a change goes through them. */
export const FAULT_STEPS = [
  /** A host link (sub-interface, dummy, shim) was added, before its mark (alias) is set. */
  'link-added',
  /** One op of a network's plan (create, set up, address...) is done. */
  'link-op-done',
  /** All of a network's kernel changes are done; its state is not committed yet. */
  'network-before-commit',
  /** An endpoint's macvlan exists in the container's netns under its temporary name. */
  'endpoint-created',
  /** The endpoint's link is renamed to its ifname and marked, not yet addressed. */
  'endpoint-renamed',
  /** The endpoint's link is complete; its state is not committed yet. */
  'endpoint-before-commit',
  /** The endpoint is committed; the caller has not had the reply yet. */
  'endpoint-committed',
  /** An Apply's next kernel step (detach, network removal or creation, attach) is about to start. */
  'apply-step',
  /** Every kernel step of an Apply is done; its state is not committed yet. */
  'apply-before-commit',
  /** The next step of undoing a failed Apply is about to start. */
  'rollback-step',
] as const;

export type FaultStep = (typeof FAULT_STEPS)[number];

interface Target {
  step: FaultStep;
  occurrence: number;
}

/** Parses MVNET_FAULT_KILL_AT (or _FAIL_AT); throws on a step that does not exist, so a typo cannot pass a test silently. */
export function parseFaultTarget(
  value: string | undefined,
  variable = 'MVNET_FAULT_KILL_AT',
): Target | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^([a-z-]+)(?:#(\d+))?$/.exec(value);
  const step = m?.[1] as FaultStep | undefined;
  if (!m || !FAULT_STEPS.includes(step!) || (m[2] !== undefined && Number(m[2]) < 1)) {
    throw new Error(`${variable}=${value}: want <step>[#<n>], step one of ${FAULT_STEPS.join(', ')}`);
  }
  return { step: step!, occurrence: m[2] === undefined ? 1 : Number(m[2]) };
}

const target = parseFaultTarget(process.env.MVNET_FAULT_KILL_AT);
const failure = parseFaultTarget(process.env.MVNET_FAULT_FAIL_AT, 'MVNET_FAULT_FAIL_AT');
let reached = 0;
let failReached = 0;

/** The fault injection asked for, for the agent's start-up warning; undefined when off. */
export function faultTarget(): string | undefined {
  const kill = target && `kill at ${target.step}#${target.occurrence}`;
  const fail = failure && `fail at ${failure.step}#${failure.occurrence}`;
  return [kill, fail].filter(Boolean).join(', ') || undefined;
}

/** A step made to fail by MVNET_FAULT_FAIL_AT. */
export class InjectedFault extends Error {
  constructor(step: string) {
    super(`injected failure at ${step} (MVNET_FAULT_FAIL_AT)`);
    this.name = 'InjectedFault';
  }
}

/**
 * Marks a step of a change: kills the process here when this is the step (and occurrence) asked for
 * by MVNET_FAULT_KILL_AT, or throws InjectedFault when asked for by MVNET_FAULT_FAIL_AT.
 */
export function faultPoint(step: FaultStep): void {
  if (failure && failure.step === step && ++failReached === failure.occurrence) {
    throw new InjectedFault(`${step}#${failure.occurrence}`);
  }
  if (!target || target.step !== step || ++reached !== target.occurrence) return;
  process.kill(process.pid, 'SIGKILL');
}
