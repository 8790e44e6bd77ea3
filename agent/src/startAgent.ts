import type { Logger } from 'pino';
import { requiresCredentials, type AccessPolicy } from './api/access/AccessPolicy';
import { watchAccessFiles } from './api/access/watchAccessFiles';
import { grpcAddress, isLoopback } from './api/listenAddress';
import { serveAgent, type ServeOptions, type ServingAgent } from './api/serveAgent';
import { createHostServices } from './app/createHostServices';
import type { LinkChangeSource } from './domain/ports/LinkChangeSource';
import type { LinkDriver } from './domain/ports/LinkDriver';
import { faultTarget } from './faultPoint';
import { openHost } from './openHost';
import { serveOptions } from './serveOptions';
import type { ServingMetrics } from './api/metrics/serveMetrics';
import { hostname } from './kernel/hostFacts';
import { mvnetVersion } from '../../common/mvnetVersion';

export interface AgentOptions {
  /** `unix:///path`, `host:port`; port 0 picks a free one. Two: a TCP address and a unix socket beside it. */
  listen: string | string[];
  stateDir: string;
  /** The named netns the agent manages as its host; undefined: the root namespace. */
  netns?: string;
  /** Allow plaintext on a non-loopback address. */
  insecure?: boolean;
  /** --tlscert and --tlskey: serve TLS with this certificate and key, re-read when their files change. */
  tlsCert?: string;
  tlsKey?: string;
  /** --tlsverify: require a client certificate signed by --tlscacert (mutual TLS); its CN is the user. */
  tlsVerify?: boolean;
  tlsCaCert?: string;
  /** How often the TLS files are re-read, in ms (default 5000). */
  certificateRefreshMs?: number;
  /** How often the token and authorization files are checked for a change, in ms (default 5000). */
  accessFilesRefreshMs?: number;
  /** --token-auth-file: kube-apiserver's token CSV; `authorization: Bearer <token>` names a user. */
  tokenAuthFile?: string;
  /** --authorization-file: YAML naming each role's users (viewer, operator). */
  authorizationFile?: string;
  /** --health-listen: grpc.health.v1 alone, in plaintext, on this address too. */
  healthListen?: string;
  /** --metrics-listen: Prometheus text on http://ADDRESS/metrics (off by default). */
  metricsListen?: string;
  /** --metrics-insecure: allow --metrics-listen on a non-loopback address. */
  metricsInsecure?: boolean;
  /** --group: the unix socket's group (a name or a gid), whose members may connect. */
  group?: string;
  logger: Logger;
  /** The kernel port; defaults to LinuxDriver on the host namespace. */
  driver?: LinkDriver;
  /** Overrides the boot id (tests simulating a reboot). */
  bootId?: string;
  /** How often endpoints are checked for a vanished container, in ms (default 5000; 0: never). */
  checkIntervalMs?: number;
  /** A quiet Watch stream gets a BOOKMARK this often, in ms (default 10000). */
  bookmarkIntervalMs?: number;
  /** Events a watcher may fall behind by before it is ended with RESOURCE_EXHAUSTED (default 1000). */
  watchQueueCapacity?: number;
  /** Revisions the durable log keeps for Watch to replay, each with all its events (default 10000). */
  eventRetention?: number;
  /** Bytes of events the durable log keeps (default DEFAULT_EVENT_RETENTION_BYTES). */
  eventRetentionBytes?: number;
  /** Watch streams open at once; one more is RESOURCE_EXHAUSTED (default DEFAULT_MAX_WATCHERS). */
  maxWatchers?: number;
  /** Free bytes the state dir must have for a mutation (default MIN_FREE_STATE_BYTES; tests lower it). */
  stateMinFreeBytes?: number;
  /** The kernel's change notifications; default: RtnlLinkMonitor on the host netns, none with a custom driver. */
  linkChanges?: LinkChangeSource;
}

