import { createServer } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import type { Logger } from 'pino';
import { AgentServiceDefinition } from '../../../proto/gen/mvnet/v1/agent_service';
import type { HostServices } from '../app/createHostServices';
import { createAgentServiceImpl } from './agentServiceImpl';
import { CHANNEL_LIMITS } from './channelLimits';
import { errorStatusMiddleware } from './errorStatus';
import { guardDecoding } from './guardDecoding';
import { listenOn, shutdownWithin } from './listenOn';
import type { ListenAddress } from './listenAddress';
import { reflectionServices } from './reflection';
import { requestChecksMiddleware } from './requestChecksMiddleware';
import { streamTerminator } from './streamTerminator';

/** A server answering on its address. */
export interface ServingAgent {
  /** The address clients dial: `unix:///path` or `127.0.0.1:PORT`. */
  address: string;
  /**
   * Says NOT_SERVING to health watchers, ends the long-running streams with UNAVAILABLE, then shuts
   * down: the calls under way get `graceMs` to finish.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves a host's services: AgentService, grpc.health.v1 and reflection, within the transport's
 * bounds (CHANNEL_LIMITS), every call through the one error-to-status mapping, the request checks
 * (decoded, printable, bounded text) and the stream terminator.
 */
export async function serveAgent(
  services: HostServices,
  listen: ListenAddress,
  logger: Logger,
): Promise<ServingAgent> {
  const health = HealthState();
  const terminator = streamTerminator();
  const server = createServer(CHANNEL_LIMITS)
    .use(errorStatusMiddleware(logger))
    .use(requestChecksMiddleware)
    .use(terminator.middleware);
  server.add(guardDecoding(AgentServiceDefinition), createAgentServiceImpl(services));
  server.add(HealthDefinition, HealthServiceImpl(health));
  const reflected = [AgentServiceDefinition.fullName, 'grpc.health.v1.Health'];
  for (const { definition, impl } of reflectionServices(reflected)) server.add(definition, impl);
  const address = await listenOn(server, listen, logger);
  health.setStatus('healthy', AgentServiceDefinition.fullName); // '' starts healthy
  return {
    address,
    close: async (graceMs) => {
      health.setStatus('unhealthy');
      health.setStatus('unhealthy', AgentServiceDefinition.fullName);
      // Health watchers get NOT_SERVING (written in this turn's microtasks) before their streams end.
      await new Promise((resolve) => setImmediate(resolve));
      terminator.terminate();
      await shutdownWithin(server, graceMs);
    },
  };
}
