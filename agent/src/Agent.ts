import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import type { Logger } from 'pino';
import { AgentServiceDefinition } from '../../proto/gen/mvnet/v1/agent_service';
import { createAgentServiceImpl } from './api/agentServiceImpl';
import { errorStatusMiddleware } from './api/errorStatus';
import { grpcAddress, parseListenAddress } from './api/listenAddress';
import { reflectionServices } from './api/reflection';
import { DriftService } from './domain/DriftService';
import { EndpointService } from './domain/EndpointService';
import { HostService } from './domain/HostService';
import { Mutex } from './domain/Mutex';
import { NetworkService } from './domain/NetworkService';
import { restoreEndpoints } from './domain/restoreEndpoints';
import { restoreHost } from './domain/restoreHost';
import { WatchService } from './domain/WatchService';
import { hostname, kernelRelease, readBootId } from './kernel/hostFacts';
import { Iproute2Driver } from './kernel/Iproute2Driver';
import { IpLinkMonitor, type LinkChangeSource } from './kernel/LinkMonitor';
import type { LinkDriver } from './kernel/LinkDriver';
import { Store } from './store/Store';
import { resolvePending } from './domain/resolvePending';
import { faultTarget } from './faultPoint';
import { streamTerminator } from './api/streamTerminator';
import { mvnetVersion } from './version';

export interface AgentOptions {
  /** `unix:///path`, `host:port`; port 0 picks a free one. */
  listen: string;
  stateDir: string;
  /** The named netns the agent manages as its host; undefined: the root namespace. */
  netns?: string;
  /** Allow plaintext on a non-loopback address. */
  insecure?: boolean;
  logger: Logger;
  /** The kernel seam; defaults to iproute2 on the host namespace. */
  driver?: LinkDriver;
  /** Overrides the boot id (tests simulating a reboot). */
  bootId?: string;
  /** How often endpoints are checked for a vanished container, in ms (default 5000; 0: never). */
  checkIntervalMs?: number;
  /** A quiet Watch stream gets a BOOKMARK this often, in ms (default 10000). */
  bookmarkIntervalMs?: number;
  /** Events a watcher may fall behind by before it is ended with RESOURCE_EXHAUSTED (default 1000). */
  watchQueueCapacity?: number;
  /** Events the durable log keeps for Watch to replay (default 10000). */
  eventRetention?: number;
  /** The kernel's change notifications; default: `ip monitor` on the host netns, none with a custom driver. */
  linkChanges?: LinkChangeSource;
}

