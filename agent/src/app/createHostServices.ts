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
  /** Drift's counts since start (DriftService.counts); zeros when the host has no change notifications. */
  driftCounts: DriftService['counts'];
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
  let stopWaiting: (() => void) | undefined;
  return {
    host: new HostService(o.facts, driver, state),
    networks,
    endpoints,
    watch,
    apply,
    driftCounts: drift?.counts ?? { changes: 0, repairs: 0 },
    async start() {
      await apply.resume();
      // Once per namespace, however many endpoints it holds (a follow opens it and asks for its nsid).
      const namespaces = new Map(
        state.listEndpoints().map(({ spec }) => [netnsIdentity(spec.netnsRef), spec.netnsRef]),
      );
      for (const ref of namespaces.values()) drift?.follow(ref);
      if (drift) stopWaiting = startDrift(drift, state);
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
      stopWaiting?.();
      drift?.close();
    },
  };
}

/**
 * Starts drift repair now when the host has a network; without one, nothing of the agent's is in the
 * kernel to drift, and the monitor (a thread of its own and a 4 MiB socket buffer: about 9 MB of an
 * idle agent's memory) starts with the first network, whichever call made it, checking everything
 * once, since the network's links may have changed before it listened. Returns how to stop waiting.
 */
function startDrift(drift: DriftService, state: HostState): (() => void) | undefined {
  if (state.listNetworks().length > 0) {
    drift.start();
    return undefined;
  }
  let waiting: NodeJS.Immediate | undefined;
  const unsubscribe = state.subscribe((events) => {
    if (waiting || !events.some((e) => e.kind === 'network' && e.type !== 'DELETED')) return;
    unsubscribe();
    // Not inside the commit's publication: a thread is started.
    waiting = setImmediate(() => drift.start({ checkAll: true }));
  });
  return () => {
    unsubscribe();
    clearImmediate(waiting);
  };
}
