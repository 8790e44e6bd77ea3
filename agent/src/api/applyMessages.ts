import type { ApplyRequest } from '../app/apply/ApplyService';
import type { PlanAction as DomainAction, PlanStep as DomainStep } from '../domain/apply/applyModel';
import { InvalidSpecError } from '../domain/errors';
import type { Duration } from '../../../proto/gen/google/protobuf/duration';
import type { ApplyRequest as ApplyRequestMessage } from '../../../proto/gen/mvnet/v1/agent_service';
import {
  PlanAction,
  ResourceKind,
  type PendingApply,
  type PlanStep,
} from '../../../proto/gen/mvnet/v1/apply';
import { endpointFromMessage } from './endpointMessages';
import { networkFromMessage } from './networkMessages';
import { timestampOf } from './timestampMessage';

const ACTION_ENUMS: Record<DomainAction, PlanAction> = {
  CREATE: PlanAction.PLAN_ACTION_CREATE,
  UPDATE: PlanAction.PLAN_ACTION_UPDATE,
  REPLACE: PlanAction.PLAN_ACTION_REPLACE,
  DELETE: PlanAction.PLAN_ACTION_DELETE,
  KEEP: PlanAction.PLAN_ACTION_KEEP,
};

/** A wire ApplyRequest as the application's; the spec itself is checked there (checkApplySpec). */
export function applyRequestFromMessage(request: ApplyRequestMessage): ApplyRequest {
  const spec = request.spec ?? { networks: [], endpoints: [] };
  return {
    spec: {
      networks: spec.networks.map(networkFromMessage),
      endpoints: spec.endpoints.map(endpointFromMessage),
    },
    dryRun: request.dryRun,
    expectedRevision: request.expectedRevision,
    confirmWithinMs: request.confirmWithin && durationMs(request.confirmWithin),
    probeGateways: request.probeGateways,
  };
}

/** A Duration in milliseconds; one the protobuf rules refuse (mixed signs, nanos out of range) is named. */
function durationMs({ seconds, nanos }: Duration): number {
  const valid =
    Number.isSafeInteger(seconds) &&
    Number.isInteger(nanos) &&
    Math.abs(nanos) <= 999_999_999 &&
    (seconds === 0 || nanos === 0 || Math.sign(seconds) === Math.sign(nanos));
  if (!valid) {
    throw new InvalidSpecError('confirm_within', `not a valid duration (seconds ${seconds}, nanos ${nanos})`);
  }
  return seconds * 1000 + Math.trunc(nanos / 1_000_000);
}

/** A plan step on the wire: `network` is set for endpoints only, as the proto says. */
export function planStepToMessage(step: DomainStep): PlanStep {
  return {
    action: ACTION_ENUMS[step.action],
    kind: step.kind === 'network' ? ResourceKind.RESOURCE_KIND_NETWORK : ResourceKind.RESOURCE_KIND_ENDPOINT,
    name: step.name,
    network: step.kind === 'endpoint' ? step.network : '',
    reason: step.reason,
  };
}

/** The Apply awaiting confirmation, for GetHost. */
export function pendingApplyToMessage(pending: {
  applyId: string;
  deadline: number;
  revision: number;
}): PendingApply {
  return {
    applyId: pending.applyId,
    deadline: timestampOf(pending.deadline),
    revision: pending.revision,
  };
}
