import { createServer, type Server } from 'nice-grpc';
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
import { streamTerminator, type StreamTerminator } from './streamTerminator';
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
  /**
   * A unix socket served beside a TCP `listen` (a second --listen, as dockerd's -H): its file
   * permissions decide who may connect, and every caller on it is an operator (the local tools: the
   * CLI's default host, the CNI plugin).
   */
  localSocket?: { listen: Extract<ListenAddress, { kind: 'unix' }>; access: AccessPolicy };
  /** --metrics-listen: where Prometheus scrapes (loopback unless --metrics-insecure). */
  metricsListen?: Extract<ListenAddress, { kind: 'tcp' }>;
}

/** A server answering on its address. */
export interface ServingAgent {
  /** The address clients dial: `unix:///path` or `127.0.0.1:PORT`. */
  address: string;
  /** The health-only listener's address, with --health-listen. */
  healthAddress?: string;
  /** The local socket's address (`unix:///path`), when one is served beside a TCP listener. */
  localAddress?: string;
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
  const build = (access: AccessPolicy) =>
    buildServer(services, access, { logger, metrics, health, terminator });
  const server = build(options.access);
  const address = await listenOn(server, options.listen, logger, {
    credentials: createServerCredentials(options.certificates, options.requireClientCertificate),
    socketGroupId: options.listen.kind === 'unix' ? options.socketGroupId : undefined,
  });
  const servers = [server];
  let localAddress: string | undefined;
  let healthServer: ServingHealth | undefined;
  try {
    if (options.localSocket) {
      const local = build(options.localSocket.access);
      servers.push(local);
      localAddress = await listenOn(local, options.localSocket.listen, logger, {
        socketGroupId: options.socketGroupId,
      });
    }
    if (options.healthListen) healthServer = await serveHealth(health, options.healthListen, logger);
  } catch (err) {
    await Promise.all(servers.map((s) => shutdownWithin(s, 0)));
    throw err;
  }
  health.setStatus('healthy', AgentServiceDefinition.fullName); // '' starts healthy
  return {
    address,
    localAddress,
    healthAddress: healthServer?.address,
    close: async (graceMs) => {
      health.setStatus('unhealthy');
      health.setStatus('unhealthy', AgentServiceDefinition.fullName);
      // Health watchers get NOT_SERVING (written in this turn's microtasks) before their streams end.
      await new Promise((resolve) => setImmediate(resolve));
      terminator.terminate();
      await Promise.all([...servers.map((s) => shutdownWithin(s, graceMs)), healthServer?.close(graceMs)]);
    },
  };
}

/**
 * One server of the agent's services, with `access` for who may call it: the main listener's policy,
 * or the local socket's (its file permissions). Both share the health state and the stream terminator.
 */
function buildServer(
  services: HostServices,
  access: AccessPolicy,
  shared: { logger: Logger; metrics?: AgentMetrics; health: HealthState; terminator: StreamTerminator },
): Server {
  const { logger, metrics, health, terminator } = shared;
  const bare = createServer({ ...CHANNEL_LIMITS, interceptors: [verifiedPeerInterceptor] });
  // Outermost, so that refusals count; and only with metrics on (each layer is paid per streamed item).
  const counted = metrics ? bare.use(rpcMetricsMiddleware(metrics)) : bare;
  const server = counted
    .use(accessMiddleware(access, logger))
    .use(errorStatusMiddleware(logger))
    .use(requestChecksMiddleware)
    .use(terminator.middleware);
  server.add(encodedOnce(guardDecoding(AgentServiceDefinition), 'watch'), createAgentServiceImpl(services));
  server.add(HealthDefinition, HealthServiceImpl(health));
  const reflected = [AgentServiceDefinition.fullName, 'grpc.health.v1.Health'];
  for (const { definition, impl } of reflectionServices(reflected)) server.add(definition, impl);
  return server;
}
