import { createServer } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, type HealthState } from 'nice-grpc-server-health';
import type { Logger } from 'pino';
import { CHANNEL_LIMITS } from './channelLimits';
import { errorStatusMiddleware } from './errorStatus';
import { listenOn, shutdownWithin } from './listenOn';
import type { ListenAddress } from './listenAddress';
import { requestChecksMiddleware } from './requestChecksMiddleware';
import { streamTerminator } from './streamTerminator';

/** The health-only server of --health-listen. */
export interface ServingHealth {
  address: string;
  close(graceMs: number): Promise<void>;
}

/**
 * Serves grpc.health.v1 alone (--health-listen), in plaintext, on any address: Kubernetes' gRPC probes
 * and most load balancers cannot present a client certificate or a token. Nothing else is on it
 * (AgentService and reflection are UNIMPLEMENTED there), so it tells a prober no more than "serving"
 * or not. `health` is the main server's state, so both report the same status.
 */
export async function serveHealth(
  health: HealthState,
  listen: ListenAddress,
  logger: Logger,
): Promise<ServingHealth> {
  const terminator = streamTerminator();
  const server = createServer(CHANNEL_LIMITS)
    .use(errorStatusMiddleware(logger))
    .use(requestChecksMiddleware)
    .use(terminator.middleware);
  server.add(HealthDefinition, HealthServiceImpl(health));
  const address = await listenOn(server, listen, logger);
  return {
    address,
    close: async (graceMs) => {
      // Health watchers heard NOT_SERVING from the shared state; their streams end now, not at the deadline.
      terminator.terminate();
      await shutdownWithin(server, graceMs);
    },
  };
}
