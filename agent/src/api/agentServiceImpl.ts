import { ServerError, Status, type ServiceImplementation } from 'nice-grpc';
import type { HostService } from '../domain/HostService';
import type { NetworkService } from '../domain/NetworkService';
import type { AgentServiceDefinition } from '../../../proto/gen/mvnet/v1/agent_service';
import { hostToMessage } from './hostMessages';
import { networkFromMessage, networkToMessage } from './networkMessages';

export interface AgentServices {
  host: HostService;
  networks: NetworkService;
}

function notYet(method: string): never {
  throw new ServerError(Status.UNIMPLEMENTED, `${method} is not implemented by this agent yet`);
}

/**
 * The AgentService handlers: decode, call the domain, encode. Errors are mapped to statuses by
 * errorStatusMiddleware, not here.
 */
export function createAgentServiceImpl(
  services: AgentServices,
): ServiceImplementation<typeof AgentServiceDefinition> {
  const { host, networks } = services;
  return {
    async getHost() {
      const { facts, links, revision } = await host.getHost();
      return { host: hostToMessage(facts, links), revision };
    },
    async createNetwork(request) {
      const { network, revision } = await networks.createNetwork(networkFromMessage(request.network));
      return { network: networkToMessage(network), revision };
    },
    async getNetwork(request) {
      const { network, revision } = await networks.getNetwork(request.name);
      return { network: networkToMessage(network), revision };
    },
    async listNetworks() {
      const { networks: list, revision } = await networks.listNetworks();
      return { networks: list.map(networkToMessage), revision };
    },
    async deleteNetwork(request) {
      return networks.deleteNetwork(request.name, request.force);
    },
    createEndpoint: async () => notYet('CreateEndpoint'),
    getEndpoint: async () => notYet('GetEndpoint'),
    listEndpoints: async () => notYet('ListEndpoints'),
    deleteEndpoint: async () => notYet('DeleteEndpoint'),
    apply: async () => notYet('Apply'),
    confirmApply: async () => notYet('ConfirmApply'),
    // eslint-disable-next-line require-yield
    watch: async function* () {
      notYet('Watch');
    },
  };
}
