import type { Logger } from 'pino';
import { netnsIdentity } from '../domain/netnsIdentity';
import type { HostState } from '../domain/ports/HostState';
import type { LinkChangeSource } from '../domain/ports/LinkChangeSource';
import type { LinkDriver } from '../domain/ports/LinkDriver';
import { ApplyService } from './apply/ApplyService';
import { DriftService } from './DriftService';
import { EndpointService } from './EndpointService';
import { HostService, type HostFacts } from './HostService';
import { MutationGate } from './MutationGate';
import { Mutex } from './Mutex';
import { NetworkService } from './NetworkService';
import { WatchService } from './WatchService';

export interface HostServicesOptions {
  state: HostState;
  driver: LinkDriver;
  facts: HostFacts;
  logger: Logger;
  /** The kernel's change notifications, for drift; without them, no drift is seen. */
  linkChanges?: LinkChangeSource;
  /** How often endpoints are checked for a vanished container, in ms (0: never). */
  checkIntervalMs: number;
  bookmarkIntervalMs: number;
  watchQueueCapacity: number;
  /** Watch streams open at once (default DEFAULT_MAX_WATCHERS). */
  maxWatchers?: number;
}

/** The application services of one host, which the api serves. */
export interface HostServices {
  host: HostService;
  networks: NetworkService;
  endpoints: EndpointService;
  watch: WatchService;
  apply: ApplyService;
  /**
   * Starts what runs on its own: drift repair, the periodic endpoint check, and the timer of an Apply
   * awaiting confirmation (rolled back now if its deadline passed while the agent was down).
   */
  start(): Promise<void>;
  /** Stops them (the kernel monitor's reader is a thread of its own, with a socket, until closed). */
  stop(): void;
}

/**
 * Builds the services of one host around one mutex, taken for every change of host state, so plans
 * are made against a host that does not move, and one gate, which an Apply passes alone.
 */
export function createHostServices(o: HostServicesOptions): HostServices {
  const { state, driver, logger } = o;
  const capabilities = o.facts.capabilities;
  const mutex = new Mutex();
  const gate = new MutationGate();
  const networks = new NetworkService({ state, driver, capabilities, logger, mutex, gate });
  const source = o.linkChanges;
  const drift = source && new DriftService({ state, driver, capabilities, logger, mutex, networks, source });
  const endpoints = new EndpointService({
    state,
    driver,
    logger,
    mutex,
    gate,
    onAttached: (spec) => drift?.follow(spec.netnsRef),
  });
  const apply = new ApplyService({
    state,
    driver,
    capabilities,
    logger,
    mutex,
    gate,
    onAttached: (spec) => drift?.follow(spec.netnsRef),
  });
  const watch = new WatchService(state, {
    bookmarkIntervalMs: o.bookmarkIntervalMs,
    queueCapacity: o.watchQueueCapacity,
    maxWatchers: o.maxWatchers,
  });
  let checker: NodeJS.Timeout | undefined;
  return {
    host: new HostService(o.facts, driver, state),
    networks,
    endpoints,
    watch,
    apply,
    async start() {
      await apply.resume();
      // Once per namespace, however many endpoints it holds (a follow opens it and asks for its nsid).
      const namespaces = new Map(
        state.listEndpoints().map(({ spec }) => [netnsIdentity(spec.netnsRef), spec.netnsRef]),
      );
      for (const ref of namespaces.values()) drift?.follow(ref);
      drift?.start();
      if (o.checkIntervalMs <= 0) return;
      checker = setInterval(
        () =>
          void endpoints
            .checkEndpoints()
            .catch((err: unknown) => logger.warn({ err }, 'endpoint check failed')),
        o.checkIntervalMs,
      );
      checker.unref();
    },
    stop() {
      apply.stop();
      clearInterval(checker);
      drift?.close();
    },
  };
}
