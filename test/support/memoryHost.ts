import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createHostServices, type HostServices } from '../../agent/src/app/createHostServices';
import { EndpointService } from '../../agent/src/app/EndpointService';
import { Mutex } from '../../agent/src/app/Mutex';
import type { EndpointInput } from '../../agent/src/domain/normalizeEndpoint';
import { NetworkService } from '../../agent/src/app/NetworkService';
import type { NetworkInput } from '../../agent/src/domain/normalizeNetwork';
import { restoreHost } from '../../agent/src/app/restoreHost';
import type { LinkChangeSource } from '../../agent/src/domain/ports/LinkChangeSource';
import type { KernelCapabilities } from '../../agent/src/domain/ports/LinkDriver';
import { MemoryDriver, type MemoryLinkSeed } from '../../agent/src/kernel/memory/MemoryDriver';
import { Store } from '../../agent/src/store/Store';

/** A host on the in-memory kernel, with real durable state in a temporary directory. */
export interface MemoryHost {
  driver: MemoryDriver;
  store: Store;
  networks: NetworkService;
  /** The endpoints of the host, with a mutex of their own (as the tests have always had them). */
  endpoints: EndpointService;
  stateDir: string;
  /**
   * Closes the store and opens it again on a new kernel (a reboot, when `links` are fresh); with
   * `minFreeBytes` above what the disk has, on a state disk that is full.
   */
  restart(opts?: { driver?: MemoryDriver; bootId?: string; minFreeBytes?: number }): Promise<MemoryHost>;
  close(): void;
}

export const silentLogger = pino({ level: 'silent' });

/** The capabilities of the machine these tests run on: no 802.1q, dummy, bonding or VLAN filtering. */
export const THIS_MACHINE: Partial<KernelCapabilities> = {
  vlan8021q: false,
  dummy: false,
  bonding: false,
  vlanFilteringBridge: false,
};

export async function makeMemoryHost(
  opts: {
    links?: MemoryLinkSeed[];
    capabilities?: Partial<KernelCapabilities>;
    stateDir?: string;
    driver?: MemoryDriver;
    bootId?: string;
    minFreeBytes?: number;
  } = {},
): Promise<MemoryHost> {
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mvnet-unit-'));
  const driver =
    opts.driver ??
    new MemoryDriver({ links: opts.links ?? [{ name: 'eth0', mtu: 1500 }], capabilities: opts.capabilities });
  const store = Store.open(stateDir, { minFreeBytes: opts.minFreeBytes });
  const capabilities = await driver.probeCapabilities();
  await restoreHost({
    state: store,
    driver,
    capabilities,
    logger: silentLogger,
    bootId: opts.bootId ?? 'boot-1',
  });
  const networks = new NetworkService({
    state: store,
    driver,
    capabilities,
    logger: silentLogger,
    mutex: new Mutex(),
  });
  const endpoints = new EndpointService({ state: store, driver, logger: silentLogger, mutex: new Mutex() });
  return {
    driver,
    store,
    networks,
    endpoints,
    stateDir,
    restart: async (next = {}) => {
      store.close();
      return makeMemoryHost({
        stateDir,
        driver: next.driver ?? driver,
        bootId: next.bootId ?? 'boot-1',
        minFreeBytes: next.minFreeBytes,
      });
    },
    close: () => {
      store.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A network input with the seed's VLAN 10 network as defaults. */
export function networkInput(overrides: Partial<NetworkInput> = {}): NetworkInput {
  return {
    name: 'macvlan10',
    parent: 'eth0.10',
    vlanId: 0,
    mode: '',
    subnets: [{ cidr: '192.168.10.0/24', gateway: '192.168.10.1', ipRange: '', auxAddresses: {} }],
    mtu: 0,
    internal: false,
    promiscuous: false,
    hostAccess: false,
    labels: {},
    ...overrides,
  };
}

/** An endpoint input on network `mvnet`, in container c1, everything else left to the agent. */
export function endpointInput(overrides: Partial<EndpointInput> = {}): EndpointInput {
  return {
    name: '',
    network: 'mvnet',
    netns: 'c1',
    ifname: '',
    ipv4Address: '',
    ipv6Address: '',
    macAddress: '',
    ...overrides,
  };
}

/** A subnet list for /24 number `n` (192.168.n.0/24, gateway .1). */
export function subnet24(n: number): NetworkInput['subnets'] {
  return [{ cidr: `192.168.${n}.0/24`, gateway: `192.168.${n}.1`, ipRange: '', auxAddresses: {} }];
}

/**
 * The agent's services on a memory host, composed as the agent composes them (createHostServices),
 * hearing the kernel through `linkChanges`; no periodic check. Not started.
 */
export async function memoryHostServices(
  host: MemoryHost,
  linkChanges: LinkChangeSource,
): Promise<HostServices> {
  return createHostServices({
    state: host.store,
    driver: host.driver,
    facts: {
      hostname: 'h1',
      version: 'test',
      bootId: 'boot-1',
      kernelRelease: 'memory',
      netns: '',
      capabilities: await host.driver.probeCapabilities(),
    },
    logger: silentLogger,
    linkChanges,
    checkIntervalMs: 0,
    bookmarkIntervalMs: 60_000,
    watchQueueCapacity: 100,
  });
}
