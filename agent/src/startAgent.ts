import type { Logger } from 'pino';
import { parseListenAddress } from './api/listenAddress';
import { serveAgent } from './api/serveAgent';
import { createHostServices } from './app/createHostServices';
import type { LinkChangeSource } from './domain/ports/LinkChangeSource';
import type { LinkDriver } from './domain/ports/LinkDriver';
import { faultTarget } from './faultPoint';
import { openHost } from './openHost';

export interface AgentOptions {
  /** `unix:///path`, `host:port`; port 0 picks a free one. */
  listen: string;
  stateDir: string;
  /** The named netns the agent manages as its host; undefined: the root namespace. */
  netns?: string;
  /** Allow plaintext on a non-loopback address. */
  insecure?: boolean;
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
  /** Events the durable log keeps for Watch to replay (default 10000). */
  eventRetention?: number;
  /** Bytes of events the durable log keeps (default DEFAULT_EVENT_RETENTION_BYTES). */
  eventRetentionBytes?: number;
  /** Watch streams open at once; one more is RESOURCE_EXHAUSTED (default DEFAULT_MAX_WATCHERS). */
  maxWatchers?: number;
  /** Free bytes the state dir must have for a mutation (default MIN_FREE_STATE_BYTES; tests lower it). */
  stateMinFreeBytes?: number;
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
 * Starts an agent in three steps: opens the host (state, kernel, restore: openHost), builds its
 * services (createHostServices), and serves them (serveAgent). A step that fails undoes the ones
 * before it.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger } = options;
  const listen = parseListenAddress(options.listen, options.insecure ?? false);
  warnAtStart(options, listen.kind === 'tcp');
  const host = await openHost(options);
  const services = createHostServices({
    ...host,
    logger,
    checkIntervalMs: options.checkIntervalMs ?? 5000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    watchQueueCapacity: options.watchQueueCapacity ?? 1000,
    maxWatchers: options.maxWatchers,
  });
  let serving;
  try {
    services.start();
    serving = await serveAgent(services, listen, logger);
  } catch (err) {
    services.stop();
    await host.close().catch(() => undefined);
    throw err;
  }
  logger.info({ address: serving.address, version: host.facts.version }, 'serving');
  return {
    address: serving.address,
    close: async (graceMs = 2000) => {
      services.stop();
      await serving.close(graceMs);
      await host.close();
      logger.info('stopped');
    },
  };
}

/** What an operator must hear at every start: plaintext on a network address, fault injection. */
function warnAtStart(options: AgentOptions, tcp: boolean): void {
  if (tcp && options.insecure) {
    options.logger.warn(
      { listen: options.listen },
      "serving plaintext gRPC without TLS on a network address (--insecure): anyone who reaches it controls this host's networks",
    );
  }
  const fault = faultTarget();
  if (fault)
    options.logger.warn(
      { fault },
      'fault injection is on (MVNET_FAULT_KILL_AT): this agent will kill itself',
    );
}
