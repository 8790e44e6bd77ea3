import type { Logger } from 'pino';
import { resolvePending } from './app/resolvePending';
import { restoreEndpoints } from './app/restoreEndpoints';
import { restoreHost } from './app/restoreHost';
import type { HostFacts } from './app/HostService';
import type { LinkChangeSource } from './domain/ports/LinkChangeSource';
import type { LinkDriver } from './domain/ports/LinkDriver';
import { mvnetVersion } from '../../common/mvnetVersion';
import { hostname, kernelRelease, readBootId } from './kernel/hostFacts';
import { LinuxDriver } from './kernel/LinuxDriver';
import { RtnlLinkMonitor } from './kernel/netlink/RtnlLinkMonitor';
import { Store } from './store/Store';
import { DEFAULT_EVENT_RETENTION } from './domain/limits';

/** What opening a host needs; see AgentOptions. */
export interface OpenHostOptions {
  stateDir: string;
  netns?: string;
  logger: Logger;
  driver?: LinkDriver;
  bootId?: string;
  eventRetention?: number;
  eventRetentionBytes?: number;
  stateMinFreeBytes?: number;
  linkChanges?: LinkChangeSource;
  /** Wraps the kernel port before anything uses it (the metrics time its steps). */
  wrapDriver?: (driver: LinkDriver) => LinkDriver;
}

/** A host opened and restored: its state, its kernel, and the facts GetHost reports. */
export interface OpenedHost {
  state: Store;
  driver: LinkDriver;
  facts: HostFacts;
  /** The kernel's change notifications; none for a custom driver unless given. */
  linkChanges?: LinkChangeSource;
  /** Closes the driver and the state (after the services are stopped). */
  close(): Promise<void>;
}

/**
 * Opens the host the agent manages: its durable state, its kernel driver (LinuxDriver on the host
 * netns unless one is given), the kernel's capabilities; then brings the kernel back in line with the
 * state, before anything is served, so a client never sees a half-restored host: changes the last agent
 * died in the middle of are undone, the networks' links and then the endpoints are restored.
 */
export async function openHost(options: OpenHostOptions): Promise<OpenedHost> {
  const { logger } = options;
  const state = Store.open(options.stateDir, { minFreeBytes: options.stateMinFreeBytes });
  state.setRetention(options.eventRetention ?? DEFAULT_EVENT_RETENTION, options.eventRetentionBytes);
  const unwrapped = options.driver ?? new LinuxDriver({ netns: options.netns, logger });
  const driver = options.wrapDriver ? options.wrapDriver(unwrapped) : unwrapped;
  try {
    const capabilities = await driver.probeCapabilities();
    const bootId = options.bootId ?? readBootId();
    logger.info({ capabilities, netns: options.netns ?? '', stateDir: options.stateDir }, 'kernel probed');
    await resolvePending({ state, driver, logger });
    const { reboot } = await restoreHost({ state, driver, capabilities, logger, bootId });
    await restoreEndpoints({ state, driver, logger, reboot });
    const facts: HostFacts = {
      hostname: hostname(),
      version: mvnetVersion(),
      bootId,
      kernelRelease: kernelRelease(),
      netns: options.netns ?? '',
      capabilities,
    };
    const linkChanges =
      options.linkChanges ??
      (options.driver ? undefined : new RtnlLinkMonitor({ netns: options.netns, logger }));
    const close = async () => {
      await driver.close();
      state.close();
    };
    return { state, driver, facts, linkChanges, close };
  } catch (err) {
    await driver.close().catch(() => undefined);
    state.close();
    throw err;
  }
}
