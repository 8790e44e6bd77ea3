import type { ApplyRequest, ApplyResponse, DeepPartial } from '../../proto/gen/mvnet/v1/agent_service';
import { PlanAction, type PlanStep } from '../../proto/gen/mvnet/v1/apply';
import type { Duration } from '../../proto/gen/google/protobuf/duration';
import { formatDuration, parseDuration } from './duration';
import type { EndpointSpec, NetworkSpec } from './specTypes';

/** The shortest and longest confirmation window the agent takes (its ApplyRequest.confirm_within). */
export const MIN_CONFIRM_WITHIN_MS = 1_000;
export const MAX_CONFIRM_WITHIN_MS = 3_600_000;

/** The whole desired state of a host: every network and endpoint it should have (what it lacks goes). */
export interface ApplySpec {
  networks?: NetworkSpec[];
  endpoints?: EndpointSpec[];
}

/** How to apply a spec. */
export interface ApplyOptions {
  /** Only compute the plan; nothing changes. */
  dryRun?: boolean;
  /** Compare-and-swap: the agent refuses (ABORTED) unless the host is at this revision. */
  expectedRevision?: number;
  /**
   * Roll back unless confirmApply is called within this time: milliseconds, or a duration text
   * (`90s`, `2m`, `1h`, `1m30s`), from 1 s to 1 h.
   */
  confirmWithin?: number | string;
  /** With confirmWithin: every gateway of the spec must answer an ARP probe after the change. */
  probeGateways?: boolean;
}

/** What an Apply did, or would do in a dry run. */
export interface ApplyResult {
  /** One step per object: what it does (KEEP included), and why. */
  plan: PlanStep[];
  /** The revision the Apply committed (the host's revision when nothing changed, or in a dry run). */
  revision: number;
  /** With confirmWithin: the id to pass to confirmApply before the window ends. */
  applyId?: string;
  /** True when some step is not KEEP: the host changed (or, in a dry run, would change). */
  changed: boolean;
}

/**
 * The confirmation window as the agent takes it, refused here with an Error naming `confirmWithin`
 * when it is not a duration or lies outside 1 s..1 h.
 */
export function confirmWithinDuration(value: number | string): Duration {
  const ms = typeof value === 'string' ? parseConfirmWithin(value) : value;
  if (!Number.isFinite(ms) || ms < MIN_CONFIRM_WITHIN_MS || ms > MAX_CONFIRM_WITHIN_MS)
    throw new Error(
      `confirmWithin: ${Number.isFinite(ms) ? formatDuration(ms) : String(ms)} is outside 1s..1h`,
    );
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** The ApplyRequest for a spec and options, refusing malformed options before any call. */
export function applyRequest(spec: ApplySpec, options: ApplyOptions): DeepPartial<ApplyRequest> {
  const expectedRevision = options.expectedRevision ?? 0;
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0)
    throw new Error(`expectedRevision: expected a revision (a whole number), not ${expectedRevision}`);
  return {
    spec: { networks: spec.networks ?? [], endpoints: spec.endpoints ?? [] },
    dryRun: options.dryRun ?? false,
    expectedRevision,
    confirmWithin:
      options.confirmWithin === undefined ? undefined : confirmWithinDuration(options.confirmWithin),
    probeGateways: options.probeGateways ?? false,
  };
}

/** The SDK's view of an ApplyResponse. */
export function applyResult(res: ApplyResponse): ApplyResult {
  return {
    plan: res.plan,
    revision: res.revision,
    ...(res.applyId === '' ? {} : { applyId: res.applyId }),
    changed: res.plan.some((step) => step.action !== PlanAction.PLAN_ACTION_KEEP),
  };
}

function parseConfirmWithin(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new Error(`confirmWithin: ${(err as Error).message}`);
  }
}
