/**
 * Fault injection, for tests only and off by default: with MVNET_FAULT_KILL_AT=<step>[#<n>] in its
 * environment the agent kills itself (SIGKILL, as `kill -9` would) the n-th time (default: the first)
 * it reaches that step of a change, to prove that a crash at any step leaves nothing behind: after a
 * restart, kernel and state agree. The agent logs a warning at start when it is set.
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
] as const;

export type FaultStep = (typeof FAULT_STEPS)[number];

interface Target {
  step: FaultStep;
  occurrence: number;
}

/** Parses MVNET_FAULT_KILL_AT; throws on a step that does not exist, so a typo cannot pass a test silently. */
export function parseFaultTarget(value: string | undefined): Target | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^([a-z-]+)(?:#(\d+))?$/.exec(value);
  const step = m?.[1] as FaultStep | undefined;
  if (!m || !FAULT_STEPS.includes(step!) || (m[2] !== undefined && Number(m[2]) < 1)) {
    throw new Error(`MVNET_FAULT_KILL_AT=${value}: want <step>[#<n>], step one of ${FAULT_STEPS.join(', ')}`);
  }
  return { step: step!, occurrence: m[2] === undefined ? 1 : Number(m[2]) };
}

const target = parseFaultTarget(process.env.MVNET_FAULT_KILL_AT);
let reached = 0;

/** The fault injection asked for, for the agent's start-up warning; undefined when off. */
export function faultTarget(): string | undefined {
  return target && `${target.step}#${target.occurrence}`;
}

/** Marks a step of a change; kills the process here when this is the step (and occurrence) asked for. */
export function faultPoint(step: FaultStep): void {
  if (!target || target.step !== step || ++reached !== target.occurrence) return;
  process.kill(process.pid, 'SIGKILL');
}