export interface RunningAgent {
  /** The address clients dial: `unix:///path` or `127.0.0.1:PORT`. */
  address: string;
  /** The health-only listener's address, with `healthListen`. */
  healthAddress?: string;
  /** The local unix socket served beside a TCP listener (a second --listen). */
  localAddress?: string;
  /** The metrics listener's `host:port`, with `metricsListen`. */
  metricsAddress?: string;
  /**
   * Reads --token-auth-file and --authorization-file again and puts them in force for the next call
   * (on SIGHUP, and when either file changes). False, with why in the log and nothing changed, when a
   * file cannot be read or parsed.
   */
  reloadAccess(): boolean;
  /** Stops serving (in-flight calls get `graceMs` to finish), then closes the kernel driver and the state. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts an agent in three steps: opens the host (state, kernel, restore: openHost), builds its
 * services (createHostServices), and serves them (serveAgent). A step that fails undoes the ones
 * before it. The listen addresses, TLS files, token and authorization files are read and checked
 * first, so that a mistake in them fails the start before anything is touched.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger } = options;
  const serving = serveOptions(options);
  warnAtStart(options, serving);
  const metrics = serving.metricsListen && (await loadMetrics());
  const host = await openHost({
    ...options,
    wrapDriver: metrics ? (driver) => metrics.timedLinkDriver(driver, metrics.agent) : undefined,
  });
  const services = createHostServices({
    ...host,
    logger,
    checkIntervalMs: options.checkIntervalMs ?? 5000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    watchQueueCapacity: options.watchQueueCapacity ?? 1000,
    maxWatchers: options.maxWatchers,
  });
  metrics?.agent.observe(services);
  let served: ServingAgent | undefined;
  let metricsServer: ServingMetrics | undefined;
  try {
    await services.start();
    served = await serveAgent(services, serving, logger, metrics?.agent);
    if (metrics && serving.metricsListen) {
      metricsServer = await metrics
        .serveMetrics(metrics.agent, serving.metricsListen, logger)
        .catch(async (err: Error) => {
          await served?.close(0);
          throw new Error(`--metrics-listen ${options.metricsListen}: ${err.message}`);
        });
    }
  } catch (err) {
    services.stop();
    await host.close().catch(() => undefined);
    throw err;
  }
  const accessFiles = watchAccessFiles(serving.access, options, logger, options.accessFilesRefreshMs ?? 5000);
  logger.info(
    {
      address: served.address,
      localAddress: served.localAddress,
      healthAddress: served.healthAddress,
      metricsAddress: metricsServer?.address,
      tls: serving.certificates ? (serving.requireClientCertificate ? 'mutual' : 'server') : 'off',
      credentials: credentialsSummary(serving.access),
      version: host.facts.version,
    },
    'serving',
  );
  return {
    address: served.address,
    localAddress: served.localAddress,
    healthAddress: served.healthAddress,
    metricsAddress: metricsServer?.address,
    reloadAccess: accessFiles.reload,
    close: async (graceMs = 2000) => {
      accessFiles.stop();
      services.stop();
      await Promise.all([served.close(graceMs), metricsServer?.close()]);
      await host.close();
      logger.info('stopped');
    },
  };
}

/**
 * The metrics, loaded only when they are served: prom-client and its collectors cost an agent without
 * --metrics-listen nothing.
 */
async function loadMetrics() {
  const [{ AgentMetrics }, { timedLinkDriver }, { serveMetrics }] = await Promise.all([
    import('./api/metrics/AgentMetrics'),
    import('./api/metrics/timedLinkDriver'),
    import('./api/metrics/serveMetrics'),
  ]);
  return {
    agent: new AgentMetrics({ version: mvnetVersion(), hostname: hostname() }),
    timedLinkDriver,
    serveMetrics,
  };
}

/** How callers prove who they are, for the start line. */
function credentialsSummary(access: AccessPolicy): string[] {
  if (access.transport === 'unix') return ['unix-socket'];
  const kinds = [access.clientCertificates && 'certificate', access.tokens && 'token'].filter(
    Boolean,
  ) as string[];
  return kinds.length > 0 ? kinds : ['none'];
}

/**
 * What an operator must hear at every start: plaintext on a network address, a network address
 * where nobody has to prove who they are, tokens sent in plaintext, fault injection.
 */
function warnAtStart(options: AgentOptions, { listen, access }: ServeOptions): void {
  const network = listen.kind === 'tcp' && !isLoopback(listen.host);
  if (listen.kind === 'tcp' && options.insecure) {
    options.logger.warn(
      { listen: grpcAddress(listen) },
      "serving plaintext gRPC without TLS on a network address (--insecure): anyone who reaches it controls this host's networks",
    );
    if (access.tokens)
      options.logger.warn(
        'bearer tokens cross the network in plaintext (--insecure): anyone on the path can replay them',
      );
  } else if (network && !requiresCredentials(access)) {
    options.logger.warn(
      { listen: grpcAddress(listen) },
      "serving TLS without client authentication (no --tlsverify, no --token-auth-file): anyone who reaches it controls this host's networks",
    );
  }
  const fault = faultTarget();
  if (fault)
    options.logger.warn(
      { fault },
      'fault injection is on (MVNET_FAULT_KILL_AT, MVNET_FAULT_FAIL_AT): this agent will kill itself or fail a step',
    );
}