export interface RunningAgent {
  /** The address clients dial: `unix:///path` or `127.0.0.1:PORT`. */
  address: string;
  /** Stops serving (in-flight calls get `graceMs` to finish), then closes the kernel driver and the state. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts an agent: opens the durable state, probes the kernel, restores the host to its state (before
 * serving, so a client never sees a half-restored host), then serves AgentService, health and reflection.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger } = options;
  const listen = parseListenAddress(options.listen, options.insecure ?? false);
  if (listen.kind === 'tcp' && options.insecure) {
    logger.warn(
      { listen: options.listen },
      "serving plaintext gRPC without TLS on a network address (--insecure): anyone who reaches it controls this host's networks",
    );
  }
  const fault = faultTarget();
  if (fault)
    logger.warn({ fault }, 'fault injection is on (MVNET_FAULT_KILL_AT): this agent will kill itself');
  const store = Store.open(options.stateDir);
  store.setRetention(options.eventRetention ?? 10_000);
  const driver = options.driver ?? new Iproute2Driver({ netns: options.netns, logger });
  let drift: DriftService | undefined;
  try {
    const capabilities = await driver.probeCapabilities();
    const bootId = options.bootId ?? readBootId();
    logger.info({ capabilities, netns: options.netns ?? '', stateDir: options.stateDir }, 'kernel probed');
    const mutex = new Mutex();
    await resolvePending({ store, driver, logger });
    await restoreHost({ store, driver, capabilities, logger, bootId });
    await restoreEndpoints({ store, driver, logger });
    const networks = new NetworkService({ store, driver, capabilities, logger, mutex });
    const source =
      options.linkChanges ??
      (options.driver ? undefined : new IpLinkMonitor({ netns: options.netns, logger }));
    drift = source && new DriftService({ store, driver, capabilities, logger, mutex, networks, source });
    const endpoints = new EndpointService({
      store,
      driver,
      logger,
      mutex,
      onAttached: (spec) => drift?.follow(spec.netns),
    });
    for (const { spec } of store.listEndpoints()) drift?.follow(spec.netns);
    drift?.start();
    const facts = {
      hostname: hostname(),
      version: mvnetVersion(),
      bootId,
      kernelRelease: kernelRelease(),
      netns: options.netns ?? '',
      capabilities,
    };
    const health = HealthState();
    const terminator = streamTerminator();
    const server = createServer().use(errorStatusMiddleware(logger)).use(terminator.middleware);
    server.add(
      AgentServiceDefinition,
      createAgentServiceImpl({
        host: new HostService(facts, driver, store),
        networks,
        endpoints,
        watch: new WatchService(store, {
          bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
          queueCapacity: options.watchQueueCapacity ?? 1000,
        }),
      }),
    );
    server.add(HealthDefinition, HealthServiceImpl(health));
    for (const { definition, impl } of reflectionServices([
      AgentServiceDefinition.fullName,
      'grpc.health.v1.Health',
    ])) {
      server.add(definition, impl);
    }
    const address = await listenOn(server, listen, logger);
    health.setStatus('healthy', AgentServiceDefinition.fullName); // '' starts healthy
    const checkIntervalMs = options.checkIntervalMs ?? 5000;
    const checker =
      checkIntervalMs > 0
        ? setInterval(
            () =>
              void endpoints
                .checkEndpoints()
                .catch((err: unknown) => logger.warn({ err }, 'endpoint check failed')),
            checkIntervalMs,
          )
        : undefined;
    checker?.unref();
    logger.info({ address, version: facts.version }, 'serving');
    return {
      address,
      close: async (graceMs = 2000) => {
        clearInterval(checker);
        drift?.close();
        health.setStatus('unhealthy');
        health.setStatus('unhealthy', AgentServiceDefinition.fullName);
        // Health watchers get NOT_SERVING (written in this turn's microtasks) before their streams end.
        await new Promise((resolve) => setImmediate(resolve));
        terminator.terminate();
        await shutdown(server, graceMs);
        await driver.close();
        store.close();
        logger.info('stopped');
      },
    };
  } catch (err) {
    // The kernel monitor is a process of its own: it would outlive an agent that failed to start.
    drift?.close();
    await driver.close().catch(() => undefined);
    store.close();
    throw err;
  }
}

async function listenOn(
  server: Server,
  listen: ReturnType<typeof parseListenAddress>,
  logger: Logger,
): Promise<string> {
  if (listen.kind === 'unix') {
    fs.mkdirSync(path.dirname(listen.path), { recursive: true, mode: 0o755 });
    // A socket file left by a crashed agent would make bind fail with EADDRINUSE; one that still
    // answers belongs to a live server, which must not be unplugged.
    if (await socketAnswers(listen.path))
      throw new Error(`--listen unix://${listen.path}: another server is listening there`);
    fs.rmSync(listen.path, { force: true });
    await server.listen(grpcAddress(listen));
    fs.chmodSync(listen.path, 0o660);
    return grpcAddress(listen);
  }
  const port = await server.listen(grpcAddress(listen));
  logger.debug({ port }, 'bound');
  return grpcAddress({ ...listen, port });
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Graceful shutdown with a deadline: the calls under way finish, unless one hangs (streams were terminated). */
async function shutdown(server: Server, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
  });
  await Promise.race([server.shutdown(), deadline]);
  clearTimeout(timer);
}
