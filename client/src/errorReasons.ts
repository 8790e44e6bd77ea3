/**
 * The reasons mvnet-agent gives in google.rpc.ErrorInfo, as agent_service.proto lists them; every one
 * of domain ERROR_DOMAIN. The module imports nothing, so that the CNI plugin's start-up stays small.
 */
export const ERROR_DOMAIN = 'mvnet.io';

export const ErrorReason = {
  /** FAILED_PRECONDITION: an Apply awaits confirmation (metadata apply_id, deadline); try again after it. */
  APPLY_AWAITS_CONFIRMATION: 'APPLY_AWAITS_CONFIRMATION',
} as const;
