import { createServer } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import type { Logger } from 'pino';
import { AgentServiceDefinition } from '../../../proto/gen/mvnet/v1/agent_service';
import type { HostServices } from '../app/createHostServices';
import { accessMiddleware } from './access/accessMiddleware';
import type { AccessPolicy } from './access/AccessPolicy';
import { createAgentServiceImpl } from './agentServiceImpl';
import { CHANNEL_LIMITS } from './channelLimits';
import { encodedOnce } from './encodedOnce';
import { errorStatusMiddleware } from './errorStatus';
import { guardDecoding } from './guardDecoding';
import { listenOn, shutdownWithin } from './listenOn';
import type { AgentMetrics } from './metrics/AgentMetrics';
import { rpcMetricsMiddleware } from './metrics/rpcMetricsMiddleware';
import type { ListenAddress } from './listenAddress';
import { reflectionServices } from './reflection';
import { requestChecksMiddleware } from './requestChecksMiddleware';
import { serveHealth, type ServingHealth } from './serveHealth';
import { streamTerminator } from './streamTerminator';
import type { CheckedCertificateProvider } from './tls/CheckedCertificateProvider';
import { createServerCredentials } from './tls/serverCredentials';
import { verifiedPeerInterceptor } from './tls/verifiedPeer';

/** Where and how the agent serves. */
export interface ServeOptions {
  listen: ListenAddress;
  /** TLS certificates (re-read on change); undefined: plaintext. */
  certificates?: CheckedCertificateProvider;
  /** --tlsverify: the handshake requires a client certificate signed by the provider's CAs. */
  requireClientCertificate: boolean;
  access: AccessPolicy;
  /** --health-listen: grpc.health.v1 alone, in plaintext. */
  healthListen?: ListenAddress;
  /** --group: the unix socket's group. */
  socketGroupId?: number;
  /** --metrics-listen: where Prometheus scrapes (loopback unless --metrics-insecure). */
  metricsListen?: Extract<ListenAddress, { kind: 'tcp' }>;
}

/** A server answering on its address. */
export interface ServingAgent {
  /** The address clients dial: `unix:///path` or `127.0.0.1:PORT`. */
  address: string;
  /** The health-only listener's address, with --health-listen. */
  healthAddress?: string;
  /**
   * Says NOT_SERVING to health watchers, ends the long-running streams with UNAVAILABLE, then shuts
   * down: the calls under way get `graceMs` to finish.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves a host's services: AgentService, grpc.health.v1 and reflection, within the transport's
 * bounds (CHANNEL_LIMITS). Every call goes through the verified-peer interceptor (grpc-js: the
 * client certificate into the metadata), the call metrics (with --metrics-listen), then the access middleware (authentication, roles, audit;
 * AgentService only), the one error-to-status mapping, the request checks (decoded, printable,
 * bounded text) and the stream terminator.
 */
export async function serveAgent(
  services: HostServices,
  options: ServeOptions,
  logger: Logger,
  metrics?: AgentMetrics,
): Promise<ServingAgent> {
  const health = HealthState();
  const terminator = streamTerminator();
  const bare = createServer({ ...CHANNEL_LIMITS, interceptors: [verifiedPeerInterceptor] });
  // Outermost, so that refusals count; and only with metrics on (each layer is paid per streamed item).
  const counted = metrics ? bare.use(rpcMetricsMiddleware(metrics)) : bare;
  const server = counted
    .use(accessMiddleware(options.access, logger))
    .use(errorStatusMiddleware(logger))
    .use(requestChecksMiddleware)
    .use(terminator.middleware);
  server.add(encodedOnce(guardDecoding(AgentServiceDefinition), 'watch'), createAgentServiceImpl(services));
  server.add(HealthDefinition, HealthServiceImpl(health));
  const reflected = [AgentServiceDefinition.fullName, 'grpc.health.v1.Health'];
  for (const { definition, impl } of reflectionServices(reflected)) server.add(definition, impl);
  const address = await listenOn(server, options.listen, logger, {
    credentials: createServerCredentials(options.certificates, options.requireClientCertificate),
    socketGroupId: options.socketGroupId,
  });
  let healthServer: ServingHealth | undefined;
  try {
    if (options.healthListen) healthServer = await serveHealth(health, options.healthListen, logger);
  } catch (err) {
    await shutdownWithin(server, 0);
    throw err;
  }
  health.setStatus('healthy', AgentServiceDefinition.fullName); // '' starts healthy
  return {
    address,
    healthAddress: healthServer?.address,
    close: async (graceMs) => {
      health.setStatus('unhealthy');
      health.setStatus('unhealthy', AgentServiceDefinition.fullName);
      // Health watchers get NOT_SERVING (written in this turn's microtasks) before their streams end.
      await new Promise((resolve) => setImmediate(resolve));
      terminator.terminate();
      await Promise.all([shutdownWithin(server, graceMs), healthServer?.close(graceMs)]);
    },
  };
}
