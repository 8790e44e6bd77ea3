/** The mvnet SDK: typed clients of mvnet agents, and the wire types they speak. */
export { AgentClient, type AgentClientOptions, type EndpointSpec, type NetworkSpec } from './AgentClient';
export { type ApplyOptions, type ApplyResult, type ApplySpec } from './applyRequest';
export { formatDuration, parseDuration } from './duration';
export { type ErrorInfo, type FieldViolation } from './statusDetails';
export { ERROR_DOMAIN, ErrorReason } from './errorReasons';
export { MANAGED_BY_LABEL, isOutsideApply } from './spec/applyScope';
export { exportSpec, type ExportedSpec } from './spec/exportSpec';
export { Fleet, type FleetOptions, type FleetWatchEvent, type HostStatus } from './fleet/Fleet';
export { FleetRefusedError, type RolloutOptions } from './fleet/rollout';
export { parseFleetFile } from './fleet/parseFleetFile';
export type {
  FleetPlan,
  FleetProgress,
  FleetRefusal,
  FleetSpec,
  HostPlan,
  HostRolloutState,
  RolloutPolicy,
} from './fleet/fleetTypes';
export { parseSpec } from './spec/parseSpec';
export { readSpecSource, MAX_SPEC_FILE_BYTES } from './spec/readSpecSource';
export { renderSpec, type SpecFormat } from './spec/renderSpec';
export { SpecError, type SpecProblem } from './spec/SpecError';
export { type ClientTlsOptions } from './channelCredentials';
export { clientOptionsFromEnv } from './clientOptionsFromEnv';
export { DEFAULT_HOST, hostTarget, type ConnectionOptions } from './connection';
export { MvnetError, RETRYABLE_CODES } from './errors';
export {
  type WatchChange,
  type WatchEvent,
  type WatchOptions,
  type WatchRelist,
  type WatchRetry,
} from './watchEvents';
export { AgentServiceDefinition, WatchRequest, WatchResponse } from '../../proto/gen/mvnet/v1/agent_service';
export {
  PlanAction,
  ResourceKind,
  type PendingApply,
  type PlanStep,
  type Spec,
} from '../../proto/gen/mvnet/v1/apply';
export { EventType } from '../../proto/gen/mvnet/v1/watch';
export {
  MacvlanMode,
  NetworkState,
  type Network,
  type NetworkStatus,
  type Subnet,
} from '../../proto/gen/mvnet/v1/network';
export { EndpointState, type Endpoint, type EndpointStatus } from '../../proto/gen/mvnet/v1/endpoint';
export { LinkOwner, type Host, type Interface, type KernelCapabilities } from '../../proto/gen/mvnet/v1/host';
