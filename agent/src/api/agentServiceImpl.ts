import type { ServiceImplementation } from 'nice-grpc';
import type { HostServices } from '../app/createHostServices';
import { InvalidSpecError } from '../domain/errors';
import type { AgentServiceDefinition } from '../../../proto/gen/mvnet/v1/agent_service';
import { applyRequestFromMessage, pendingApplyToMessage, planStepToMessage } from './applyMessages';
import { endpointFromMessage, endpointToMessage } from './endpointMessages';
import { hostToMessage } from './hostMessages';
import { networkFromMessage, networkToMessage } from './networkMessages';
import { kindsFromMessage } from './watchMessages';
import { WatchMessageCache } from './WatchMessageCache';

/**
 * The AgentService handlers: decode, call the application, encode. Errors are mapped to statuses by
 * errorStatusMiddleware, not here.
 */
export function createAgentServiceImpl(
  services: Pick<HostServices, 'host' | 'networks' | 'endpoints' | 'watch' | 'apply'>,
): ServiceImplementation<typeof AgentServiceDefinition> {
  const { host, networks, endpoints, watch, apply } = services;
  const messages = new WatchMessageCache((name) => watch.endpointCount(name));
  return {
    async getHost() {
      const { facts, links, revision } = await host.getHost();
      const pending = apply.pendingApply();
      return {
        host: hostToMessage(facts, links),
        revision,
        pendingApply: pending && pendingApplyToMessage(pending),
      };
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
    async createEndpoint(request) {
      const { endpoint, revision } = await endpoints.createEndpoint(endpointFromMessage(request.endpoint));
      return { endpoint: endpointToMessage(endpoint), revision };
    },
    async getEndpoint(request) {
      const { endpoint, revision } = await endpoints.getEndpoint(request.network, request.name);
      return { endpoint: endpointToMessage(endpoint), revision };
    },
    async listEndpoints(request) {
      const { endpoints: list, revision } = await endpoints.listEndpoints(request.network);
      return { endpoints: list.map(endpointToMessage), revision };
    },
    async deleteEndpoint(request) {
      return endpoints.deleteEndpoint(request.network, request.name);
    },
    async apply(request) {
      const { plan, revision, applyId } = await apply.apply(applyRequestFromMessage(request));
      return { plan: plan.map(planStepToMessage), revision, applyId };
    },
    async confirmApply(request) {
      return apply.confirm(request.applyId);
    },
    async cancelApply(request) {
      return apply.cancel(request.applyId);
    },
    async *watch(request, context) {
      const kinds = kindsFromMessage(request.kinds);
      const unknown = kinds.indexOf(undefined);
      if (unknown >= 0)
        throw new InvalidSpecError(`kinds[${unknown}]`, `unknown resource kind ${request.kinds[unknown]}`);
      const items = watch.watch(
        {
          sinceRevision: request.sinceRevision,
          kinds: kinds as NonNullable<(typeof kinds)[number]>[],
          network: request.network,
        },
        context.signal,
      );
      for await (const item of items) yield messages.messageOf(item);
    },
  };
}
