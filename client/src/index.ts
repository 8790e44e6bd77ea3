/** The mvnet SDK: typed clients of mvnet agents, and the wire types they speak. */
export { AgentClient, type AgentClientOptions, type EndpointSpec, type NetworkSpec } from './AgentClient';
export { DEFAULT_HOST, hostTarget } from './connection';
export { MvnetError, RETRYABLE_CODES } from './errors';
export { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
export {
  MacvlanMode,
  NetworkState,
  type Network,
  type NetworkStatus,
  type Subnet,
} from '../../proto/gen/mvnet/v1/network';
export { EndpointState, type Endpoint, type EndpointStatus } from '../../proto/gen/mvnet/v1/endpoint';
export { LinkOwner, type Host, type Interface, type KernelCapabilities } from '../../proto/gen/mvnet/v1/host';
